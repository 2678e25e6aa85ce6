import GRDB

/// A row of `web_session`: a signed-in browser, found by the SHA-256 of its cookie's token (a
/// stolen database file holds no usable session), with its form token and when it ends. Its
/// reads and writes.
struct WebSessionRow: FetchableRecord, TableRecord {
    static let databaseTableName = "web_session"
    var tokenHash: String
    var user: String
    var csrf: String
    var expiresAt: Int64

    init(row: Row) {
        tokenHash = row["token_hash"]
        user = row["user"]
        csrf = row["csrf"]
        expiresAt = row["expires_at"]
    }

    static func insert(
        _ db: Database, tokenHash: String, user: String, csrf: String, at now: Int64, expiresAt: Int64
    ) throws {
        try db.execute(
            sql: "INSERT INTO web_session(token_hash, user, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [tokenHash, user, csrf, now, expiresAt])
    }

    /// The live session of a token's hash with its enabled account, nil when unknown, expired or
    /// the account disabled.
    static func live(_ db: Database, tokenHash: String, at now: Int64) throws -> WebSession? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT s.csrf, s.expires_at, u.* FROM web_session s JOIN web_user u ON u.name = s.user
                    WHERE s.token_hash = ? AND s.expires_at >= ? AND u.disabled = 0
                    """, arguments: [tokenHash, now]),
            let account = WebUserRow.account(row)
        else { return nil }
        return WebSession(account: account, csrf: row["csrf"], expiresAt: row["expires_at"])
    }

    static func delete(_ db: Database, tokenHash: String) throws {
        try db.execute(sql: "DELETE FROM web_session WHERE token_hash = ?", arguments: [tokenHash])
    }

    /// Ends every session of a person.
    static func deleteAll(_ db: Database, user: String) throws {
        try db.execute(sql: "DELETE FROM web_session WHERE user = ?", arguments: [user])
    }

    static func deleteExpired(_ db: Database, before now: Int64) throws {
        try db.execute(sql: "DELETE FROM web_session WHERE expires_at < ?", arguments: [now])
    }
}
