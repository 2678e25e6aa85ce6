import Foundation
import GRDB

extension Migration {
    static let v01Initial = Migration(name: "v1") { db, _ in
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
}
