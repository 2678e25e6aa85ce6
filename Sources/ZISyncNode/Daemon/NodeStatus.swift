import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncTransport

/// The operator's view of a node (brief §9), for `zisync status`. The JSON schema is in
/// docs/operations.md; times are milliseconds since the epoch.
public struct NodeStatus: Sendable, Codable {
    public struct Child: Sendable, Codable {
        public let satker: String
        public let name: String
        /// failing (a problem to act on), late (not heard from in time), ok, never_seen.
        public let state: String
        public let lastSeen: Int64?
        public let lastPush: Int64?
        public let lastPull: Int64?
        /// How old the oldest change is that this node does not have from the child yet (as
        /// far as it knows): the age of its oldest pending change, else the time since last seen.
        public let lagSeconds: Int64?
        /// What the child last reported of itself (nil before its first report).
        public let pendingChanges: Int?
        public let pendingFiles: Int?
        public let pendingBytes: Int64?
        public let problem: SyncProblem?
        public let pushed: Int
        public let refused: Int
        public let reportedAt: Int64?
        /// The child's own children as it last reported them (a province seen from KPU RI).
        public let below: ChildReport.Below?
    }

    public let node: String
    public let name: String
    /// The running daemon on this home, nil when none answers.
    public let daemon: DaemonState?
    public let parent: String?
    public let parentURL: String?
    public let lastPush: Int64?
    public let lastPull: Int64?
    public let lastSync: Int64?
    public let pendingChanges: Int
    public let pendingFiles: Int
    public let pendingBytes: Int64
    public let missingFiles: Int
    /// The last problem with the parent in words: cause, message, what to do.
    public let problem: SyncProblem?
    public let clockSkewMilliseconds: Int64?
    /// Set when local writes use the parent's time because this clock was found off.
    public let clockOffsetMilliseconds: Int64?
    public let heldByParent: String?
    public let refusedByParent: Int
    public let lastRefusal: String?
    public let refusedHere: Int
    public let heldChanges: Int
    public let conflicts: Int
    /// When this office's certificate expires (ms since the epoch), nil when none is configured.
    public let certificateValidUntil: Int64?
    /// Seconds without news after which a child counts as late.
    public let lateAfterSeconds: Int
    /// Worst first: failing, late, ok, then never seen.
    public let children: [Child]

    public static func read(
        store: Store, config: NodeConfig?, daemon: DaemonState? = nil,
        now: Int64 = HybridClock.systemMilliseconds()
    ) throws -> NodeStatus {
        func ms(_ key: String) throws -> Int64? { try store.meta(key).flatMap { Int64($0) } }
        let uploaded = try store.uploadedFiles()
        let pendingFiles =
            config?.parent == nil ? [] : try store.filesForParent().filter { !uploaded.contains($0.sha256) }
        let counts = try store.counts()
        let lateAfter = lateAfterSeconds(config)
        let children = try children(store: store, lateAfter: lateAfter, now: now)
        let validUntil = config.flatMap { c in
            try? DeploymentPKI.expiry(ofCertificateFile: c.path(c.certificateFile, home: store.home))
        }
        let problem: SyncProblem? = try store.meta("last_error").map { message in
            SyncProblem(
                cause: try store.meta("last_error_cause") ?? "local", message: message,
                advice: try store.meta("last_error_advice") ?? "see the daemon's log", at: try ms("last_error_at") ?? 0)
        }
        return NodeStatus(
            node: store.node, name: store.registry[store.node]?.name ?? store.node, daemon: daemon,
            parent: store.registry[store.node]?.parent, parentURL: config?.parent, lastPush: try ms("last_push_ok"),
            lastPull: try ms("last_pull_ok"), lastSync: try ms("last_sync_ok"),
            pendingChanges: config?.parent == nil ? 0 : try store.pendingUploadCount, pendingFiles: pendingFiles.count,
            pendingBytes: pendingFiles.map(\.size).reduce(0, +), missingFiles: try store.missingFiles().count,
            problem: problem,
            clockSkewMilliseconds: try ms("clock_skew_ms"), clockOffsetMilliseconds: try ms("clock_offset_ms"),
            heldByParent: try store.meta("held_by_parent"),
            refusedByParent: Int(try store.meta("refused_by_parent") ?? "0") ?? 0,
            lastRefusal: try store.meta("last_refusal"), refusedHere: counts.refused, heldChanges: counts.held,
            conflicts: counts.conflicts,
            certificateValidUntil: validUntil.map { Int64($0.timeIntervalSince1970 * 1000) },
            lateAfterSeconds: lateAfter, children: children)
    }

    static func lateAfterSeconds(_ config: NodeConfig?) -> Int { max(900, 3 * (config?.syncIntervalSeconds ?? 300)) }

