import Foundation
import GRDB

extension Migration {
    static let v12OwnerDigests = Migration(name: "v12-owner-digests-plan-list") { db, _ in
        try db.execute(
            sql: """
                -- Each office's digest, kept as its records change: how many records it owns here
                -- and the sum (mod 2^256, 32 bytes big-endian) of their hashes (RecordDigest).
                CREATE TABLE owner_digest(
                    owner TEXT PRIMARY KEY, records INTEGER NOT NULL, sum BLOB NOT NULL) WITHOUT ROWID;

                -- Lists of plans in their order (RecordRow.plans) without sorting them first: a
                -- sort of 300,000 plans spilled to temporary files.
                CREATE INDEX record_state_plan_list ON record_state(owner, COALESCE(area, ''), updated, record_id)
                    WHERE record_type = 'action_plan' AND deleted = 0;
                """)
        try OwnerDigestRow.replaceAll(db, try OwnerDigestDeltas.recomputed(db))
    }
}
