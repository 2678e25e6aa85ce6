import Foundation
import GRDB

/// `portalrb_link_key` and `portalrb_link`: the key evidence-link capabilities are derived from,
/// and each unit and cycle's generation (raised to revoke its links).
enum PortalRBLinkRow {
    /// The key, made on first use.
    static func key(_ db: Database) throws -> Data {
        if let key = try Data.fetchOne(db, sql: "SELECT key FROM portalrb_link_key WHERE id = 1") { return key }
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }  // the OS's CSPRNG
        try db.execute(sql: "INSERT INTO portalrb_link_key(id, key) VALUES (1, ?)", arguments: [Data(bytes)])
        return Data(bytes)
    }

    static func generation(_ db: Database, satker: String, cycle: Int) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT generation FROM portalrb_link WHERE satker = ? AND cycle = ?", arguments: [satker, cycle])
            ?? 0
    }

    static func raise(_ db: Database, satker: String, cycle: Int) throws {
        try db.execute(
            sql: """
                INSERT INTO portalrb_link(satker, cycle, generation) VALUES (?, ?, 1)
                ON CONFLICT(satker, cycle) DO UPDATE SET generation = generation + 1
                """, arguments: [satker, cycle])
    }
}
