import Foundation
import Logging
import Testing
import ZISyncCore
import ZISyncEngine
import ZISyncProtocol
import ZISyncStore
import ZISyncTestSupport

/// The round's logic over the in-process link: the parent's service code called directly, no
/// sockets, the same bodies encoded and decoded as over HTTPS.
@Suite struct RoundTests {
    let prov: Store
    let kab: Store
    let endpoint: ParentEndpoint

    init() throws {
        prov = try TestNodes.make("32")
        kab = try TestNodes.make("32.17")
        endpoint = ParentEndpoint(store: prov, logger: Logger(label: "test"))
    }

    func cleanup(_ more: Store...) {
        for s in [prov, kab] + more { TestNodes.remove(s) }
    }

    /// A round of `child` with `prov`; retries do not wait.
    func round(_ child: Store, link: InProcessLink? = nil, _ edit: (inout SyncPolicy) -> Void = { _ in }) throws
        -> SyncRound
    {
        var policy = SyncPolicy()
        policy.retryDelay = { _ in 1_000_000 }
        edit(&policy)
        return try SyncRound(
            store: child, link: link ?? InProcessLink(parent: endpoint, as: child.node), policy: policy)
    }

    func plan(_ store: Store, _ activity: String) throws -> String {
        try Plans(store).add(fields: ["area": .string("sdm"), "activity": .string(activity)], actor: "ani")
    }

