import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

/// One full round with the parent, written once against a `ParentLink`: push the changes it
/// lacks, upload the files it lacks (resuming), pull what is in this node's scope, download the
/// files records name, then tell the parent how this office stands. What each phase stores stays
/// stored when a later one fails; the next round resumes.
public final class SyncRound: Sendable {
    public let store: Store
    let link: any ParentLink
    let policy: SyncPolicy
    /// The parent's satker code.
    let parent: String

    public typealias Progress = @Sendable (String) -> Void

    public init(store: Store, link: any ParentLink, policy: SyncPolicy) throws {
        guard let parent = store.parent else {
            throw ZISyncError("\(store.node) is the root: it has no parent to sync with")
        }
        self.store = store
        self.link = link
        self.policy = policy
        self.parent = parent
    }

    /// Abandons the transfer in flight (what is stored stays stored; the next round resumes).
    public func cancel() { link.cancel() }

    /// One round: the phases in order; a failure is stored, counted and told to the parent before
    /// it is thrown, a success stored with what it still leaves to do.
    public func run(progress: Progress? = nil) async throws -> SyncReport {
        let started = Date()
        var report = SyncReport()
        do {
            try await runPhases(&report, progress: progress)
        } catch {
            let failure = await recordFailure(error)
            throw failure
        }
        report.seconds = Date().timeIntervalSince(started)
        try await recordSuccess(&report)
        return report
    }

    /// Push (with what must come before it), upload, pull (with what it brings up), download; the
    /// report takes each stretch's seconds as it ends.
    private func runPhases(_ report: inout SyncReport, progress: Progress?) async throws {
        var mark = Date()
        func lap() -> Double {
            defer { mark = Date() }
            return Date().timeIntervalSince(mark)
        }
        try await prepareAndPush(&report, progress: progress)
        report.pushSeconds = lap()
        try await uploadFiles(&report, progress: progress)
        report.uploadSeconds = lap()
        try await pullAndCatchUp(&report, progress: progress)
        report.pullSeconds = lap()
        try await downloadFiles(&report, progress: progress)
        report.downloadSeconds = lap()
    }

    /// Own changes are made fit to send (re-stamped, re-signed, a restore finished) before the push;
    /// then a restore the push found needed, and a push again when the parent's time shows this
    /// clock ran ahead.
    private func prepareAndPush(_ report: inout SyncReport, progress: Progress?) async throws {
        // Own changes stamped by a clock that ran ahead, not accepted yet, are re-stamped first.
        report.restamped = try store.repairClock()
        // Own changes without a valid signature (made before signatures, or with a key since
        // revoked) are signed with the current key before anything is sent.
        try store.resignRevoked()
        // A restore under way (or found needed at the last round) comes before anything is sent.
        if try store.ledger.state().recovery != nil { try await restore(&report, progress: progress) }
        try await push(&report, progress: progress)
        if report.recovery != nil, try store.ledger.state().recovery != nil {
            try await restore(&report, progress: progress)
            try await push(&report, progress: progress)
        }
        if report.heldByParent > 0 {
            // The parent's time, just learnt, may show this clock ran ahead: re-stamp, send again.
            let restamped = try store.repairClock()
            if restamped > 0 {
                report.restamped += restamped
                try await push(&report, progress: progress)
            }
        }
    }

    /// The pull, then what it can bring up: a restore, a revocation of this office's old key, a
    /// parent that lost data; each answered by sending again.
    private func pullAndCatchUp(_ report: inout SyncReport, progress: Progress?) async throws {
        try await pull(&report, progress: progress)
        if report.recovery != nil, try store.ledger.state().recovery != nil {
            try await restore(&report, progress: progress)
            try await push(&report, progress: progress)
        }
        // A revocation of this office's old key that came with the pull: what that key signed
        // after it is signed again with the current key and sent again.
        if try store.resignRevoked() > 0 { try await push(&report, progress: progress) }
        if report.parentLostData {
            // The parent holds less than it had acknowledged: send it again now.
            try await push(&report, progress: progress)
            try await uploadFiles(&report, progress: progress)
        }
    }

    /// A failed round: its problem in words is stored for `status`, counted, and told to the parent
    /// unless the link itself failed. Returns the error to throw.
    private func recordFailure(_ error: any Error) async -> SyncFailure {
        let problem = SyncProblem.explain(error, at: HybridClock.systemMilliseconds())
        try? store.ledger.update { $0.problem = problem }
        SyncMetrics.failure(cause: problem.cause.rawValue)
        // The parent hears of it too, unless the link itself is what failed.
        await reportToParent(problem: problem, send: !problem.cause.isLinkFailure)
        return SyncFailure(problem: problem, underlying: error)
    }

    /// A round that went through: what it still leaves to do is stored with the time of this
    /// success, counted, and told to the parent.
    private func recordSuccess(_ report: inout SyncReport) async throws {
        let now = HybridClock.systemMilliseconds()
        let problem = try remainingProblem(report, at: now)
        report.problem = problem
        try store.ledger.update {
            $0.problem = problem
            // The parent now holds every change this node had when the round began.
            $0.lastSyncOK = now
            $0.lastPushOK = now
        }
        SyncMetrics.round(report)
        if let problem { SyncMetrics.failure(cause: problem.cause.rawValue) }
        await reportToParent(problem: problem, send: true)
    }

    /// A round that went through can still leave the operator something to do: changes refused, a
    /// clock too far ahead, changes the parent holds, a file problem; nil when nothing.
    private func remainingProblem(_ report: SyncReport, at now: Int64) throws -> SyncProblem? {
        let held = try store.ledger.state().heldByParent
        let problem: SyncProblem? =
            if !report.refused.isEmpty {
                .refused(report.refused, at: now)
            } else if ClockPolicy.tooFarAhead(skew: report.clockSkewMilliseconds) {
                .clock(skew: report.clockSkewMilliseconds, at: now)
            } else if report.heldByParent > 0, let held {
                .held(held, at: now)
            } else if let file = report.fileProblem {
                file
            } else {
                nil
            }
        return problem
    }

    /// Updates the backlog metrics and, when `send`, tells the parent how this office stands
    /// (pending work, last problem). Best effort: a report that does not arrive changes nothing.
    func reportToParent(problem: SyncProblem?, send: Bool) async {
        guard let report = try? childReport(problem: problem) else { return }
        SyncMetrics.pending(changes: report.pendingChanges, files: report.pendingFiles)
        guard send else { return }
        try? await link.report(report)
    }

    func childReport(problem: SyncProblem?) throws -> ChildReport {
        let files = try store.ledger.filesToUpload()
        let pending = try store.changeLog.pending()
        return ChildReport(
            pendingChanges: pending.count, pendingFiles: files.count, pendingBytes: files.map(\.size).reduce(0, +),
            oldestPending: pending.oldestMilliseconds, problem: problem,
            below: try ChildrenView(store: store, lateAfterSeconds: policy.lateAfterSeconds).below())
    }

    /// "bukti dukung 'daftar-hadir.pdf' (2.1 MB, sha256 3f2a9c…)", for messages.
    func fileLabel(_ sha: String, size: Int64) -> String {
        let name = (try? store.ledger.evidenceFileName(sha256: sha))?.map { "'\($0)'" } ?? "file"
        return "bukti dukung \(name) (\(OperatorText.bytes(size)), sha256 \(sha.prefix(12))…)"
    }
}
