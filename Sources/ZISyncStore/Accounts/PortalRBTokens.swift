import Crypto
import Foundation
import GRDB
import ZISyncCore

/// The bearer tokens PortalRB calls KPU RI's API with (issue 23), and the log of its calls. Local
/// to this node and never replicated: made and revoked by the operator, kept only as SHA-256, a
/// token shown once when it is made.
public struct PortalRBTokens: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    public struct Token: Sendable, Equatable {
        public let name: String
        public let createdAt: Int64
        public let revokedAt: Int64?
    }

    public struct Fetch: Sendable, Equatable {
        public let at: Int64
        public let token: String
        public let route: String
        public let unit: String?
        public let status: Int
        public let bytes: Int64
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Makes a token named `name` and returns it: the only time it is seen.
    public func add(name: String) throws -> String {
        guard !name.isEmpty, name.utf8.count <= 64,
            name.unicodeScalars.allSatisfy({
                CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)
            })
        else { throw ZISyncError("a token's name is 1–64 letters, digits, '-', '_' or '.', got '\(name)'") }
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }  // SystemRandomNumberGenerator: the OS's CSPRNG
        let token =
            "zrb_"
            + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        try store.db.write { db in
            guard try !PortalRBTokenRow.exists(db, name: name) else {
                throw ZISyncError("a token named '\(name)' exists already (revoke it, or choose another name)")
            }
            try PortalRBTokenRow.insert(db, name: name, tokenHash: Self.hash(token), at: Self.now())
        }
        return token
    }

    public func list() throws -> [Token] {
        try store.db.read { db in
            try PortalRBTokenRow.all(db).map { Token(name: $0.name, createdAt: $0.createdAt, revokedAt: $0.revokedAt) }
        }
    }

    public func revoke(name: String) throws {
        let done = try store.db.write { db in try PortalRBTokenRow.revoke(db, name: name, at: Self.now()) }
        guard done else { throw ZISyncError("no token named '\(name)' that is not revoked already") }
    }

    /// The name of the live token `presented` is, or nil. The stored hash is compared with the
    /// presented one's in constant time (the lookup is by a hash, which tells a guesser nothing).
    public func verify(_ presented: String) throws -> String? {
        guard presented.hasPrefix("zrb_"), presented.utf8.count <= 100 else { return nil }
        let hash = Self.hash(presented)
        guard let row = try store.db.read({ db in try PortalRBTokenRow.withHash(db, hash) }), row.revokedAt == nil,
            Self.constantTimeEqual(row.tokenHash, hash)
        else { return nil }
        return row.name
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    /// Records one request PortalRB (or anyone reaching the listener) made, keeping the newest
    /// `keep`: requests without a valid token are logged too, and must not fill the disk.
    public func record(token: String, route: String, unit: String?, status: Int, bytes: Int, keep: Int = 100_000)
        throws
    {
        try store.db.write { db in
            try PortalRBFetchRow.insert(
                db, at: Self.now(), token: token, route: route, unit: unit, status: status, bytes: Int64(bytes))
            try PortalRBFetchRow.trim(db, keep: keep)
        }
    }

    /// The newest requests, newest first.
    public func log(limit: Int = 100) throws -> [Fetch] {
        try store.db.read { db in
            try PortalRBFetchRow.recent(db, limit: limit).map {
                Fetch(at: $0.at, token: $0.token, route: $0.route, unit: $0.unit, status: $0.status, bytes: $0.bytes)
            }
        }
    }

    /// When PortalRB last fetched `unit`'s answers successfully.
    public func lastFetch(unit: String) throws -> Int64? {
        try store.db.read { db in try PortalRBFetchRow.lastAnswersFetch(db, unit: unit) }
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
