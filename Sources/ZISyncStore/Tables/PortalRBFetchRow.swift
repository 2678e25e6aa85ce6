import GRDB

/// A row of `portalrb_fetch`: one request PortalRB made (the token's name, never the token).
struct PortalRBFetchRow: FetchableRecord, TableRecord {
    static let databaseTableName = "portalrb_fetch"
    var at: Int64
    var token: String
    var route: String
    var unit: String?
    var status: Int
    var bytes: Int64

    init(row: Row) {
        at = row["at"]
        token = row["token"]
        route = row["route"]
        unit = row["unit"]
        status = row["status"]
        bytes = row["bytes"]
    }

    static func insert(
        _ db: Database, at: Int64, token: String, route: String, unit: String?, status: Int, bytes: Int64
    ) throws {
        try db.execute(
            sql: "INSERT INTO portalrb_fetch(at, token, route, unit, status, bytes) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [at, token, route, unit, status, bytes])
    }

    /// Forgets all but the newest `keep` requests (a range of the primary key: cheap at every insert).
    static func trim(_ db: Database, keep: Int) throws {
        try db.execute(
            sql: "DELETE FROM portalrb_fetch WHERE id <= (SELECT MAX(id) FROM portalrb_fetch) - ?", arguments: [keep])
    }

    /// The newest `limit` requests, newest first.
    static func recent(_ db: Database, limit: Int) throws -> [PortalRBFetchRow] {
        try fetchAll(db, sql: "SELECT * FROM portalrb_fetch ORDER BY id DESC LIMIT ?", arguments: [limit])
    }

    /// The last successful fetch of a unit's answers.
    static func lastAnswersFetch(_ db: Database, unit: String) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT MAX(at) FROM portalrb_fetch WHERE unit = ? AND status = 200", arguments: [unit])
    }
}
