import GRDB

/// A row of `forked_change`: one of this node's own changes that its parent holds differently,
/// set aside while the parent's chain is fetched, then written again on top of it (`rewritten`)
/// or kept with the reason it could not be (`refused`). Its reads and writes.
struct ForkedChangeRow: FetchableRecord, TableRecord {
    static let databaseTableName = "forked_change"
    var seq: Int64
    /// The change as wire JSON.
    var body: String

    init(row: Row) {
        seq = row["seq"]
        body = row["body"]
    }

    static func setAside(_ db: Database, origin: String, seq: Int64, body: String, at now: Int64) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO forked_change(origin, seq, body, set_aside_at) VALUES (?, ?, ?, ?)",
            arguments: [origin, seq, body, now])
    }

    /// `origin`'s changes still waiting to be written again, in chain order.
    static func waiting(_ db: Database, origin: String) throws -> [ForkedChangeRow] {
        try fetchAll(
            db, sql: "SELECT seq, body FROM forked_change WHERE origin = ? AND state = 'waiting' ORDER BY seq",
            arguments: [origin])
    }

    /// What became of a change set aside: `rewritten`, or `refused` with the reason.
    static func settle(_ db: Database, origin: String, seq: Int64, state: String, reason: String?) throws {
        try db.execute(
            sql: "UPDATE forked_change SET state = ?, reason = ? WHERE origin = ? AND seq = ?",
            arguments: [state, reason, origin, seq])
    }

    /// How many changes are in each state.
    static func counts(_ db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM forked_change GROUP BY state") {
            counts[row["state"]] = row["n"]
        }
        return counts
    }
}
