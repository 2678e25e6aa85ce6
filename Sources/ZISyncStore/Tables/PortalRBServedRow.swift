import GRDB

/// A row of `portalrb_served`: the digest of the answers PortalRB last received of a unit.
enum PortalRBServedRow {
    static func set(_ db: Database, satker: String, cycle: Int, sha256: String, at: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO portalrb_served(satker, cycle, sha256, at) VALUES (?, ?, ?, ?)
                ON CONFLICT(satker, cycle) DO UPDATE SET sha256 = excluded.sha256, at = excluded.at
                """, arguments: [satker, cycle, sha256, at])
    }

    static func get(_ db: Database, satker: String, cycle: Int) throws -> (sha256: String, at: Int64)? {
        try Row.fetchOne(
            db, sql: "SELECT sha256, at FROM portalrb_served WHERE satker = ? AND cycle = ?",
            arguments: [satker, cycle]
        ).map { ($0["sha256"], $0["at"]) }
    }
}
