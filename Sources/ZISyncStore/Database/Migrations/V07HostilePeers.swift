import Foundation
import GRDB

extension Migration {
    static let v07HostilePeers = Migration(name: "v7-hostile-peers") { db, _ in
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
}
