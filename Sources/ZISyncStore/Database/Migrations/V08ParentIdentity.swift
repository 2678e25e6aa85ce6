import Foundation
import GRDB

extension Migration {
    static let v08ParentIdentity = Migration(name: "v8-parent-identity") { db, _ in
        try db.execute(
            sql: """
                -- This database's identity, in every pull answer: a child's cursor belongs to it.
                -- `zisync restore` gives a restored database a new one.
                INSERT OR IGNORE INTO node_meta(key, value) VALUES ('database', lower(hex(randomblob(16))));
                ALTER TABLE sync_state ADD COLUMN parent_database TEXT;
                """)
    }
}
