import Foundation
import GRDB

extension Migration {
    static let v13PortalRB = Migration(name: "v13-portalrb") { db, _ in
        try db.execute(
            sql: """
                -- PortalRB's integration API at KPU RI (docs/operations.md): the bearer tokens KPU RI's
                -- operator made, each kept only as the SHA-256 of the token (a stolen database file
                -- holds no usable token), local to this node and never replicated.
                CREATE TABLE portalrb_token(
                    name TEXT PRIMARY KEY NOT NULL, token_hash TEXT NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL, revoked_at INTEGER) WITHOUT ROWID;
                -- Every request PortalRB made: which token, route and unit, the answer's status and
                -- size, when. Never the token itself.
                CREATE TABLE portalrb_fetch(
                    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, token TEXT NOT NULL, route TEXT NOT NULL,
                    unit TEXT, status INTEGER NOT NULL, bytes INTEGER NOT NULL);
                CREATE INDEX portalrb_fetch_unit ON portalrb_fetch(unit, at);
                -- Evidence links for PortalRB's evaluators: the key their capabilities are derived
                -- from (made once, never leaves this node), and each unit and cycle's generation,
                -- raised to revoke the links out.
                CREATE TABLE portalrb_link_key(id INTEGER PRIMARY KEY CHECK (id = 1), key BLOB NOT NULL);
                CREATE TABLE portalrb_link(
                    satker TEXT NOT NULL, cycle INTEGER NOT NULL, generation INTEGER NOT NULL,
                    PRIMARY KEY (satker, cycle)) WITHOUT ROWID;
                """)
    }
}
