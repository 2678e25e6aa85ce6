import Foundation
import GRDB

/// Versioned migrations of the node database. Never edit a shipped migration; add one.
enum Schema {
    static func migrator(filesRoot: URL) -> DatabaseMigrator {
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
        m.registerMigration("v5-sync-state") { db in
            // The sync state as typed columns (it was string keys in node_meta, written in one
            // module and read back in another). One row.
            try db.execute(
                sql: """
                    CREATE TABLE sync_state(
                        id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                        pull_cursor INTEGER NOT NULL DEFAULT 0,
                        last_push_ok INTEGER, last_pull_ok INTEGER, last_sync_ok INTEGER,
                        problem_cause TEXT, problem_message TEXT, problem_advice TEXT, problem_at INTEGER,
                        clock_skew_ms INTEGER, clock_offset_ms INTEGER,
                        held_by_parent TEXT, refused_by_parent INTEGER NOT NULL DEFAULT 0, last_refusal TEXT,
                        file_check_cursor INTEGER NOT NULL DEFAULT 0);
                    INSERT INTO sync_state(id) VALUES (1);
                    UPDATE sync_state SET
                        pull_cursor = COALESCE((SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'pull_cursor'), 0),
                        last_push_ok = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'last_push_ok'),
                        last_pull_ok = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'last_pull_ok'),
                        last_sync_ok = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'last_sync_ok'),
                        problem_cause = (SELECT value FROM node_meta WHERE key = 'last_error_cause'),
                        problem_message = (SELECT value FROM node_meta WHERE key = 'last_error'),
                        problem_advice = (SELECT value FROM node_meta WHERE key = 'last_error_advice'),
                        problem_at = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'last_error_at'),
                        clock_skew_ms = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'clock_skew_ms'),
                        clock_offset_ms = (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'clock_offset_ms'),
                        held_by_parent = (SELECT value FROM node_meta WHERE key = 'held_by_parent'),
                        refused_by_parent = COALESCE(
                            (SELECT CAST(value AS INTEGER) FROM node_meta WHERE key = 'refused_by_parent'), 0),
                        last_refusal = (SELECT value FROM node_meta WHERE key = 'last_refusal');
                    DELETE FROM node_meta WHERE key NOT IN ('satker', 'hlc');
                    """)
        }
        m.registerMigration("v6-queries") { db in
            try db.execute(
                sql: """
                    -- Per-type columns of the materialized records that lists, the roll-up and
                    -- file transfers filter and group by, written by the same statement that
                    -- writes the record's state (so they cannot disagree with it). Partial indexes
                    -- cost nothing on the rows they do not cover.
                    ALTER TABLE record_state ADD COLUMN updated INTEGER;     -- the latest write (HLC)
                    ALTER TABLE record_state ADD COLUMN area TEXT;           -- plan; evidence: its plan's
                    ALTER TABLE record_state ADD COLUMN status TEXT;         -- plan
                    ALTER TABLE record_state ADD COLUMN deadline TEXT;       -- plan
                    ALTER TABLE record_state ADD COLUMN plan TEXT;           -- evidence
                    ALTER TABLE record_state ADD COLUMN sha256 TEXT;         -- evidence
                    ALTER TABLE record_state ADD COLUMN size INTEGER;        -- evidence
                    ALTER TABLE record_state ADD COLUMN subject TEXT;        -- review
                    ALTER TABLE record_state ADD COLUMN verdict TEXT;        -- review
                    ALTER TABLE record_state ADD COLUMN verdict_hlc INTEGER; -- review
                    -- (The roll-up's covering indexes are made on nodes with children: Schema.rollUpIndexes.)
                    CREATE INDEX record_state_plan ON record_state(plan) WHERE plan IS NOT NULL;
                    CREATE INDEX record_state_sha256 ON record_state(sha256) WHERE sha256 IS NOT NULL;
                    CREATE INDEX record_state_subject ON record_state(subject, verdict_hlc) WHERE subject IS NOT NULL;

                    -- Evidence files: those in the file store, those records here name that are not
                    -- here yet, and those of this node's subtree its parent has not confirmed.
                    -- Each round reads the queues, so its cost follows the files to move, not
                    -- the number of records.
                    CREATE TABLE local_file(sha256 TEXT PRIMARY KEY NOT NULL, size INTEGER NOT NULL);
                    CREATE TABLE download_queue(sha256 TEXT PRIMARY KEY NOT NULL, size INTEGER NOT NULL);
                    CREATE TABLE upload_queue(sha256 TEXT PRIMARY KEY NOT NULL);
                    """)
            try RecordIndexes.rebuild(db, filesRoot: filesRoot)
        }
        m.registerMigration("v7-hostile-peers") { db in
            try db.execute(
                sql: """
                    -- Which child sent a file's bytes: it may fetch that file back.
                    CREATE TABLE file_uploader(
                        sha256 TEXT NOT NULL, satker TEXT NOT NULL, PRIMARY KEY (sha256, satker)) WITHOUT ROWID;
                    -- A held change's clock, so that the clock-held ones are found without parsing bodies.
                    ALTER TABLE pending_change ADD COLUMN hlc INTEGER;
                    -- A file that failed on its own (refused, too large, a disk error at the
                    -- parent) waits for its own next attempt; the round goes on without it.
                    CREATE TABLE file_retry(
                        sha256 TEXT NOT NULL, direction TEXT NOT NULL, failures INTEGER NOT NULL,
                        retry_at INTEGER NOT NULL, problem TEXT NOT NULL, PRIMARY KEY (sha256, direction)) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v8-parent-identity") { db in
            try db.execute(
                sql: """
                    -- This database's identity, in every pull answer: a child's cursor belongs to it.
                    -- `zisync restore` gives a restored database a new one.
                    INSERT OR IGNORE INTO node_meta(key, value) VALUES ('database', lower(hex(randomblob(16))));
                    ALTER TABLE sync_state ADD COLUMN parent_database TEXT;
                    """)
        }
        m.registerMigration("v9-authenticity") { db in
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
        m.registerMigration("v10-web-accounts") { db in
            try db.execute(
                sql: """
                    -- Halaman kerja ZI (docs/web.md): the office's people, local to this node and never
                    -- replicated. A password is kept only as its bcrypt hash.
                    CREATE TABLE web_user(
                        name TEXT PRIMARY KEY NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,
                        disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,
                        password_changed_at INTEGER NOT NULL) WITHOUT ROWID;
                    -- Signed-in browsers: the SHA-256 of the cookie's token (a stolen database file holds no
                    -- usable session), the form token of the session, and when it ends.
                    CREATE TABLE web_session(
                        token_hash TEXT PRIMARY KEY NOT NULL, user TEXT NOT NULL REFERENCES web_user(name),
                        csrf TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE INDEX web_session_user ON web_session(user);
                    """)
        }
        return m
    }

    /// Indexes that cover the roll-up's columns, so a province or KPU RI counts its subtree's
    /// plans and evidence from them instead of from the records (evidence carries its plan's area,
    /// RecordIndexes). A kab/kota's roll-up covers its own office only, and its writes do not pay
    /// for them.
    static let rollUpIndexes = [
        "record_state_plans": """
        CREATE INDEX record_state_plans ON record_state(owner, area, status, deadline)
        WHERE record_type = 'action_plan' AND deleted = 0
        """,
        "record_state_evidence": """
        CREATE INDEX record_state_evidence ON record_state(owner, area, sha256)
        WHERE record_type = 'evidence' AND deleted = 0
        """,
    ]

    /// Makes the roll-up indexes when a node has children and lacks them (once, at open).
    static func ensureRollUpIndexes(_ pool: DatabasePool, hasChildren: Bool) throws {
        guard hasChildren else { return }
        let present = try pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'"))
        }
        let missing = rollUpIndexes.filter { !present.contains($0.key) }
        guard !missing.isEmpty else { return }
        try pool.write { db in
            for sql in missing.values { try db.execute(sql: sql) }
        }
    }

    static func hasRollUpIndexes(_ db: Database) throws -> Bool {
        try Int.fetchOne(
            db,
            sql:
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('record_state_plans', 'record_state_evidence')"
        ) == 2
    }
}
