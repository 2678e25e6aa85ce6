import Foundation
import GRDB
import ZISyncCore

/// Per-type columns of the materialized records (plan_index, evidence_index, review_index),
/// written in the transaction that writes `record_state`, so that lists, the roll-up and file
/// transfers query indexed columns instead of decoding every record.
enum RecordIndexes {
    static func write(_ db: Database, _ rec: StoredRecord, subtree: Set<String>, hasParent: Bool) throws {
        switch rec.type {
        case RecordType.actionPlan.rawValue:
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO plan_index(record_id, owner, area, status, deadline, updated, deleted)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                rec.id, rec.owner, rec.string("area"), rec.string("status"), rec.string("deadline"),
                rec.updated.rawValue, rec.isDeleted,
            ])
        case RecordType.evidence.rawValue:
            let sha = rec.string("sha256").flatMap { Validation.isSHA256Hex($0) ? $0 : nil }
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO evidence_index(record_id, owner, plan, sha256, size, updated, deleted)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                rec.id, rec.owner, rec.string("plan"), sha, rec["size"].intValue, rec.updated.rawValue, rec.isDeleted,
            ])
            if let sha {
                try FileQueues.named(
                    db, sha256: sha, size: max(0, rec["size"].intValue ?? 0),
                    ownedInSubtree: subtree.contains(rec.owner),
                    hasParent: hasParent)
            }
        case RecordType.review.rawValue:
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO review_index(record_id, owner, subject, verdict, verdict_hlc, deleted)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                rec.id, rec.owner, rec.string("subject"), rec.string("verdict"),
                rec.fields["verdict"]?.hlc.rawValue ?? 0, rec.isDeleted,
            ])
        default:
            break
        }
    }

    /// Fills the indexes and the file tables of an existing node (the migration that adds them).
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
        let rows = try RecordRow.fetchCursor(
            db,
            sql: """
                SELECT \(RecordRow.columns) FROM record_state
                WHERE record_type IN ('action_plan', 'evidence', 'review')
                """)
        while let row = try rows.next() {
            try write(db, try row.record(), subtree: subtree, hasParent: hasParent)
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
                SELECT sha256, MAX(COALESCE(size, 0)) FROM evidence_index WHERE sha256 = ? GROUP BY sha256
                """, arguments: [sha256])
    }

    /// A file entered the file store.
    static func stored(_ db: Database, sha256: String, size: Int64, subtree: Set<String>, hasParent: Bool) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO local_file(sha256, size) VALUES (?, ?)", arguments: [sha256, size])
        try db.execute(sql: "DELETE FROM download_queue WHERE sha256 = ?", arguments: [sha256])
        guard hasParent else { return }
        let owners = try String.fetchAll(
            db, sql: "SELECT owner FROM evidence_index WHERE sha256 = ?", arguments: [sha256])
        if owners.contains(where: subtree.contains) {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO upload_queue(sha256)
                    SELECT ? WHERE NOT EXISTS (SELECT 1 FROM uploaded_file WHERE sha256 = ?)
                    """, arguments: [sha256, sha256])
        }
    }
}
