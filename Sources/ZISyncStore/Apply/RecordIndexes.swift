import Foundation
import GRDB
import Synchronization
import ZISyncCore

/// Writes a materialized record: its state, and the per-type columns that queries filter and
/// group by (`updated`; a plan's area, status and deadline; evidence's plan, file and size; a
/// review's subject and verdict), in one statement, so the columns can never disagree with the
/// state. An evidence record also tells the file queues that it names its file.
enum RecordIndexes {
    static let names = [
        "updated", "area", "status", "deadline", "plan", "sha256", "size", "subject", "verdict", "verdict_hlc",
    ]

    /// Writes `rec`; `stored` is the record as the database holds it now (nil: a new record).
    /// An existing record's row is updated in place and only in the columns whose value changed,
    /// so an edit that leaves a plan's area, status and deadline alone touches no index.
    /// Evidence carries its plan's area (`-` for a plan without one) while that plan is a live
    /// plan of the same office, NULL otherwise: what the roll-up counts it under. Callers write a
    /// batch's plans before its evidence.
    /// Returns true when the record is a plan whose evidence must take its area again
    /// (`evidenceOf`, once for a batch's plans).
    @discardableResult
    static func store(
        _ db: Database, _ rec: StoredRecord, stored: StoredRecord?, subtree: Set<String>, hasParent: Bool
    ) throws -> Bool {
        var c = columns(rec)
        let isEvidence = rec.type == RecordType.evidence.rawValue
        if isEvidence { c[1] = try planArea(db, plan: c[4] as? String, owner: rec.owner) }
        let state = RecordStateCodec.encode(rec.fields)
        if let stored {
            var before = columns(stored)
            if isEvidence {
                before[1] = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT area FROM record_state WHERE record_id = ?"), arguments: [rec.id])
            }
            var sets = ["state = ?"]
            var values: [(any DatabaseValueConvertible)?] = [state]
            if rec.isDeleted != stored.isDeleted {
                sets.append("deleted = ?")
                values.append(rec.isDeleted)
            }
            for (i, name) in names.enumerated() where c[i]?.databaseValue != before[i]?.databaseValue {
                sets.append("\(name) = ?")
                values.append(c[i])
            }
            try db.cachedStatement(sql: updateSQL(sets)).execute(arguments: StatementArguments(values + [rec.id]))
            if c[5]?.databaseValue != before[5]?.databaseValue {
                try named(db, rec, c, subtree: subtree, hasParent: hasParent)
            }
            return rec.type == RecordType.actionPlan.rawValue
                && (rec.isDeleted != stored.isDeleted || c[1]?.databaseValue != before[1]?.databaseValue)
        } else {
            // Only the type's own columns: fewer values to bind.
            let (sql, used) = insertSQL(rec.type)
            let values: [(any DatabaseValueConvertible)?] =
                [rec.id, rec.type, rec.owner, rec.isDeleted, state] + used.map { c[$0] }
            try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(values))
            try named(db, rec, c, subtree: subtree, hasParent: hasParent)
            // Evidence may have arrived before its plan (another office's change, relayed first).
            return rec.type == RecordType.actionPlan.rawValue
        }
    }

    /// The area evidence of `owner` linked to `plan` counts under: the plan's (`-` without one),
    /// while it is a live plan of the same office.
    static func planArea(_ db: Database, plan: String?, owner: String) throws -> String? {
        guard let plan,
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT area, owner, deleted FROM record_state WHERE record_id = ? AND record_type = 'action_plan'"
                ),
                arguments: [plan]),
            row["owner"] as String == owner, row["deleted"] as Bool == false
        else { return nil }
        return (row["area"] as String?) ?? "-"
    }

    /// Gives the evidence of these plans their plan's area again (after a plan arrived, changed
    /// area, or was deleted or restored): one statement for a batch, probing the plan index.
    static func evidenceOf(_ db: Database, plans: [String]) throws {
        for start in stride(from: 0, to: plans.count, by: 5000) {
            let ids = Array(plans[start..<min(start + 5000, plans.count)])
            try db.execute(
                sql: """
                    UPDATE record_state SET area = (
                        SELECT CASE WHEN p.deleted = 0 AND p.owner = record_state.owner THEN COALESCE(p.area, '-') END
                        FROM record_state p WHERE p.record_id = record_state.plan AND p.record_type = 'action_plan')
                    WHERE plan IN (\(databaseQuestionMarks(count: ids.count))) AND record_type = 'evidence'
                    """, arguments: StatementArguments(ids))
        }
    }

    /// An evidence record tells the file queues that it names its file.
    static func named(
        _ db: Database, _ rec: StoredRecord, _ c: [(any DatabaseValueConvertible)?], subtree: Set<String>,
        hasParent: Bool
    ) throws {
        guard rec.type == RecordType.evidence.rawValue, let sha = c[5] as? String else { return }
        try FileQueues.named(
            db, sha256: sha, size: max(0, rec["size"].intValue ?? 0), ownedInSubtree: subtree.contains(rec.owner),
            hasParent: hasParent)
    }

    /// The columns of `names` each type writes, and its insert statement.
    static let insertSQLs: [String: (String, [Int])] = {
        var out: [String: (String, [Int])] = [:]
        let used: [String: [Int]] = [
            RecordType.actionPlan.rawValue: [0, 1, 2, 3], RecordType.evidence.rawValue: [0, 1, 4, 5, 6],
            RecordType.review.rawValue: [0, 7, 8, 9],
        ]
        for type in RecordType.allCases.map(\.rawValue) {
            let columns = used[type] ?? [0]
            out[type] = (
                """
                INSERT INTO record_state(record_id, record_type, owner, deleted, state, \(columns.map { names[$0] }.joined(separator: ", ")))
                VALUES (?, ?, ?, ?, ?, \(databaseQuestionMarks(count: columns.count)))
                """, columns
            )
        }
        return out
    }()

    static func insertSQL(_ type: String) -> (String, [Int]) { insertSQLs[type] ?? insertSQLs["monev"]! }

    /// `UPDATE record_state SET a = ?, b = ? WHERE record_id = ?`, made once per set of columns.
    static func updateSQL(_ sets: [String]) -> String {
        let key = sets.joined(separator: ", ")
        return updateCache.withLock { cache in
            if let sql = cache[key] { return sql }
            let sql = "UPDATE record_state SET \(key) WHERE record_id = ?"
            cache[key] = sql
            return sql
        }
    }

    static let updateCache = Mutex<[String: String]>([:])

    /// updated, area, status, deadline, plan, sha256, size, subject, verdict, verdict_hlc.
    static func columns(_ rec: StoredRecord) -> [(any DatabaseValueConvertible)?] {
        var c: [(any DatabaseValueConvertible)?] = [rec.updated.rawValue] + Array(repeating: nil, count: 9)
        switch rec.type {
        case RecordType.actionPlan.rawValue:
            (c[1], c[2], c[3]) = (rec.string("area"), rec.string("status"), rec.string("deadline"))
        case RecordType.evidence.rawValue:
            c[4] = rec.string("plan")
            c[5] = rec.string("sha256").flatMap { Validation.isSHA256Hex($0) ? $0 : nil }
            c[6] = rec["size"].intValue
        case RecordType.review.rawValue:
            (c[7], c[8], c[9]) = (
                rec.string("subject"), rec.string("verdict"), rec.fields["verdict"]?.hlc.rawValue ?? 0
            )
        default:
            break
        }
        return c
    }

    /// Fills the columns and the file tables of an existing node (the migration that adds them).
    static func rebuild(_ db: Database, filesRoot: URL) throws {
        guard let node = try String.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = 'satker'") else {
            return  // a new database: nothing stored yet
        }
        let registry = try ReferenceIndex.registry(db)
        let subtree = registry.subtree(of: node)
        let hasParent = registry[node]?.parent != nil
        for (sha, size) in FileStore.listStored(root: filesRoot) {
            try db.execute(
                sql: "INSERT OR REPLACE INTO local_file(sha256, size) VALUES (?, ?)", arguments: [sha, size])
        }
        let rows = try RecordRow.fetchAll(
            db, sql: "SELECT \(RecordRow.columns) FROM record_state ORDER BY record_type = 'evidence'")
        for row in rows {
            let rec = try row.record()
            var c = columns(rec)
            if rec.type == RecordType.evidence.rawValue {
                c[1] = try planArea(db, plan: c[4] as? String, owner: rec.owner)
            }
            try db.execute(
                sql: "UPDATE record_state SET \(names.map { "\($0) = ?" }.joined(separator: ", ")) WHERE record_id = ?",
                arguments: StatementArguments(c + [rec.id]))
            try named(db, rec, c, subtree: subtree, hasParent: hasParent)
        }
    }
}

