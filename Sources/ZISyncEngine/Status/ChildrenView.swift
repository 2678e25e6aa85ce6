import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

/// A parent's children, judged from what it saw of them and what they reported: failing (a
/// problem to act on), late (not heard from, or its oldest pending change too old), ok, never
/// seen; worst first (docs/decisions.md, "Children report themselves").
public struct ChildrenView: Sendable {
    let store: Store
    /// Seconds without news after which a child counts as late.
    public let lateAfterSeconds: Int

    public init(store: Store, lateAfterSeconds: Int) {
        self.store = store
        self.lateAfterSeconds = lateAfterSeconds
    }

    /// This node's children, worst first.
    public func children(now: Int64 = HybridClock.systemMilliseconds()) throws -> [ChildStatus] {
        let seen = Dictionary(uniqueKeysWithValues: try store.ledger.children().map { ($0.satker, $0) })
        return Self.worstFirst(store.registry.children(of: store.node).map { judge($0, seen[$0.code], now: now) })
    }

    /// What a node tells its parent about its own children: those that need attention, and
    /// counts. Nil on a node without children.
    public func below(now: Int64 = HybridClock.systemMilliseconds()) throws -> ChildReport.Below? {
        let children = try children(now: now)
        guard !children.isEmpty else { return nil }
        return ChildReport.Below(
            attention: children.filter { $0.state == .failing || $0.state == .late }.map {
                ChildReport.OfficeState(
                    satker: $0.satker, state: $0.state, lagSeconds: $0.lagSeconds, problem: $0.problem)
            }, ok: children.count { $0.state == .ok }, neverSeen: children.count { $0.state == .neverSeen })
    }

    func judge(_ satker: Satker, _ seen: ChildSeen?, now: Int64) -> ChildStatus {
        guard let seen else {
            return ChildStatus(
                satker: satker.code, name: satker.name, state: .neverSeen, lastSeen: nil, lastPush: nil,
                lastPull: nil, lagSeconds: nil, pendingChanges: nil, pendingFiles: nil, pendingBytes: nil, problem: nil,
                pushed: 0, refused: 0, reportedAt: nil, below: nil)
        }
        let report = seen.report
        // Its oldest change not yet here, or, with nothing pending, the last time it was heard from.
        let since =
            (report?.pendingChanges ?? 0) > 0
            ? min(report?.oldestPending ?? seen.lastSeen, seen.lastSeen) : seen.lastSeen
        let lag = max(0, (now - since) / 1000)
        var problem: SyncProblem?
        if let refusedAt = seen.lastRefusalAt, let refusal = seen.lastRefusal, refusedAt > (seen.lastCleanPush ?? 0) {
            problem = .refusedHere(refusal, at: refusedAt)
        }
        if let reported = report?.problem, reported.at >= (problem?.at ?? 0) || problem == nil {
            problem = reported
        }
        let silent = (now - seen.lastSeen) / 1000
        let late = Int64(lateAfterSeconds)
        var state: ChildState = problem == nil ? .ok : .failing
        if problem == nil && (silent > late || lag > late) {
            state = .late
            if silent > late {
                problem = SyncProblem(
                    cause: .notSeen, message: "not heard from for \(OperatorText.duration(silent))",
                    advice:
                        "the office's link or daemon may be down: ask its operator to run `zisync status` there (the cause shows on its side)",
                    at: seen.lastSeen)
            }
        }
        return ChildStatus(
            satker: satker.code, name: satker.name, state: state, lastSeen: seen.lastSeen, lastPush: seen.lastPush,
            lastPull: seen.lastPull, lagSeconds: lag, pendingChanges: report?.pendingChanges,
            pendingFiles: report?.pendingFiles, pendingBytes: report?.pendingBytes, problem: problem,
            pushed: seen.pushed, refused: seen.refused, reportedAt: seen.reportedAt, below: report?.below)
    }

    static func worstFirst(_ children: [ChildStatus]) -> [ChildStatus] {
        children.sorted {
            if $0.state != $1.state { return $0.state < $1.state }
            if ($0.lagSeconds ?? 0) != ($1.lagSeconds ?? 0) { return ($0.lagSeconds ?? 0) > ($1.lagSeconds ?? 0) }
            return $0.satker < $1.satker
        }
    }
}