    func file(_ bytes: Int, seed: Int) throws -> URL {
        let url = TestNodes.tempDir("zisync-file").appendingPathComponent("bukti.pdf")
        try Data((0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* seed &+ 3) }).write(to: url)
        return url
    }

    @Test func aRoundCarriesChangesAndFilesBothWays() async throws {
        defer { cleanup() }
        let id = try plan(kab, "Rapat pembentukan Tim Kerja")
        let scan = try file(2_500_000, seed: 7)  // three chunks
        defer { try? FileManager.default.removeItem(at: scan.deletingLastPathComponent()) }
        let (evidenceID, stored) = try Evidence(kab).add(plan: id, file: scan, title: nil, kind: "sk", actor: "ani")
        let first = try await round(kab).run()
        #expect(first.pushed == 2 && first.filesUploaded == 1 && first.bytesUploaded == 2_500_000)
        #expect(prov.files.contains(stored.sha256))
        #expect(try prov.audit.digest(of: "32.17") == kab.audit.digest(of: "32.17"))
        #expect(try kab.changeLog.pending().count == 0 && kab.ledger.filesToUpload().isEmpty)

        // The province reviews; the review comes down in the next round. Nothing goes up twice.
        _ = try Reviews(prov).review(id, type: .actionPlan, verdict: "perlu-revisi", note: "Lengkapi", actor: "v")
        let second = try await round(kab).run()
        #expect(second.pushed == 0 && second.filesUploaded == 0 && second.pulled == 1)
        #expect(try Reviews(kab).latest(of: id)?["verdict"] == .string("perlu-revisi"))
        #expect(try prov.audit.digest(of: "32.17") == kab.audit.digest(of: "32.17"))

        // The parent knows the child and what it reported of itself.
        let children = try ChildrenView(store: prov, lateAfterSeconds: 900).children()
        let seen = try #require(children.first { $0.satker == "32.17" })
        #expect(seen.state == .ok && seen.pendingChanges == 0 && seen.pushed == 2)
        #expect(children.filter { $0.state == .neverSeen }.count == 26)

        // A copy lost from the kab/kota's disk comes back from the parent.
        try FileManager.default.removeItem(at: kab.files.url(for: stored.sha256))
        try kab.ledger.checkStoredFiles()
        #expect(try kab.ledger.missingFileCount() == 1)
        let third = try await round(kab).run()
        #expect(third.filesDownloaded == 1 && third.bytesDownloaded == 2_500_000)
        #expect(Evidence(kab).filePresent(try #require(try kab.records.get(evidenceID))))
    }

    @Test func brokenTransfersAreRetriedAndTheUploadResumes() async throws {
        defer { cleanup() }
        let id = try plan(kab, "Berkas besar")
        let scan = try file(2_200_000, seed: 11)
        defer { try? FileManager.default.removeItem(at: scan.deletingLastPathComponent()) }
        _ = try Evidence(kab).add(plan: id, file: scan, title: nil, kind: nil, actor: "ani")
        let link = InProcessLink(parent: endpoint, as: "32.17")
        let cuts = Counter()
        // The first push and the second chunk break once; the parent then answers 409 once for
        // the third (as when a cut chunk drained late): the round re-reads the offset each time.
        link.interpose = { request in
            switch request {
            case .push where cuts.next("push") == 1: throw InProcessLink.cut("push")
            case .upload(_, let offset) where offset == 1 << 20 && cuts.next("chunk2") == 1:
                throw InProcessLink.cut("chunk")
            case .upload(_, let offset) where offset == 2 << 20 && cuts.next("chunk3") == 1:
                throw LinkFailure.answer(status: 409, detail: "Upload-Offset must be …", request: "in-process")
            default: break
            }
        }
        let report = try await round(kab, link: link).run()
        #expect(report.pushed == 2 && report.filesUploaded == 1)
        #expect(report.bytesUploaded == 2_200_000, "no byte counted twice")
        #expect(cuts.count("push") >= 2 && cuts.count("chunk2") >= 2 && cuts.count("chunk3") >= 2)
        #expect(try prov.audit.digest(of: "32.17") == kab.audit.digest(of: "32.17"))
    }

    @Test func aRoundThatFailsSaysWhyAndTellsTheParentWhenItCan() async throws {
        defer { cleanup() }
        _ = try plan(kab, "Tidak terkirim")
        let link = InProcessLink(parent: endpoint, as: "32.17")
        link.interpose = { request in
            if case .push = request { throw InProcessLink.cut("reset by peer") }
        }
        await #expect(throws: SyncFailure.self) { try await round(kab, link: link) { $0.retries = 2 }.run() }
        let problem = try #require(try kab.ledger.state().problem)
        #expect(problem.cause == .link && problem.message.contains("reset by peer"))
        // A broken link is not reported over that link.
        #expect(try prov.ledger.children().isEmpty)

        // A refusal by the parent is a problem of the round, reported to the parent too.
        link.interpose = { request in
            if case .pull = request {
                throw LinkFailure.answer(status: 500, detail: "disk I/O error", request: "in-process /v1/pull")
            }
        }
        await #expect(throws: SyncFailure.self) { try await round(kab, link: link).run() }
        #expect(try kab.ledger.state().problem?.cause == .parentError)
        let seen = try #require(try prov.ledger.children().first)
        #expect(seen.report?.problem?.cause == .parentError)
        #expect(try kab.changeLog.pending().count == 0, "the push before the failed pull stays done")
    }

    @Test func refusedChangesAreAProblemButTheRoundGoesThrough() async throws {
        defer { cleanup() }
        let other = try TestNodes.make("32.18")
        defer { TestNodes.remove(other) }
        // A change 32.17 may not make (a record of 32.18), forged into its own chain.
        _ = try plan(kab, "Sah")
        let tip = try #require(try kab.outboxChanges().last)
        let forged = Change(
            origin: "32.17", seq: tip.seq + 1, hlc: HLC(rawValue: tip.hlc.rawValue + 1), recordType: "action_plan",
            recordID: Validation.newRecordID(), owner: "32.18", fields: ["activity": .string("palsu")], base: [:],
            actor: "x", prev: tip.hash)
        let answer = try await InProcessLink(parent: endpoint, as: "32.17").push(
            from: "32.17", wire: [tip.wireJSON, forged.wireJSON, "{\"not\":\"a change\"}"])
        #expect(answer.accepted == 1 && answer.refused.count == 2)
        #expect(answer.refused.contains { $0.change == "#3" && $0.reason.hasPrefix("malformed change") })
        #expect(answer.refused.contains { $0.reason.contains("may not write a record owned by 32.18") })
        let status = try #require(try prov.ledger.children().first)
        // The parent's own account names what its checks refused (the unreadable one never got that far).
        #expect(status.lastRefusal?.hasPrefix("1 change(s); first 32.17:") == true, "\(status.lastRefusal ?? "")")
        let view = try ChildrenView(store: prov, lateAfterSeconds: 900).children().first { $0.satker == "32.17" }
        #expect(view?.state == .failing && view?.problem?.message.contains("this node refused its changes") == true)

        // Another office's certificate cannot push as this one, nor can a non-child be let in.
        await #expect(throws: LinkFailure.self) {
            _ = try await InProcessLink(parent: endpoint, as: "32.18").push(from: "32.17", wire: [])
        }
        await #expect(throws: LinkFailure.self) {
            _ = try await InProcessLink(parent: endpoint, as: "33").pull(after: 0, limit: 10)
        }
    }

    /// The push answer's `held` counts the pushing child's held changes only, and the child
    /// takes it as it stands, not summed over batches.
    @Test func heldCountsAreThePushingChildsAndNotSummed() async throws {
        let ahead = try TestNodes.make("32.18", physicalNow: { HybridClock.systemMilliseconds() + 86_400_000 })
        defer { cleanup(ahead) }
        for i in 0..<5 { _ = try plan(ahead, "Jam maju \(i)") }
        // Batches of about two changes (by bytes; pull pages stay large).
        let link = InProcessLink(parent: endpoint, as: "32.18")
        let pushes = Counter()
        link.interpose = { if case .push = $0 { _ = pushes.next("push") } }
        let heldRound = try await round(ahead, link: link) { $0.batchBytes = 700 }.run()
        #expect(pushes.count("push") >= 3, "several batches")
        #expect(heldRound.pushed == 0 && heldRound.heldByParent == 5, "five held, however many batches: \(heldRound)")
        #expect(heldRound.problem?.cause == .held)
        #expect(try ahead.ledger.state().heldByParent?.contains("ahead of 32's") == true)

        _ = try plan(kab, "Jam benar")
        let answer = try await InProcessLink(parent: endpoint, as: "32.17").push(
            from: "32.17", wire: try kab.outboxChanges().map(\.wireJSON))
        #expect(answer.accepted == 1)
        #expect(answer.held == 0, "32.18's held changes are not 32.17's")
        let clean = try await round(kab).run()
        #expect(clean.heldByParent == 0 && clean.problem == nil)
    }

    @Test func bundlesUseTheSameSelectionAndChecksAsAPush() throws {
        defer { cleanup() }
        let dir = TestNodes.tempDir("zisync-stick")
        defer { try? FileManager.default.removeItem(at: dir) }
        let id = try plan(kab, "Lewat USB")
        let scan = try file(300_000, seed: 5)
        defer { try? FileManager.default.removeItem(at: scan.deletingLastPathComponent()) }
        _ = try Evidence(kab).add(plan: id, file: scan, title: nil, kind: nil, actor: "ani")
        let bundle = dir.appendingPathComponent("32.17.zisync")
        let first = try BundleExchange.export(from: kab, to: bundle)
        #expect(first.changes == 2 && first.files == 1)
        let imported = try BundleExchange.import(bundle, into: prov)
        #expect(imported.report.applied == 2 && imported.filesStored == 1 && imported.filesMissing == 0)
        #expect(try prov.audit.digest(of: "32.17") == kab.audit.digest(of: "32.17"))
        try BundleExchange.acknowledge(try BundleExchange.receipt(by: prov, for: imported), on: kab)
        // What the receipt confirmed is neither pending nor carried again.
        #expect(try kab.changeLog.pending().count == 0 && kab.ledger.filesToUpload().isEmpty)
        try Plans(kab).set(id, assignments: [("status", "selesai")], actor: "ani")
        let second = try BundleExchange.export(from: kab, to: bundle)
        #expect(second.changes == 1 && second.files == 0)
        #expect(try BundleExchange.export(from: kab, to: bundle, all: true).files == 1)

        // The clock limit of a push holds for a bundle too: changes a day ahead wait at the importer.
        let ahead = try TestNodes.make("32.18", physicalNow: { HybridClock.systemMilliseconds() + 86_400_000 })
        defer { TestNodes.remove(ahead) }
        _ = try plan(ahead, "Jam maju")
        let early = dir.appendingPathComponent("32.18.zisync")
        _ = try BundleExchange.export(from: ahead, to: early)
        let held = try BundleExchange.import(early, into: prov)
        #expect(held.report.applied == 0 && held.report.held == 1 && held.report.heldForClock == 1)
        let later = try BundleExchange.import(
            early, into: prov, now: HybridClock.systemMilliseconds() + 86_400_000 + 60_000)
        #expect(later.report.applied == 1 && later.report.held == 0, "applied once the importer's clock reaches it")

        // The importer checks as a push does: an office outside its subtree is refused whole,
        // and a receipt is only for the office it names, from its parent.
        let other = try TestNodes.make("33.01")
        defer { TestNodes.remove(other) }
        _ = try plan(other, "Provinsi lain")
        let foreign = dir.appendingPathComponent("33.01.zisync")
        _ = try BundleExchange.export(from: other, to: foreign)
        #expect(throws: ZISyncError.self) { try BundleExchange.import(foreign, into: prov) }
        let receipt = try BundleExchange.receipt(by: prov, for: imported)
        #expect(throws: ZISyncError.self) { try BundleExchange.acknowledge(receipt, on: other) }
    }
}

/// Counts calls by name, from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    /// Counts one more `name` and returns the count.
    func next(_ name: String) -> Int {
        lock.withLock {
            counts[name, default: 0] += 1
            return counts[name]!
        }
    }

    func count(_ name: String) -> Int { lock.withLock { counts[name] ?? 0 } }
}