    /// This node's children, worst first.
    static func children(store: Store, lateAfter: Int, now: Int64) throws -> [Child] {
        let seen = Dictionary(uniqueKeysWithValues: try store.childrenSeen().map { ($0.satker, $0) })
        return sortWorstFirst(
            store.registry.children(of: store.node).map { s in child(s, seen[s.code], now: now, lateAfter: lateAfter) })
    }

    /// What a node tells its parent about its own children: those that need attention, and counts.
    public static func below(store: Store, config: NodeConfig?, now: Int64 = HybridClock.systemMilliseconds()) throws
        -> ChildReport.Below?
    {
        let children = try children(store: store, lateAfter: lateAfterSeconds(config), now: now)
        guard !children.isEmpty else { return nil }
        return ChildReport.Below(
            attention: children.filter { $0.state == "failing" || $0.state == "late" }.map {
                ChildReport.OfficeState(
                    satker: $0.satker, state: $0.state, lagSeconds: $0.lagSeconds, problem: $0.problem)
            }, ok: children.count { $0.state == "ok" }, neverSeen: children.count { $0.state == "never_seen" })
    }

    static func child(_ satker: Satker, _ seen: Store.ChildSeen?, now: Int64, lateAfter: Int) -> Child {
        guard let seen else {
            return Child(
                satker: satker.code, name: satker.name, state: "never_seen", lastSeen: nil, lastPush: nil,
                lastPull: nil, lagSeconds: nil, pendingChanges: nil, pendingFiles: nil, pendingBytes: nil, problem: nil,
                pushed: 0, refused: 0, reportedAt: nil, below: nil)
        }
        let report = seen.report.flatMap { try? JSONDecoder().decode(ChildReport.self, from: Data($0.utf8)) }
        // Its oldest change not yet here, or, with nothing pending, the last time it was heard from.
        let since =
            (report?.pendingChanges ?? 0) > 0
            ? min(report?.oldestPending ?? seen.lastSeen, seen.lastSeen) : seen.lastSeen
        let lag = max(0, (now - since) / 1000)
        var problem: SyncProblem?
        if let refusedAt = seen.lastRefusalAt, let refusal = seen.lastRefusal, refusedAt > (seen.lastCleanPush ?? 0) {
            problem = SyncProblem(
                cause: "refused", message: "this node refused its changes: \(refusal)",
                advice:
                    "the office should run `zisync verify` and `zisync status`; the refused changes are kept here for audit (`zisync history RECORD`)",
                at: refusedAt)
        }
        if let reported = report?.problem, reported.at >= (problem?.at ?? 0) || problem == nil {
            problem = reported
        }
        let silent = (now - seen.lastSeen) / 1000
        var state = problem == nil ? "ok" : "failing"
        if problem == nil && (silent > Int64(lateAfter) || lag > Int64(lateAfter)) {
            state = "late"
            if silent > Int64(lateAfter) {
                problem = SyncProblem(
                    cause: "not_seen", message: "not heard from for \(Self.duration(silent))",
                    advice:
                        "the office's link or daemon may be down: ask its operator to run `zisync status` there (the cause shows on its side)",
                    at: seen.lastSeen)
            }
        }
        return Child(
            satker: satker.code, name: satker.name, state: state, lastSeen: seen.lastSeen, lastPush: seen.lastPush,
            lastPull: seen.lastPull, lagSeconds: lag, pendingChanges: report?.pendingChanges,
            pendingFiles: report?.pendingFiles, pendingBytes: report?.pendingBytes, problem: problem,
            pushed: seen.pushed, refused: seen.refused, reportedAt: seen.reportedAt, below: report?.below)
    }

    static func sortWorstFirst(_ children: [Child]) -> [Child] {
        let rank = ["failing": 0, "late": 1, "ok": 2, "never_seen": 3]
        return children.sorted {
            let (a, b) = (rank[$0.state] ?? 9, rank[$1.state] ?? 9)
            if a != b { return a < b }
            if ($0.lagSeconds ?? 0) != ($1.lagSeconds ?? 0) { return ($0.lagSeconds ?? 0) > ($1.lagSeconds ?? 0) }
            return $0.satker < $1.satker
        }
    }

    /// "0 bytes", "512 KB", "2.1 MB".
    public static func bytes(_ n: Int64) -> String {
        n < 1024
            ? "\(n) bytes"
            : n < 1 << 20
                ? "\(n / 1024) KB"
                : n < 1 << 30
                    ? String(format: "%.1f MB", Double(n) / 1_048_576)
                    : String(format: "%.1f GB", Double(n) / 1_073_741_824)
    }

    /// "45 s", "3 min", "2 h", "4 days".
    public static func duration(_ seconds: Int64) -> String {
        seconds < 120
            ? "\(seconds) s"
            : seconds < 7200
                ? "\(seconds / 60) min" : seconds < 172_800 ? "\(seconds / 3600) h" : "\(seconds / 86_400) days"
    }
}
