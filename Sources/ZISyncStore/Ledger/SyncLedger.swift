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

/// The sync ledger: everything a node remembers about syncing, with its parent (the typed state,
/// acknowledgements, uploaded files, the transfer queues) and with its children. Each update is
/// one transaction, and the ones that go with received data share its transaction.
public struct SyncLedger: Sendable {
    let store: Store
    var db: DatabasePool { store.db }

    // MARK: - State

    public func state() throws -> SyncState {
        try db.read { db in try SyncState.fetchOne(db) ?? SyncState() }
    }

    /// Changes the state in one transaction.
    public func update(_ change: (inout SyncState) -> Void) throws {
        try db.write { db in try Self.update(db, change) }
    }

    static func update(_ db: Database, _ change: (inout SyncState) -> Void) throws {
        var state = try SyncState.fetchOne(db) ?? SyncState()
        change(&state)
        try state.save(db)
    }

    // MARK: - What the parent holds

    public func acknowledged() throws -> [String: Int64] {
        try db.read { db in
            var acks: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT origin, seq FROM parent_ack") {
                acks[row["origin"]] = row["seq"] as Int64
            }
            return acks
        }
    }

    /// Records that the parent holds each origin's chain up to the given sequence. Only ever
    /// raises an acknowledgement, and never beyond what this node itself holds. A parent's clock
    /// reading and a state change, when given, go in the same transaction.
    public func acknowledge(
        _ tips: [String: Int64], clockMilliseconds: Int64? = nil, update change: ((inout SyncState) -> Void)? = nil
    ) throws {
        let subtree = store.subtree
        try db.write { db in
            for (origin, seq) in tips where subtree.contains(origin) {
                let held =
                    try Int64.fetchOne(db, sql: "SELECT seq FROM origin_head WHERE origin = ?", arguments: [origin])
                    ?? 0
                try db.execute(
                    sql: """
                        INSERT INTO parent_ack(origin, seq) VALUES (?, ?)
                        ON CONFLICT(origin) DO UPDATE SET seq = max(seq, excluded.seq)
                        """, arguments: [origin, min(seq, held)])
            }
            if let clockMilliseconds { try Self.observeClock(db, milliseconds: clockMilliseconds) }
            if let change { try Self.update(db, change) }
        }
    }

    /// Folds a clock reading (the parent's, from a sync answer) into this node's HLC.
    static func observeClock(_ db: Database, milliseconds: Int64) throws {
        let last = try Int64.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = 'hlc'") ?? 0
        let seen = HLC(milliseconds: milliseconds, counter: 0).rawValue
        if seen > last {
            try db.execute(sql: "UPDATE node_meta SET value = ? WHERE key = 'hlc'", arguments: [String(seen)])
        }
    }

    /// Applies a page pulled from the parent and moves the cursor in the same transaction.
    public func receivePulled(_ changes: [Change], from parent: String, cursor: Int64) throws -> ReceiveReport {
        try store.receive(
            changes, sender: nil, source: "pull from \(parent)",
            scope: Scope(node: store.node, registry: store.registry)
        ) { db, _ in
            try Self.update(db) { $0.pullCursor = cursor }
        }
    }

    // MARK: - Evidence files

    /// Files of this node's subtree that are here and that the parent has not confirmed: what a
    /// round uploads, what a bundle carries, what `status` and the child's report count.
    public func filesToUpload() throws -> [(sha256: String, size: Int64)] {
        let queued = try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT q.sha256, f.size FROM upload_queue q JOIN local_file f ON f.sha256 = q.sha256
                    ORDER BY q.sha256
                    """
            ).map { (sha256: $0["sha256"] as String, size: $0["size"] as Int64) }
        }
        let subtree = store.subtree
        var out: [(sha256: String, size: Int64)] = []
        var stale: [String] = []
        for file in queued {
            if !store.files.contains(file.sha256) {
                try db.write { db in try FileQueues.vanished(db, sha256: file.sha256) }
            } else if try evidenceOwners(sha256: file.sha256).contains(where: subtree.contains) {
                out.append(file)
            } else {
                stale.append(file.sha256)
            }
        }
        if !stale.isEmpty {
            try db.write { db in
                for sha in stale { try db.execute(sql: "DELETE FROM upload_queue WHERE sha256 = ?", arguments: [sha]) }
            }
        }
        return out
    }

    /// Every file of this node's subtree that is here, confirmed by the parent or not.
    public func filesOfSubtree() throws -> [(sha256: String, size: Int64)] {
        let owners = Array(store.subtree)
        return try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT f.sha256 AS sha256, f.size AS size
                    FROM record_state e JOIN local_file f ON f.sha256 = e.sha256
                    WHERE e.record_type = 'evidence' AND e.owner IN (\(databaseQuestionMarks(count: owners.count))) ORDER BY f.sha256
                    """, arguments: StatementArguments(owners)
            ).map { (sha256: $0["sha256"] as String, size: $0["size"] as Int64) }
        }
    }

    /// The parent holds the whole file.
    public func markUploaded(_ sha256: String) throws {
        try db.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO uploaded_file(sha256) VALUES (?)", arguments: [sha256])
            try db.execute(sql: "DELETE FROM upload_queue WHERE sha256 = ?", arguments: [sha256])
        }
    }

    /// Files that evidence records here name but that are not here: what a round downloads and a
    /// bundle import takes. A file found on disk after all is recorded and left out.
    public func missingFiles() throws -> [(sha256: String, size: Int64)] {
        let queued = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT sha256, size FROM download_queue ORDER BY sha256").map {
                (sha256: $0["sha256"] as String, size: $0["size"] as Int64)
            }
        }
        var out: [(sha256: String, size: Int64)] = []
        var stale: [String] = []
        for file in queued {
            if store.files.contains(file.sha256) {
                try noteStored(file.sha256, size: store.files.size(of: file.sha256) ?? file.size)
            } else if try evidenceOwners(sha256: file.sha256).isEmpty {
                stale.append(file.sha256)
            } else {
                out.append(file)
            }
        }
        if !stale.isEmpty {
            try db.write { db in
                for sha in stale {
                    try db.execute(sql: "DELETE FROM download_queue WHERE sha256 = ?", arguments: [sha])
                }
            }
        }
        return out
    }

    /// Checks the next `limit` files the database holds for present against the disk (a rolling
    /// check: every round and `status` look at the next slice, so a file lost behind zisync's back
    /// is wanted again within a few rounds, at a bounded cost each time). Answers how many were gone.
    @discardableResult
    public func checkStoredFiles(limit: Int = 2000) throws -> Int {
        let cursor = try db.read { db in
            try Int64.fetchOne(db, sql: "SELECT file_check_cursor FROM sync_state WHERE id = 1") ?? 0
        }
        let slice = try db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT rowid AS n, sha256 FROM local_file WHERE rowid > ? ORDER BY rowid LIMIT ?",
                arguments: [cursor, limit]
            ).map { ($0["n"] as Int64, $0["sha256"] as String) }
        }
        let gone = slice.filter { !store.files.contains($0.1) }.map(\.1)
        let next = slice.count < limit ? 0 : slice.last?.0 ?? 0
        try db.write { db in
            for sha in gone { try FileQueues.vanished(db, sha256: sha) }
            try db.execute(sql: "UPDATE sync_state SET file_check_cursor = ? WHERE id = 1", arguments: [next])
        }
        return gone.count
    }

    /// How many files records here name that are not here (without checking the disk again).
    public func missingFileCount() throws -> Int {
        try db.read {
            try Int.fetchOne(
                $0,
                sql: """
                    SELECT COUNT(*) FROM download_queue q
                    WHERE EXISTS (SELECT 1 FROM record_state e WHERE e.sha256 = q.sha256)
                    """) ?? 0
        }
    }

    /// Records a file that is in the file store.
    public func noteStored(_ sha256: String, size: Int64) throws {
        let subtree = store.subtree
        let hasParent = store.parent != nil
        try db.write { db in
            try FileQueues.stored(db, sha256: sha256, size: size, subtree: subtree, hasParent: hasParent)
        }
    }

    /// The owners of evidence records (deleted ones included) that name a file: who may send or
    /// fetch it.
    public func evidenceOwners(sha256: String) throws -> Set<String> {
        try db.read { db in
            Set(try String.fetchAll(db, sql: "SELECT owner FROM record_state WHERE sha256 = ?", arguments: [sha256]))
        }
    }

    /// The file name a bukti dukung record gives a stored file, for messages.
    public func evidenceFileName(sha256: String) throws -> String? {
        guard
            let id = try db.read({ db in
                try String.fetchOne(
                    db, sql: "SELECT record_id FROM record_state WHERE sha256 = ? LIMIT 1", arguments: [sha256])
            })
        else { return nil }
        return try store.records.get(id)?.string("file_name")
    }

    // MARK: - Children (on a parent)

    /// Applies a child's push (or a bundle from below) and records when it was seen, in one
    /// transaction. `maxClockAhead`: how far (ms) a change's clock may run ahead of this node's;
    /// later ones wait.
    public func receiveFromBelow(
        _ changes: [Change], sender: String, source: String, at now: Int64, maxClockAhead: Int64,
        recordChild: Bool
    ) throws -> ReceiveReport {
        let notAfter = HLC(milliseconds: now + maxClockAhead, counter: 0xFFFF)
        return try store.receive(changes, sender: sender, source: source, scope: nil, notAfter: notAfter) {
            db, report in
            guard recordChild else { return }
            try db.execute(
                sql: """
                    INSERT INTO child_seen(satker, last_seen, last_push, pushed, refused) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, last_push = excluded.last_push,
                        pushed = pushed + excluded.pushed, refused = refused + excluded.refused
                    """, arguments: [sender, now, now, report.applied, report.refused.count])
            if let refusal = Refusal.summary(report.refused) {
                try db.execute(
                    sql: "UPDATE child_seen SET last_refusal = ?, last_refusal_at = ? WHERE satker = ?",
                    arguments: [refusal, now, sender])
            } else {
                try db.execute(
                    sql: "UPDATE child_seen SET last_clean_push = ? WHERE satker = ?", arguments: [now, sender])
            }
        }
    }

    /// Stores what a child reported of itself.
    public func childReported(_ child: String, report: ChildReport, at now: Int64) throws {
        let text = String(decoding: report.encoded(), as: UTF8.self)
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO child_seen(satker, last_seen, report, reported_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, report = excluded.report,
                        reported_at = excluded.reported_at
                    """, arguments: [child, now, text, now])
        }
    }

    public func childPulled(_ child: String, at now: Int64) throws {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO child_seen(satker, last_seen, last_pull) VALUES (?, ?, ?)
                    ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, last_pull = excluded.last_pull
                    """, arguments: [child, now, now])
        }
    }

    public func children() throws -> [ChildSeen] {
        try db.read { db in try ChildSeen.fetchAll(db, sql: "SELECT * FROM child_seen ORDER BY satker") }
    }
}
