import Foundation
import GRDB
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

extension SyncState: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sync_state"

    public init(row: Row) {
        pullCursor = row["pull_cursor"]
        lastPushOK = row["last_push_ok"]
        lastPullOK = row["last_pull_ok"]
        lastSyncOK = row["last_sync_ok"]
        if let message: String = row["problem_message"] {
            let cause = (row["problem_cause"] as String?).flatMap(SyncProblem.Cause.init(rawValue:)) ?? .local
            problem = SyncProblem(
                cause: cause, message: message, advice: row["problem_advice"] ?? "see the daemon's log",
                at: row["problem_at"] ?? 0)
        }
        clockSkewMilliseconds = row["clock_skew_ms"]
        clockOffsetMilliseconds = row["clock_offset_ms"]
        heldByParent = row["held_by_parent"]
        refusedByParent = row["refused_by_parent"]
        lastRefusal = row["last_refusal"]
        parentDatabase = row["parent_database"]
        recovery = row["recovery"]
        restoreCursor = row["restore_cursor"]
        restoreDatabase = row["restore_database"]
        restoredChanges = row["restored_changes"]
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = 1
        container["pull_cursor"] = pullCursor
        container["last_push_ok"] = lastPushOK
        container["last_pull_ok"] = lastPullOK
        container["last_sync_ok"] = lastSyncOK
        container["problem_cause"] = problem?.cause.rawValue
        container["problem_message"] = problem?.message
        container["problem_advice"] = problem?.advice
        container["problem_at"] = problem?.at
        container["clock_skew_ms"] = clockSkewMilliseconds
        container["clock_offset_ms"] = clockOffsetMilliseconds
        container["held_by_parent"] = heldByParent
        container["refused_by_parent"] = refusedByParent
        container["last_refusal"] = lastRefusal
        container["parent_database"] = parentDatabase
        container["recovery"] = recovery
        container["restore_cursor"] = restoreCursor
        container["restore_database"] = restoreDatabase
        container["restored_changes"] = restoredChanges
    }

    static func fetchOne(_ db: Database) throws -> SyncState? {
        try SyncState.fetchOne(db, sql: "SELECT * FROM sync_state WHERE id = 1")
    }
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

extension ChildSeen: FetchableRecord {
    public init(row: Row) {
        satker = row["satker"]
        lastSeen = row["last_seen"]
        lastPush = row["last_push"]
        lastPull = row["last_pull"]
        pushed = row["pushed"]
        refused = row["refused"]
        report = (row["report"] as String?).flatMap { try? ChildReport.decode(Data($0.utf8)) }
        reportedAt = row["reported_at"]
        lastRefusal = row["last_refusal"]
        lastRefusalAt = row["last_refusal_at"]
        lastCleanPush = row["last_clean_push"]
    }
}
