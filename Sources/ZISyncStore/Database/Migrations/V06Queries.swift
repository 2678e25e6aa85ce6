import Foundation
import GRDB

extension Migration {
    static let v06Queries = Migration(name: "v6-queries") { db, filesRoot in
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
}
