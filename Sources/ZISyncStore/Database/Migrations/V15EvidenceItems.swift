import Foundation
import GRDB

extension Migration {
    static let v15EvidenceItems = Migration(name: "v15-evidence-items") { db, _ in
        try db.execute(
            sql: """
                -- The LKE items a bukti dukung supports (its `lke` field), written by the statement
                -- that writes the record: PortalRB's answers and the workbook read a unit's linked
                -- bukti by this index instead of decoding each of its thousands of evidence records.
                ALTER TABLE record_state ADD COLUMN lke TEXT;            -- evidence
                CREATE INDEX record_state_lke ON record_state(owner) WHERE lke IS NOT NULL;
                """)
        try RecordIndexes.fillLKE(db)
    }
}
