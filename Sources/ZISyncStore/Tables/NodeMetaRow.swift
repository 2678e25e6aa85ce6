import GRDB

/// A row of `node_meta`: one of the node's own facts by key (`satker`, the HLC it last issued
/// as `hlc`, the database's identity as `database`). Its reads and writes.
struct NodeMetaRow: FetchableRecord, TableRecord {
    static let databaseTableName = "node_meta"
    var key: String
    var value: String

    init(row: Row) {
        key = row["key"]
        value = row["value"]
    }

    /// A new node's identity and a clock that has issued nothing yet.
    static func create(_ db: Database, satker: String) throws {
        try db.execute(sql: "INSERT INTO node_meta(key, value) VALUES ('satker', ?)", arguments: [satker])
        try db.execute(sql: "INSERT INTO node_meta(key, value) VALUES ('hlc', '0')")
    }

    /// The node's satker code (nil in a database not made by `Store.initialize`).
    static func satker(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = 'satker'")
    }

    /// The last HLC this node issued or observed (its raw value).
    static func hlc(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = 'hlc'")
    }

    static func setHLC(_ db: Database, _ raw: Int64) throws {
        try db.execute(sql: "UPDATE node_meta SET value = ? WHERE key = 'hlc'", arguments: [String(raw)])
    }

    /// This database's identity: a child's pull cursor belongs to it.
    static func databaseIdentity(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = 'database'")
    }

    /// Gives a restored database a new identity, so its children restart their cursors.
    static func renewDatabaseIdentity(_ db: Database) throws {
        try db.execute(sql: "UPDATE node_meta SET value = lower(hex(randomblob(16))) WHERE key = 'database'")
    }

    /// Makes a copy of another node's database KPU RI's (`Store.adoptAsKPURI`, the bench).
    static func becomeKPURI(_ db: Database) throws {
        try db.execute(sql: "UPDATE node_meta SET value = '00' WHERE key = 'satker'")
    }
}
