import Crypto
import Foundation
import GRDB
import ZISyncCore

/// What a person does in the office's web app (docs/web.md, "Peran").
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Rencana aksi, bukti dukung and the unit layer of the LKE.
    case timZI = "tim-zi"
    /// Reviews and the provinsi or tpi layer, on a province or KPU RI.
    case penilai
    /// The Inspektorat's people at KPU RI (Tim Penilai Internal): the tpi layer, returns and the
    /// TPI's conclusion.
    case tpi
    /// Reads everything, writes nothing.
    case pimpinan
    /// All of it, and the accounts.
    case `operator`

    public static var choices: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A person's local account on this node.
public struct Account: Sendable, Equatable, Codable {
    public let name: String
    public let role: Role
    public let disabled: Bool
    public let createdAt: Int64
    public let passwordChangedAt: Int64
}

/// A signed-in browser: whose, its form token, when it ends.
public struct WebSession: Sendable, Equatable {
    public let account: Account
    public let csrf: String
    public let expiresAt: Int64
}

/// The office's people and their sessions: local to this node, never replicated (no change log).
/// Passwords arrive here already hashed (the web module hashes them); a session is found by the
/// SHA-256 of its cookie's token.
public struct Accounts: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    /// A name people type: 1–32 of a–z, 0–9, `.`, `_`, `-`, starting with a letter or digit.
    /// It becomes the actor `name@satker` of every change the person makes.
    public static func problem(name: String) -> String? {
        let ok = name.utf8.allSatisfy {
            (97...122).contains($0) || (48...57).contains($0) || $0 == 46 || $0 == 95 || $0 == 45
        }
        guard (1...32).contains(name.utf8.count), ok, let first = name.utf8.first, first != 46, first != 95, first != 45
        else {
            return "a user name is 1–32 of a–z, 0–9, '.', '_' and '-', starting with a letter or digit; got '\(name)'"
        }
        return nil
    }

    public func add(name: String, role: Role, passwordHash: String) throws {
        if let problem = Self.problem(name: name) { throw ZISyncError(problem) }
        let now = HybridClock.systemMilliseconds()
        try store.db.write { db in
            guard try !WebUserRow.exists(db, name: name) else {
                throw ZISyncError("user '\(name)' already exists (change the password with `zisync user passwd`)")
            }
            try WebUserRow.insert(db, name: name, role: role, passwordHash: passwordHash, at: now)
        }
    }

    /// Sets a new password; every session of the person ends.
    public func setPassword(name: String, passwordHash: String) throws {
        try store.db.write { db in
            guard
                try WebUserRow.setPassword(
                    db, name: name, passwordHash: passwordHash, at: HybridClock.systemMilliseconds())
            else { throw ZISyncError("no user '\(name)' (see `zisync user list`)") }
            try WebSessionRow.deleteAll(db, user: name)
        }
    }

    /// Disables (or enables again) an account; a disabled one's sessions end.
    public func setDisabled(name: String, _ disabled: Bool) throws {
        try store.db.write { db in
            guard try WebUserRow.setDisabled(db, name: name, disabled) else {
                throw ZISyncError("no user '\(name)' (see `zisync user list`)")
            }
            if disabled { try WebSessionRow.deleteAll(db, user: name) }
        }
    }

    public func list() throws -> [Account] {
        try store.db.read { db in try WebUserRow.all(db) }
    }

    public func get(_ name: String) throws -> Account? {
        try store.db.read { db in try WebUserRow.named(db, name) }
    }

    /// The stored hash of an enabled account, for checking a password.
    public func passwordHash(of name: String) throws -> String? {
        try store.db.read { db in try WebUserRow.passwordHash(db, name: name) }
    }

    // MARK: Sessions

    /// Starts a session of `seconds`; returns the cookie's token (only its hash is kept).
    public func startSession(for name: String, seconds: Int64) throws -> (token: String, csrf: String) {
        let token = Self.randomToken()
        let csrf = Self.randomToken()
        let now = HybridClock.systemMilliseconds()
        try store.db.write { db in
            // Expired sessions go as new ones come: the table stays small without a sweeper.
            try WebSessionRow.deleteExpired(db, before: now)
            try WebSessionRow.insert(
                db, tokenHash: Self.hash(token), user: name, csrf: csrf, at: now, expiresAt: now + seconds * 1000)
        }
        return (token, csrf)
    }

    /// The live session of a cookie's token, nil when unknown, expired or its account disabled.
    public func session(token: String) throws -> WebSession? {
        guard token.utf8.count == 64 else { return nil }
        let now = HybridClock.systemMilliseconds()
        return try store.db.read { db in try WebSessionRow.live(db, tokenHash: Self.hash(token), at: now) }
    }

    public func endSession(token: String) throws {
        try store.db.write { db in
            try WebSessionRow.delete(db, tokenHash: Self.hash(token))
        }
    }

    /// 32 random bytes as 64 hex digits.
    static func randomToken() -> String {
        Hashing.hex(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    static func hash(_ token: String) -> String { Hashing.sha256Hex(Data(token.utf8)) }
}

extension Store {
    public var accounts: Accounts { Accounts(self) }
}
