import Foundation
import Testing
import ZISyncCore
import ZISyncEngine
import ZISyncProtocol
import ZISyncTransport

/// Every failure an operator can meet over HTTPS maps to a cause, a message naming what failed,
/// and advice; the round's explanation keeps them and names its step.
@Suite struct HTTPSFailureTests {
    let parent = "https://zisync.jabar.kpu.go.id:7443"

    func curl(_ code: Int, _ detail: String = "") -> TransportError {
        TransportError(
            url: parent + "/v1/push", curlCode: code, curlMessage: "curl says \(code)", httpStatus: nil, detail: detail)
    }

    func explain(_ error: TransportError) -> SyncProblem {
        SyncProblem.explain(HTTPSFailures.failure(error, parent: parent), at: 42)
    }

    func answer(_ status: Int, _ detail: String = "") -> SyncProblem {
        SyncProblem.explain(LinkFailure.answer(status: status, detail: detail, request: parent + "/v1/push"), at: 42)
    }

    @Test(arguments: [
        (6, "dns"), (7, "unreachable"), (28, "timeout"), (35, "tls"), (56, "tls"), (55, "tls"), (58, "certificate"),
        (77, "certificate"), (60, "certificate"), (42, "stopped"), (52, "link"), (18, "link"),
    ])
    func curlErrorsHaveCauses(code: Int, cause: String) {
        let p = explain(curl(code, "Failed to connect to host"))
        #expect(p.cause.rawValue == cause)
        if cause != "stopped" {
            #expect(p.message.contains("curl error \(code): Failed to connect to host"), "\(p.message)")
        }
        #expect(!p.advice.isEmpty && p.at == 42)
        // A broken transfer is worth another attempt; a stopped one is not.
        #expect(HTTPSFailures.failure(curl(code), parent: parent).isTransient == (cause != "stopped"))
    }

    @Test func curlsOwnMessageStandsInForAMissingDetail() {
        #expect(explain(curl(7)).message.contains("curl error 7: curl says 7"))
        #expect(explain(curl(7)).message.contains(parent))
    }

    @Test(arguments: [
        (403, "forbidden"), (413, "protocol"), (500, "parent_error"), (503, "parent_error"), (409, "protocol"),
    ])
    func httpStatusesHaveCauses(status: Int, cause: String) {
        let p = answer(status, "the reason")
        #expect(p.cause.rawValue == cause)
        #expect(p.message.contains("HTTP \(status): the reason"), "\(p.message)")
        #expect(LinkFailure.answer(status: status, detail: "", request: "r").isTransient == false)
    }

    @Test func aCaptivePortalIsNotAParent() {
        let p = SyncProblem.explain(
            LinkFailure.notZISync(status: 200, contentType: "text/html", request: parent), at: 1)
        #expect(p.cause == .notZISync && p.advice.contains("portal") && p.message.contains("text/html"))
    }

    @Test func theStepNamesTheFile() {
        let p = SyncProblem.explain(
            RoundStepError(
                step: "uploading bukti dukung 'sk.pdf' (2.0 MB, sha256 3f2a…)",
                underlying: HTTPSFailures.failure(curl(28), parent: parent)), at: 1)
        #expect(p.cause == .timeout)
        #expect(p.message.hasPrefix("uploading bukti dukung 'sk.pdf'"), "\(p.message)")
    }

    @Test func localAndStoppedFailures() {
        #expect(SyncProblem.explain(ZISyncError("disk full"), at: 1).cause == .local)
        #expect(SyncProblem.explain(ZISyncError("disk full"), at: 1).message == "disk full")
        #expect(SyncProblem.explain(CancellationError(), at: 1).cause == .stopped)
    }

    @Test func refusedAndHeldChanges() {
        let refused = SyncProblem.refused(
            [.init(change: "32.17:4", record: "abc", reason: "hash does not match")], at: 7)
        #expect(refused.cause == .refused && refused.message.contains("32.17:4 (record abc): hash does not match"))
        #expect(refused.advice.contains("zisync history abc"))
        let held = SyncProblem.held("3 change(s) carry a clock more than 300 s ahead", at: 7)
        #expect(held.cause == .held && held.advice.contains("NTP"))
    }

    @Test func sizesAndDurationsReadWell() {
        #expect(OperatorText.bytes(0) == "0 bytes" && OperatorText.bytes(2048) == "2 KB")
        #expect(OperatorText.bytes(3_250_000) == "3.1 MB" && OperatorText.bytes(5 << 30) == "5.0 GB")
        #expect(OperatorText.duration(45) == "45 s" && OperatorText.duration(180) == "3 min")
        #expect(OperatorText.duration(7200) == "2 h" && OperatorText.duration(3 * 86_400) == "3 days")
    }
}
