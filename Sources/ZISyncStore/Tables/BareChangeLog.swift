import Foundation
import GRDB
import ZISyncCore

/// A bare SQLite table shaped as `change_log` (the same columns and index, WAL, synchronous=FULL)
/// written by one cached insert per row, nothing else: the apply bench's baseline for what storing
/// a change costs without the apply path (zisync-bench).
package struct BareChangeLog {
    let pool: DatabasePool

    /// Creates the database at `path` with its one table.
    package init(path: String) throws {
        var config = Configuration()
        config.prepareDatabase { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE change_log(local_seq INTEGER PRIMARY KEY AUTOINCREMENT, origin TEXT NOT NULL,
                      seq INTEGER NOT NULL, hlc INTEGER NOT NULL, record_type TEXT NOT NULL, record_id TEXT NOT NULL,
                      owner TEXT NOT NULL, actor TEXT NOT NULL, fields TEXT NOT NULL, base TEXT NOT NULL, prev_hash TEXT,
                      hash TEXT NOT NULL, status TEXT NOT NULL, received_at INTEGER NOT NULL, key_id TEXT, signature TEXT,
                      UNIQUE(origin, seq));
                    CREATE INDEX change_log_record ON change_log(record_id);
                    """)
        }
    }

    /// Inserts a batch of changes in one transaction.
    package func insert(_ batch: ArraySlice<Change>) throws {
        try pool.write { db in
            let stmt = try db.cachedStatement(
                sql: """
                    INSERT INTO change_log(origin, seq, hlc, record_type, record_id, owner, actor, fields, base,
                      prev_hash, hash, status, received_at, key_id, signature)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'applied', 0, ?, ?)
                    """)
            for c in batch {
                try stmt.execute(arguments: [
                    c.origin, c.seq, c.hlc.rawValue, c.recordType, c.recordID, c.owner, c.actor, c.fieldsJSON,
                    c.baseJSON, c.prev, c.hash, c.signature?.keyID, c.signature?.value,
                ])
            }
        }
    }
}
