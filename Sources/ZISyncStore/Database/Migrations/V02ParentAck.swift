import Foundation
import GRDB

extension Migration {
    static let v02ParentAck = Migration(name: "v2-parent-ack") { db, _ in
        // What the parent is known to hold of each origin's chain (from a sync or a bundle
        // receipt): export sends only what lies beyond it.
        try db.execute(
            sql: "CREATE TABLE parent_ack(origin TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL)")
    }
}