/// The evidence files of a node as the database knows them: `local_file` (in the file store),
/// `download_queue` (named by a record here, not here yet) and `upload_queue` (of this node's
/// subtree, not confirmed by the parent). Entries are checked again when taken from a queue, so
/// a record that stopped naming a file, or a file that went missing, only costs that check.
enum FileQueues {
    /// An evidence record here names `sha256`.
    static func named(_ db: Database, sha256: String, size: Int64, ownedInSubtree: Bool, hasParent: Bool) throws {
        let present =
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM local_file WHERE sha256 = ?"), arguments: [sha256]) ?? false
        if present {
            guard hasParent, ownedInSubtree else { return }
            try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO upload_queue(sha256)
                    SELECT ? WHERE NOT EXISTS (SELECT 1 FROM uploaded_file WHERE sha256 = ?)
                    """
            ).execute(arguments: [sha256, sha256])
        } else {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO download_queue(sha256, size) VALUES (?, ?)")
                .execute(arguments: [sha256, size])
        }
    }

    /// A file the database held for present is not in the file store (a disk replaced, a folder
    /// deleted): it is wanted again if a record names it.
    static func vanished(_ db: Database, sha256: String) throws {
        try db.execute(sql: "DELETE FROM local_file WHERE sha256 = ?", arguments: [sha256])
        try db.execute(sql: "DELETE FROM upload_queue WHERE sha256 = ?", arguments: [sha256])
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO download_queue(sha256, size)
                SELECT sha256, MAX(COALESCE(size, 0)) FROM record_state WHERE sha256 = ? GROUP BY sha256
                """, arguments: [sha256])
    }

    /// A file entered the file store.
    static func stored(_ db: Database, sha256: String, size: Int64, subtree: Set<String>, hasParent: Bool) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO local_file(sha256, size) VALUES (?, ?)", arguments: [sha256, size])
        try db.execute(sql: "DELETE FROM download_queue WHERE sha256 = ?", arguments: [sha256])
        guard hasParent else { return }
        let owners = try String.fetchAll(
            db, sql: "SELECT owner FROM record_state WHERE sha256 = ?", arguments: [sha256])
        if owners.contains(where: subtree.contains) {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO upload_queue(sha256)
                    SELECT ? WHERE NOT EXISTS (SELECT 1 FROM uploaded_file WHERE sha256 = ?)
                    """, arguments: [sha256, sha256])
        }
    }
}
