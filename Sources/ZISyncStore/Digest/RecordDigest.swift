import Crypto
import GRDB
import ZISyncCore

/// What a digest counts of one record: its id, type, owner and each field's winning value,
/// clock, origin and sequence, in canonical JSON (keys in UTF-8 byte order), hashed.
enum RecordDigest {
    static func line(_ rec: StoredRecord) -> [UInt8] {
        var j = CanonicalJSON()
        j.string(rec.id)
        j.raw(" ")
        j.string(rec.type)
        j.raw(" ")
        j.string(rec.owner)
        j.raw(" {")
        for (n, key) in rec.fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            let s = rec.fields[key]!
            if n > 0 { j.raw(",") }
            j.string(key)
            j.raw(":[")
            j.value(s.value)
            j.raw(",")
            j.int(s.hlc.rawValue)
            j.raw(",")
            j.string(s.origin)
            j.raw(",")
            j.int(s.seq)
            j.raw("]")
        }
        j.raw("}\n")
        return j.bytes
    }

    static func hash(_ rec: StoredRecord) -> DigestSum {
        DigestSum(bytes: Array(SHA256.hash(data: line(rec))))!
    }
}

/// A batch's changes to the kept digests, by owner: records added and removed, and the sum of
/// their hashes. Written once at the end of the batch (`OwnerDigestRow.add`).
struct OwnerDigestDeltas {
    private(set) var byOwner: [String: (records: Int, sum: DigestSum)] = [:]

    mutating func added(_ rec: StoredRecord) {
        var d = byOwner[rec.owner] ?? (0, .zero)
        d.records += 1
        d.sum.add(RecordDigest.hash(rec))
        byOwner[rec.owner] = d
    }

    mutating func removed(_ rec: StoredRecord) {
        var d = byOwner[rec.owner] ?? (0, .zero)
        d.records -= 1
        d.sum.subtract(RecordDigest.hash(rec))
        byOwner[rec.owner] = d
    }

    /// Every owner's records and sum, read from every record (the migration, verify).
    static func recomputed(_ db: Database) throws -> [String: (records: Int, sum: DigestSum)] {
        var deltas = OwnerDigestDeltas()
        let rows = try RecordRow.all(db)
        while let row = try rows.next() {
            // An unreadable state is verify's to report; the sums count what can be read.
            if let rec = try? row.record() { deltas.added(rec) }
        }
        return deltas.byOwner
    }

    /// Adds the deltas to the kept digests and starts again from none.
    mutating func write(_ db: Database) throws {
        for (owner, d) in byOwner { try OwnerDigestRow.add(db, owner: owner, records: d.records, sum: d.sum) }
        byOwner = [:]
    }
}
