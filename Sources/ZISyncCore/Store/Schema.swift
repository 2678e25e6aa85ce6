import GRDB

/// Versioned migrations of the node database. Never edit a shipped migration; add one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE node_meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);

                    -- Append-only log of every change this node holds, applied or refused.
                    -- local_seq is the arrival order here (the cursor children pull by).
                    CREATE TABLE change_log(
                        local_seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        origin TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        hlc INTEGER NOT NULL,
                        record_type TEXT NOT NULL,
                        record_id TEXT NOT NULL,
                        owner TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        fields TEXT NOT NULL,
                        base TEXT NOT NULL,
                        prev_hash TEXT,
                        hash TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('applied', 'refused')),
                        received_at INTEGER NOT NULL,
                        UNIQUE(origin, seq));
                    CREATE INDEX change_log_record ON change_log(record_id);

                    -- Tip of each origin's chain as held here.
                    CREATE TABLE origin_head(
                        origin TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL);

                    -- Changes that arrived ahead of a gap in their origin's chain.
                    CREATE TABLE pending_change(
                        origin TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, sender TEXT,
                        received_at INTEGER NOT NULL, PRIMARY KEY(origin, seq));

                    -- Every refusal, for audit: changes outside the chain (bad hash, forged origin)
                    -- and changes in the chain that their origin was not allowed to make.
                    CREATE TABLE refused_change(
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        origin TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL,
                        record_type TEXT NOT NULL, record_id TEXT NOT NULL, owner TEXT NOT NULL,
                        body TEXT NOT NULL, reason TEXT NOT NULL, sender TEXT, source TEXT NOT NULL,
                        refused_at INTEGER NOT NULL);

                    -- Materialized records: per-field LWW winners with their versions.
                    CREATE TABLE record_state(
                        record_id TEXT PRIMARY KEY NOT NULL,
                        record_type TEXT NOT NULL,
                        owner TEXT NOT NULL,
                        deleted INTEGER NOT NULL DEFAULT 0,
                        state TEXT NOT NULL);
                    CREATE INDEX record_state_type_owner ON record_state(record_type, owner);

                    CREATE TABLE open_conflict(
                        record_id TEXT NOT NULL, field TEXT NOT NULL, PRIMARY KEY(record_id, field));
                    """)
        }
        m.registerMigration("v2-parent-ack") { db in
            // What the parent is known to hold of each origin's chain (from a sync or a bundle
            // receipt): export sends only what lies beyond it.
            try db.execute(
                sql: "CREATE TABLE parent_ack(origin TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL)")
        }
        m.registerMigration("v3-children") { db in
            // When each child last pushed or pulled, and what it sent.
            try db.execute(
                sql: """
                    CREATE TABLE child_seen(
                        satker TEXT PRIMARY KEY NOT NULL, last_seen INTEGER NOT NULL, last_push INTEGER,
                        last_pull INTEGER, pushed INTEGER NOT NULL DEFAULT 0, refused INTEGER NOT NULL DEFAULT 0);
                    -- Evidence files the parent confirmed it holds completely.
                    CREATE TABLE uploaded_file(sha256 TEXT PRIMARY KEY NOT NULL);
                    """)
        }
        m.registerMigration("v4-child-reports") { db in
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
        return m
    }
}
