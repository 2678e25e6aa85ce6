import Foundation
import GRDB

/// A row of `owner_digest`: the kept digest of one office's records (how many, and the sum of
/// their hashes), changed in the same transaction as the records (`OwnerDigestDeltas`).
struct OwnerDigestRow: Equatable {
    static let databaseTableName = "owner_digest"

    let owner: String
    let records: Int
    let sum: DigestSum

    /// Adds a batch's delta to one owner's row.
    static func add(_ db: Database, owner: String, records: Int, sum: DigestSum) throws {
        var total = try get(db, owner) ?? OwnerDigestRow(owner: owner, records: 0, sum: .zero)
        var s = total.sum
        s.add(sum)
        total = OwnerDigestRow(owner: owner, records: total.records + records, sum: s)
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO owner_digest(owner, records, sum) VALUES (?, ?, ?)")
            .execute(arguments: [owner, total.records, Data(total.sum.bytes)])
    }

    static func get(_ db: Database, _ owner: String) throws -> OwnerDigestRow? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT owner, records, sum FROM owner_digest WHERE owner = ?"), arguments: [owner]
        ).flatMap(Self.init(row:))
    }

    /// Every kept digest of an office that holds records, in owner order.
    static func all(_ db: Database) throws -> [OwnerDigestRow] {
        try Row.fetchAll(db, sql: "SELECT owner, records, sum FROM owner_digest WHERE records > 0 ORDER BY owner")
            .compactMap(Self.init(row:))
    }

    /// Sets every kept digest from scratch (the migration that adds them): `sums` by owner.
    static func replaceAll(_ db: Database, _ sums: [String: (records: Int, sum: DigestSum)]) throws {
        try db.execute(sql: "DELETE FROM owner_digest")
        for (owner, d) in sums { try add(db, owner: owner, records: d.records, sum: d.sum) }
    }

    private init(owner: String, records: Int, sum: DigestSum) {
        self.owner = owner
        self.records = records
        self.sum = sum
    }

    /// nil for a row whose sum is not 32 bytes (edited behind zisync's back: verify says so).
    private init?(row: Row) {
        guard let data = row["sum"] as Data?, let sum = DigestSum(bytes: data) else { return nil }
        self.init(owner: row["owner"], records: row["records"], sum: sum)
    }
}
