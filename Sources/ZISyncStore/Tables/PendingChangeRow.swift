import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

/// A row of `pending_change`: a change held until its turn (a gap before it, or its clock).
struct PendingRow: FetchableRecord, TableRecord {
    static let databaseTableName = "pending_change"
    var origin: String
    var seq: Int64
    var body: String
    var sender: String?

    init(row: Row) {
        origin = row["origin"]
        seq = row["seq"]
        body = row["body"]
        sender = row["sender"]
    }

    func change() throws -> Change { try ChangeDecoder.change(from: Array(body.utf8)) }
}
