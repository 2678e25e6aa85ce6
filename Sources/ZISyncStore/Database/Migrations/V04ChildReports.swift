import Foundation
import GRDB

extension Migration {
    static let v04ChildReports = Migration(name: "v4-child-reports") { db, _ in
        // What each child last reported of itself (pending work, its last error), and the
        // last refusal this node made of its changes: the children table of `status`.
        try db.execute(
            sql: """
                ALTER TABLE child_seen ADD COLUMN report TEXT;
                ALTER TABLE child_seen ADD COLUMN reported_at INTEGER;
                ALTER TABLE child_seen ADD COLUMN last_refusal TEXT;
                ALTER TABLE child_seen ADD COLUMN last_refusal_at INTEGER;
                ALTER TABLE child_seen ADD COLUMN last_clean_push INTEGER;
                """)
    }
}
