import Foundation
import GRDB

extension Migration {
    static let v10WebAccounts = Migration(name: "v10-web-accounts") { db, _ in
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
}
