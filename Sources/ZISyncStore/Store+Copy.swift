import Foundation
import GRDB

extension Store {
    /// Makes a copy of another node's database (taken while no store has it open) KPU RI's: its
    /// satker becomes `00`, nothing is acknowledged by a parent and nothing pulled. For the
    /// national bench, whose KPU RI starts from a province's history.
    package static func adoptAsKPURI(databaseAt path: String) throws {
        let db = try DatabaseQueue(path: path)
        try db.write { try NodeMetaRow.becomeKPURI($0) }
        try db.write { db in
            try ParentAckRow.deleteAll(db)
            try SyncState.resetPullCursor(db)
        }
        try db.close()
    }
}
