import Foundation
import GRDB
import ZISyncAuthenticity

/// A row of `origin_certificate`: an office's certificate that signed changes held here, as it
/// travelled with them, kept so a change signed before a rotation still verifies. Its reads and
/// writes.
struct OriginCertificateRow: FetchableRecord, TableRecord {
    static let databaseTableName = "origin_certificate"
    var keyID: String
    var serial: String

    init(row: Row) {
        keyID = row["key_id"]
        serial = row["serial"]
    }

    /// The DER of the certificate with this key id.
    static func der(_ db: Database, keyID: String) throws -> Data? {
        try Data.fetchOne(
            db.cachedStatement(sql: "SELECT der FROM origin_certificate WHERE key_id = ?"), arguments: [keyID])
    }

    /// The key ids and serials of `satker`'s certificates.
    static func of(_ db: Database, satker: String) throws -> [OriginCertificateRow] {
        try fetchAll(db, sql: "SELECT key_id, serial FROM origin_certificate WHERE satker = ?", arguments: [satker])
    }

    /// Keeps a certificate the deployment CA issued (the first copy stays).
    static func keep(_ db: Database, _ cert: TrustedCertificate, der: [UInt8]) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO origin_certificate(key_id, satker, serial, issued_at, der)
                VALUES (?, ?, ?, ?, ?)
                """
        ).execute(arguments: [cert.keyID, cert.satker, cert.serial, cert.issuedAt, Data(der)])
    }

    /// The DER of the certificates of these satkers, by key id.
    static func ders(_ db: Database, satkers: Set<String>) throws -> [Data] {
        try ders(db, where: "satker", in: satkers)
    }

    /// The DER of the certificates with these key ids, by key id.
    static func ders(_ db: Database, keyIDs: Set<String>) throws -> [Data] {
        try ders(db, where: "key_id", in: keyIDs)
    }

    private static func ders(_ db: Database, where column: String, in values: Set<String>) throws -> [Data] {
        try Data.fetchAll(
            db,
            sql:
                "SELECT der FROM origin_certificate WHERE \(column) IN (\(databaseQuestionMarks(count: values.count))) ORDER BY key_id",
            arguments: StatementArguments(Array(values)))
    }
}
