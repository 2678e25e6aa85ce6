import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// The row of `sync_state` is a `SyncState` (Ledger/SyncState.swift), one row (`id = 1`): its
/// columns, and the reads and writes of single columns that do not go through the whole state.
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
}

extension SyncState {
    /// The one row.
    static func fetchOne(_ db: Database) throws -> SyncState? {
        try SyncState.fetchOne(db, sql: "SELECT * FROM sync_state WHERE id = 1")
    }

    /// Why this node must fetch its own chain before it writes again (nil: it need not).
    static func recoveryReason(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT recovery FROM sync_state WHERE id = 1")
    }

    /// Where the rolling check of the stored files stands (a `local_file` rowid).
    static func fileCheckCursor(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT file_check_cursor FROM sync_state WHERE id = 1")
    }

    static func setFileCheckCursor(_ db: Database, _ cursor: Int64) throws {
        try db.execute(sql: "UPDATE sync_state SET file_check_cursor = ? WHERE id = 1", arguments: [cursor])
    }

    /// Pulls the parent's log from its start again (a copy of a database taken as another node's).
    static func resetPullCursor(_ db: Database) throws {
        try db.execute(sql: "UPDATE sync_state SET pull_cursor = 0")
    }
}
