import Foundation
import Logging
import Testing
import ZISyncCore
import ZISyncEngine
import ZISyncNode
import ZISyncProtocol
import ZISyncStore
import ZISyncTransport

/// One harness for every `ParentLink`: the same requests, the same answers and the same failures
/// over the in-process link (the parent's service code called directly) and over HTTPS (libcurl to
/// a real daemon, mutual TLS). The round is written against the protocol; this holds each link to it.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ParentLinkConformanceTests {
    enum Kind: String, CaseIterable, Sendable {
        case inProcess, https
    }

    /// The kab/kota's store and its link of `kind` to the province of `d`.
    func link(_ kind: Kind, _ d: Deployment) throws -> (ParentLink, Store) {
        let kabHome = Home(path: d["32.17"].home.path)
        let kabConfig = try NodeConfig.load(home: kabHome)
        let kab = try kabConfig.openStore(home: kabHome)
        switch kind {
        case .https:
            return (try HTTPSLink(config: kabConfig, home: kabHome, parentSatker: "32"), kab)
        case .inProcess:
            let provHome = Home(path: d["32"].home.path)
            let prov = try NodeConfig.load(home: provHome).openStore(home: provHome)
            return (InProcessLink(parent: ParentEndpoint(store: prov, logger: Logger(label: "test")), as: "32.17"), kab)
        }
    }

    func failure(_ request: () async throws -> Void) async -> LinkFailure? {
        do {
            try await request()
            return nil
        } catch {
            guard let failure = error as? LinkFailure else {
                Issue.record("not a LinkFailure: \(error)")
                return nil
            }
            return failure
        }
    }

    @Test(arguments: Kind.allCases) func everyRequestMeansTheSameOverEitherLink(kind: Kind) async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: kind == .https)
        let office = try d.node("32.17", parent: kind == .https ? "32" : nil)
        let plan = try office.ok(["plan", "add", "--area", "1", "--activity", "Uji tautan"])
        let content = try d.file("bukti.pdf", bytes: 300_000, seed: 5)
        let sha = try #require(try office.object("evidence", "add", "--plan", plan, content.path)["sha256"] as? String)
        let (link, kab) = try link(kind, d)
        defer { link.cancel() }

        // Push: what the outbox holds is accepted, with the tip; the same batch again is a duplicate.
        var cursor = try kab.changeLog.outbox()
        let batch = try kab.changeLog.nextBatch(&cursor, maxChanges: 100, maxBytes: 1 << 20)
        let certificates = [try d.key("32.17").certificateDER]
        let answer = try await link.push(from: "32.17", wire: batch, certificates: certificates)
        #expect(batch.count == 2 && answer.accepted == 2 && answer.refused.isEmpty, "\(answer)")
        #expect(answer.tips["32.17"] == 2 && answer.tipHashes?["32.17"] != nil)
        #expect(abs(answer.serverTime - HybridClock.systemMilliseconds()) < 600_000)
        let again = try await link.push(from: "32.17", wire: batch, certificates: certificates)
        #expect(again.accepted == 0 && again.duplicates == 2, "\(again)")

        // Pull and restore: pages of the scope, bounded by the limit, with the parent's identity.
        let page = try await link.pull(after: 0, limit: 5)
        #expect(page.changes.count == 5 && page.more && page.next > 0, "\(page.changes.count)")
        let next = try await link.pull(after: page.next, limit: 5)
        #expect(next.changes.first?.id != page.changes.first?.id)
        var restored: [Change] = []
        var restoreCursor: Int64 = 0
        for _ in 0..<20 {
            let restore = try await link.restore(after: restoreCursor, limit: 500)
            restored += restore.changes
            restoreCursor = restore.next
            if !restore.more { break }
        }
        #expect(restored.filter { $0.origin == "32.17" }.count == 2, "the office's own chain comes back")

        // Report: taken.
        try await link.report(
            ChildReport(pendingChanges: 0, pendingFiles: 1, pendingBytes: 300_000, oldestPending: nil, problem: nil))

        // A file: announced at offset 0, sent in two pieces, read back by range.
        let bytes = try Data(contentsOf: content)
        #expect(try await link.uploadOffset(sha256: sha, size: 300_000, lane: 1) == 0)
        #expect(
            try await link.upload(sha256: sha, offset: 0, chunk: bytes[0..<100_000], progress: nil, lane: 1) == 100_000)
        #expect(try await link.uploadOffset(sha256: sha, size: 300_000, lane: 1) == 100_000, "resumes where it stopped")
        let wrong = await failure {
            _ = try await link.upload(sha256: sha, offset: 0, chunk: bytes[0..<10], progress: nil, lane: 1)
        }
        #expect(wrong?.status == 409, "\(String(describing: wrong))")
        #expect(
            try await link.upload(sha256: sha, offset: 100_000, chunk: bytes[100_000...], progress: nil, lane: 1)
                == 300_000)
        let back = try await link.download(sha256: sha, range: ByteRange(start: 10, end: 19), progress: nil)
        #expect(back == bytes[10...19])

        // Refusals and absences, with the same cause on both links.
        let unnamed = await failure {
            _ = try await link.uploadOffset(sha256: String(repeating: "b", count: 64), size: 10, lane: 1)
        }
        #expect(unnamed?.status == 403 && unnamed?.cause == .forbidden, "\(String(describing: unnamed))")
        let absent = try await link.download(
            sha256: String(repeating: "c", count: 64), range: ByteRange(start: 0, end: 9), progress: nil)
        #expect(absent == nil)
        // A line that is no change is refused in the answer, by itself.
        let odd = try await link.push(from: "32.17", wire: ["{\"not\":\"a change\"}"], certificates: [])
        #expect(odd.accepted == 0 && odd.refused.count == 1, "\(odd)")
    }
}
