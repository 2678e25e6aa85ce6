import Foundation
import GRDB

extension Migration {
    static let v03Children = Migration(name: "v3-children") { db, _ in
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
}
