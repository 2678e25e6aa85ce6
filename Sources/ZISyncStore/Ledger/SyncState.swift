import Foundation
import ZISyncCore
import ZISyncProtocol

/// A node's sync state as one typed row: the pull cursor, the last good push, pull and round, the
/// last problem, the clock against the parent's, what the parent holds or refused.
public struct SyncState: Sendable, Equatable {
    /// The parent's arrival number this node has pulled up to.
    public var pullCursor: Int64 = 0
    public var lastPushOK: Int64?
    public var lastPullOK: Int64?
    public var lastSyncOK: Int64?
    /// The last problem with the parent (nil after a clean round).
    public var problem: SyncProblem?
    /// Parent's clock minus this one's at the last answer (ms).
    public var clockSkewMilliseconds: Int64?
    /// Set when local writes use the parent's time because this clock was found off (ms).
    public var clockOffsetMilliseconds: Int64?
    /// Why the parent holds changes of this subtree, when it does.
    public var heldByParent: String?
    public var refusedByParent = 0
    public var lastRefusal: String?
    /// The parent's database identity at the last pull: the pull cursor belongs to it.
    public var parentDatabase: String?
    /// Why this node must fetch its own chain from its parent before it writes again (nil: it need not).
    public var recovery: String?
    /// The restore's cursor (the parent's arrival number), the parent's identity it belongs to,
    /// and how many changes it has brought back so far.
    public var restoreCursor: Int64 = 0
    public var restoreDatabase: String?
    public var restoredChanges = 0

    public init() {}
}

/// What a parent knows of one child: when it was seen, what it sent and was refused, and what
/// it last reported of itself.
public struct ChildSeen: Sendable {
    public let satker: String
    public let lastSeen: Int64
    public let lastPush: Int64?
    public let lastPull: Int64?
    public let pushed: Int
    public let refused: Int
    /// The child's own last report, and when it came (nil before the first, or if unreadable).
    public let report: ChildReport?
    public let reportedAt: Int64?
    public let lastRefusal: String?
    public let lastRefusalAt: Int64?
    /// The last push from it in which nothing was refused.
    public let lastCleanPush: Int64?
}
