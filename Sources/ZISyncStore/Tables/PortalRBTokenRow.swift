import GRDB

/// A row of `portalrb_token`: a bearer token PortalRB calls KPU RI's API with, by the name the
/// operator gave it, kept only as the SHA-256 of the token; local to this node.
struct PortalRBTokenRow: FetchableRecord, TableRecord {
    static let databaseTableName = "portalrb_token"
    var name: String
    var tokenHash: String
    var createdAt: Int64
    var revokedAt: Int64?

    init(row: Row) {
        name = row["name"]
        tokenHash = row["token_hash"]
        createdAt = row["created_at"]
        revokedAt = row["revoked_at"]
    }

    static func insert(_ db: Database, name: String, tokenHash: String, at now: Int64) throws {
        try db.execute(
            sql: "INSERT INTO portalrb_token(name, token_hash, created_at) VALUES (?, ?, ?)",
            arguments: [name, tokenHash, now])
    }

    static func exists(_ db: Database, name: String) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT 1 FROM portalrb_token WHERE name = ?", arguments: [name]) != nil
    }

    /// Revokes a token; false when there is no such token or it was revoked already.
    static func revoke(_ db: Database, name: String, at now: Int64) throws -> Bool {
        try db.execute(
            sql: "UPDATE portalrb_token SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            arguments: [now, name])
        return db.changesCount == 1
    }

    static func all(_ db: Database) throws -> [PortalRBTokenRow] {
        try fetchAll(db, sql: "SELECT * FROM portalrb_token ORDER BY name")
    }

    /// The token whose hash this is, revoked or not.
    static func withHash(_ db: Database, _ hash: String) throws -> PortalRBTokenRow? {
        try fetchOne(db, sql: "SELECT * FROM portalrb_token WHERE token_hash = ?", arguments: [hash])
    }
}
