import GRDB

/// The evidence records that name a file (`sha256`, the per-type column): who may send or fetch
/// it, with which size, under which name.
extension RecordRow {
    /// The owners of the records naming the file (deleted ones included).
    static func owners(_ db: Database, naming sha256: String) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT owner FROM record_state WHERE sha256 = ?", arguments: [sha256])
    }

    /// Each record naming the file: its owner and the size it gives.
    static func ownersAndSizes(_ db: Database, naming sha256: String) throws -> [(owner: String, size: Int64?)] {
        try Row.fetchAll(db, sql: "SELECT owner, size FROM record_state WHERE sha256 = ?", arguments: [sha256])
            .map { (owner: $0["owner"] as String, size: $0["size"] as Int64?) }
    }

    /// Each record naming the file: its id and owner.
    static func idsAndOwners(_ db: Database, naming sha256: String) throws -> [(id: String, owner: String)] {
        try Row.fetchAll(db, sql: "SELECT record_id, owner FROM record_state WHERE sha256 = ?", arguments: [sha256])
            .map { (id: $0["record_id"] as String, owner: $0["owner"] as String) }
    }

    /// One record naming the file.
    static func firstNaming(_ db: Database, _ sha256: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT record_id FROM record_state WHERE sha256 = ? LIMIT 1", arguments: [sha256])
    }
}
