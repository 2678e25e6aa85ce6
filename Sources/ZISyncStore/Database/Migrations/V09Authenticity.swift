import Foundation
import GRDB

extension Migration {
    static let v09Authenticity = Migration(name: "v9-authenticity") { db, _ in
        try db.execute(
            sql: """
                -- Each change's signature by its origin (docs/security.md, "Who wrote a change"):
                -- the key id of the certificate and the raw P-256 signature of the hash, both hex.
                -- Changes stored before this version have none.
                ALTER TABLE change_log ADD COLUMN key_id TEXT;
                ALTER TABLE change_log ADD COLUMN signature TEXT;
                -- The offices' certificates that signed the changes held here, as they travelled
                -- with them: kept, so a change signed before a rotation still verifies.
                CREATE TABLE origin_certificate(
                    key_id TEXT PRIMARY KEY NOT NULL, satker TEXT NOT NULL, serial TEXT NOT NULL,
                    issued_at INTEGER NOT NULL, der BLOB NOT NULL) WITHOUT ROWID;
                CREATE INDEX origin_certificate_satker ON origin_certificate(satker);

                -- Recovery (docs/operations.md, "An office that lost its disk"): why this node must
                -- fetch what its parent holds of its own chain before it writes again, and how far
                -- the fetch has come (a page at a time, so a cut resumes).
                ALTER TABLE sync_state ADD COLUMN recovery TEXT;
                ALTER TABLE sync_state ADD COLUMN restore_cursor INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE sync_state ADD COLUMN restore_database TEXT;
                ALTER TABLE sync_state ADD COLUMN restored_changes INTEGER NOT NULL DEFAULT 0;
                -- This node's own changes that its parent holds differently (written after a
                -- re-install or an old backup): set aside while the parent's chain is fetched,
                -- then written again on top of it, so nothing written here is lost.
                CREATE TABLE forked_change(
                    origin TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, set_aside_at INTEGER NOT NULL,
                    state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'rewritten', 'refused')),
                    reason TEXT, PRIMARY KEY (origin, seq)) WITHOUT ROWID;
                """)
    }
}
