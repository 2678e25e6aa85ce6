import Foundation
import GRDB

extension Migration {
    static let v11WaitingChanges = Migration(name: "v11-waiting-changes") { db, _ in
        try db.execute(
            sql: """
                -- A change stored in the log (status 'refused', so not merged nor served as applied)
                -- only because a record it names is not here yet: a review before its subject,
                -- evidence before its plan. When `awaits` arrives, the change is checked again.
                -- `awaits` may be the change's own record: a later change of a record that waits.
                CREATE TABLE waiting_change(
                    origin TEXT NOT NULL, seq INTEGER NOT NULL, record_id TEXT NOT NULL, awaits TEXT NOT NULL,
                    reason TEXT NOT NULL, sender TEXT, source TEXT NOT NULL, since INTEGER NOT NULL,
                    PRIMARY KEY (origin, seq)) WITHOUT ROWID;
                CREATE INDEX waiting_change_awaits ON waiting_change(awaits);
                CREATE INDEX waiting_change_record ON waiting_change(record_id);
                """)
    }
}
