import Foundation
import ZISyncCore
import ZISyncEngine
import ZISyncProtocol
import ZISyncStore
import ZISyncTransport

/// The operator's view of a node (brief §9), for `zisync status`. The JSON schema is in
/// docs/operations.md; times are milliseconds since the epoch.
public struct NodeStatus: Sendable, Codable {
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
    /// While this node fetches its own chain from its parent (and writes nothing): why, and how far.
    public let recovery: Recovery?
    public struct Recovery: Codable, Sendable {
        public let reason: String
        public let restoredChanges: Int
        public let filesToFetch: Int
        /// Own changes set aside because the parent held others, and those written again after.
        public let setAside: Int
        public let rewritten: Int
        public let refused: Int
    }
    public let refusedByParent: Int
    public let lastRefusal: String?
    public let refusedHere: Int
    public let heldChanges: Int
    /// The changes waiting here, per origin, and what releases them.
    public let waiting: [Audit.Waiting]
    public let conflicts: Int
    /// When this office's certificate expires (ms since the epoch), nil when none is configured.
    public let certificateValidUntil: Int64?
    /// Seconds without news after which a child counts as late.
    public let lateAfterSeconds: Int
    /// Worst first: failing, late, ok, then never seen.
    public let children: [ChildStatus]

    public static func read(
        store: Store, config: NodeConfig?, daemon: DaemonState? = nil,
        now: Int64 = HybridClock.systemMilliseconds()
    ) throws -> NodeStatus {
        // Best effort: notices files lost from the disk (a bounded slice per call).
        _ = try? store.ledger.checkStoredFiles()
        let state = try store.ledger.state()
        let syncsUp = config?.parent != nil
        let pendingFiles = syncsUp ? try store.ledger.filesToUpload() : []
        let counts = try store.audit.counts()
        let lateAfter = (config?.policy ?? SyncPolicy()).lateAfterSeconds
        let children = try ChildrenView(store: store, lateAfterSeconds: lateAfter).children(now: now)
        let validUntil = config.flatMap { c in
            try? DeploymentPKI.expiry(ofCertificateFile: c.path(c.certificateFile, home: store.home))
        }
        return NodeStatus(
            node: store.node, name: store.registry[store.node]?.name ?? store.node, daemon: daemon,
            parent: store.parent, parentURL: config?.parent, lastPush: state.lastPushOK, lastPull: state.lastPullOK,
            lastSync: state.lastSyncOK, pendingChanges: syncsUp ? try store.changeLog.pending().count : 0,
            pendingFiles: pendingFiles.count, pendingBytes: pendingFiles.map(\.size).reduce(0, +),
            missingFiles: try store.ledger.missingFileCount(), problem: state.problem,
            clockSkewMilliseconds: state.clockSkewMilliseconds, clockOffsetMilliseconds: state.clockOffsetMilliseconds,
            heldByParent: state.heldByParent,
            recovery: try state.recovery.map { reason in
                let forked = try store.ledger.forkedChanges()
                return Recovery(
                    reason: reason, restoredChanges: state.restoredChanges,
                    filesToFetch: try store.ledger.missingFileCount(), setAside: forked.waiting,
                    rewritten: forked.rewritten, refused: forked.refused)
            }, refusedByParent: state.refusedByParent, lastRefusal: state.lastRefusal,
            refusedHere: counts.refused, heldChanges: counts.held, waiting: try store.audit.waiting(),
            conflicts: counts.conflicts,
            certificateValidUntil: validUntil.map { Int64($0.timeIntervalSince1970 * 1000) },
            lateAfterSeconds: lateAfter, children: children)
    }
}
