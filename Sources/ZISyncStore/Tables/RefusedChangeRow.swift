import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// A row of `refused_change`: a refusal kept for audit.
struct RefusedRow: FetchableRecord, TableRecord {
    static let databaseTableName = "refused_change"
    var origin: String
    var seq: Int64
    var recordID: String
    var reason: String
    var sender: String?
    var source: String

    init(row: Row) {
        origin = row["origin"]
        seq = row["seq"]
        recordID = row["record_id"]
        reason = row["reason"]
        sender = row["sender"]
        source = row["source"]
    }
}
