import Foundation
import Testing
import ZISyncCore
import ZISyncNode
import ZISyncProtocol
import ZISyncTransport

/// Every failure an operator can meet maps to a cause, a message naming what failed, and advice.
@Suite struct SyncDiagnosisTests {
    let parent = "https://zisync.jabar.kpu.go.id:7443"

    func curl(_ code: Int, _ detail: String = "") -> TransportError {
        TransportError(
            url: parent + "/v1/push", curlCode: code, curlMessage: "curl says \(code)", httpStatus: nil, detail: detail)
    }

    func http(_ status: Int, _ detail: String = "") -> TransportError {
        TransportError(url: parent + "/v1/push", curlCode: nil, curlMessage: nil, httpStatus: status, detail: detail)
    }

    func explain(_ error: any Error) -> SyncProblem { SyncProblem.explain(error, parent: parent, at: 42) }

    @Test(arguments: [
        (6, "dns"), (7, "unreachable"), (28, "timeout"), (35, "tls"), (56, "tls"), (55, "tls"), (58, "certificate"),
        (77, "certificate"), (60, "certificate"), (42, "stopped"), (52, "link"), (18, "link"),
    ])
    func curlErrorsHaveCauses(code: Int, cause: String) {
        let p = explain(curl(code, "Failed to connect to host"))
        #expect(p.cause == cause)
        if cause != "stopped" {
            #expect(p.message.contains("curl error \(code): Failed to connect to host"), "\(p.message)")
        }
        #expect(!p.advice.isEmpty && p.at == 42)
    }

    @Test func curlsOwnMessageStandsInForAMissingDetail() {
        #expect(explain(curl(7)).message.contains("curl error 7: curl says 7"))
        #expect(explain(curl(7)).message.contains(parent))
    }

    @Test(arguments: [
        (403, "forbidden"), (413, "protocol"), (500, "parent_error"), (503, "parent_error"), (409, "protocol"),
    ])
    func httpStatusesHaveCauses(status: Int, cause: String) {
        let p = explain(http(status, "the reason"))
        #expect(p.cause == cause)
        #expect(p.message.contains("HTTP \(status): the reason"), "\(p.message)")
    }

    @Test func aCaptivePortalIsNotAParent() {
        let p = explain(http(200, "the answer is not from a zisync parent (text/html); a proxy or captive portal?"))
        #expect(p.cause == "not_zisync" && p.advice.contains("portal"))
    }

    @Test func theStepNamesTheFile() {
        let p = explain(
            RoundStepError(step: "uploading bukti dukung 'sk.pdf' (2.0 MB, sha256 3f2a…)", underlying: curl(28)))
        #expect(p.cause == "timeout")
        #expect(p.message.hasPrefix("uploading bukti dukung 'sk.pdf'"), "\(p.message)")
    }

    @Test func localAndStoppedFailures() {
        #expect(explain(ZISyncError("disk full")).cause == "local")
        #expect(explain(ZISyncError("disk full")).message == "disk full")
        #expect(explain(CancellationError()).cause == "stopped")
    }

    @Test func refusedAndHeldChanges() {
        let refused = SyncProblem.refused(
            [.init(change: "32.17:4", record: "abc", reason: "hash does not match")], at: 7)
        #expect(refused.cause == "refused" && refused.message.contains("32.17:4 (record abc): hash does not match"))
        #expect(refused.advice.contains("zisync history abc"))
        let held = SyncProblem.held("3 change(s) carry a clock more than 300 s ahead", at: 7)
        #expect(held.cause == "held" && held.advice.contains("NTP"))
    }

    @Test func sizesAndDurationsReadWell() {
        #expect(NodeStatus.bytes(0) == "0 bytes" && NodeStatus.bytes(2048) == "2 KB")
        #expect(NodeStatus.bytes(3_250_000) == "3.1 MB" && NodeStatus.bytes(5 << 30) == "5.0 GB")
        #expect(NodeStatus.duration(45) == "45 s" && NodeStatus.duration(180) == "3 min")
        #expect(NodeStatus.duration(7200) == "2 h" && NodeStatus.duration(3 * 86_400) == "3 days")
    }
}
