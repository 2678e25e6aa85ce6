import GRDB

/// A row of `web_user`: one of the office's people (docs/web.md), local to this node and never
/// replicated; a password only as its bcrypt hash. Its reads and writes; read as an `Account`.
struct WebUserRow: FetchableRecord, TableRecord {
    static let databaseTableName = "web_user"
    /// Nil when the stored role is not one this version knows.
    var account: Account?

    init(row: Row) {
        account = Self.account(row)
    }

    /// The account a row of `web_user` (or a query selecting its columns) gives.
    static func account(_ row: Row) -> Account? {
        guard let role = Role(rawValue: row["role"]) else { return nil }
        return Account(
            name: row["name"], role: role, disabled: (row["disabled"] as Int) != 0, createdAt: row["created_at"],
            passwordChangedAt: row["password_changed_at"])
    }

    static func exists(_ db: Database, name: String) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT 1 FROM web_user WHERE name = ?", arguments: [name]) != nil
    }

    /// A new, enabled account.
    static func insert(_ db: Database, name: String, role: Role, passwordHash: String, at now: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO web_user(name, role, password_hash, disabled, created_at, password_changed_at)
                VALUES (?, ?, ?, 0, ?, ?)
                """, arguments: [name, role.rawValue, passwordHash, now, now])
    }

    /// Sets a password; false when there is no such account.
    static func setPassword(_ db: Database, name: String, passwordHash: String, at now: Int64) throws -> Bool {
        try db.execute(
            sql: "UPDATE web_user SET password_hash = ?, password_changed_at = ? WHERE name = ?",
            arguments: [passwordHash, now, name])
        return db.changesCount == 1
    }

    /// Disables or enables an account; false when there is no such account.
    static func setDisabled(_ db: Database, name: String, _ disabled: Bool) throws -> Bool {
        try db.execute(sql: "UPDATE web_user SET disabled = ? WHERE name = ?", arguments: [disabled ? 1 : 0, name])
        return db.changesCount == 1
    }

    /// Every account, by name (those with an unknown role left out).
    static func all(_ db: Database) throws -> [Account] {
        try Row.fetchAll(db, sql: "SELECT * FROM web_user ORDER BY name").compactMap(Self.account)
    }

    static func named(_ db: Database, _ name: String) throws -> Account? {
        try Row.fetchOne(db, sql: "SELECT * FROM web_user WHERE name = ?", arguments: [name]).flatMap(Self.account)
    }

    /// The stored hash of an enabled account.
    static func passwordHash(_ db: Database, name: String) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT password_hash FROM web_user WHERE name = ? AND disabled = 0", arguments: [name])
    }
}
