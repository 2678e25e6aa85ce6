import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// A row of `record_state`: one materialized record.
struct RecordRow: FetchableRecord, TableRecord {
    static let databaseTableName = "record_state"
    static let columns = "record_id, record_type, owner, state"

    var recordID: String
    var recordType: String
    var owner: String
    var state: String

    init(row: Row) {
        recordID = row["record_id"]
        recordType = row["record_type"]
        owner = row["owner"]
        state = row["state"]
    }

    func record() throws -> StoredRecord {
        StoredRecord(id: recordID, type: recordType, owner: owner, fields: try RecordStateCodec.decode(state))
    }
}
