import Foundation
import GRDB
import ZISyncCore

/// One row of the roll-up: a satker × area's plans, done, overdue, evidence, review verdicts.
public struct ReportRow: Sendable, Equatable {
    public let satker: String
    public let area: String
    public var plans = 0
    public var done = 0
    public var overdue = 0
    public var evidence = 0
    public var evidenceMissingFiles = 0
    public var disetujui = 0
    public var perluRevisi = 0
    public var ditolak = 0

    public init(satker: String, area: String) {
        self.satker = satker
        self.area = area
    }
}

/// The roll-up per satker × area (laporan rekap), counted in SQL over the per-type indexes.
public struct RollUp: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    static let finished = "('selesai', 'diverifikasi')"
    /// The latest verdict on each reviewed subject: by the clock of its verdict, the lowest id on a tie.
    static let latestVerdicts = """
        WITH latest AS (
            SELECT subject, verdict FROM (
                SELECT subject, verdict,
                       ROW_NUMBER() OVER (PARTITION BY subject ORDER BY verdict_hlc DESC, record_id) AS n
                FROM review_index WHERE deleted = 0 AND subject IS NOT NULL)
            WHERE n = 1)
        """
    static let verdictSums = """
        SUM(l.verdict = 'disetujui') AS disetujui, SUM(l.verdict = 'perlu-revisi') AS perlu_revisi,
        SUM(l.verdict = 'ditolak') AS ditolak
        """

    /// `today` is YYYY-MM-DD: plans whose deadline is before it and that are neither done nor
    /// cancelled count as overdue. Evidence counts in its plan's row.
    public func rows(subtree: String? = nil, today: String) throws -> [ReportRow] {
        let owners = Array(store.registry.subtree(of: subtree ?? store.node))
        let marks = databaseQuestionMarks(count: owners.count)
        return try store.db.read { db in
            var rows: [String: ReportRow] = [:]
            func key(_ row: Row) -> String { (row["owner"] as String) + "|" + (row["area"] as String) }
            func verdicts(_ row: Row, _ out: inout ReportRow) {
                out.disetujui += row["disetujui"] ?? 0
                out.perluRevisi += row["perlu_revisi"] ?? 0
                out.ditolak += row["ditolak"] ?? 0
            }
            let plans = try Row.fetchCursor(
                db,
                sql: """
                    \(Self.latestVerdicts)
                    SELECT p.owner AS owner, COALESCE(p.area, '-') AS area, COUNT(*) AS plans,
                        SUM(COALESCE(p.status, 'draft') IN \(Self.finished)) AS done,
                        SUM(p.deadline IS NOT NULL AND p.deadline < ?
                            AND COALESCE(p.status, 'draft') NOT IN ('selesai', 'diverifikasi', 'dibatalkan')) AS overdue,
                        \(Self.verdictSums)
                    FROM plan_index p LEFT JOIN latest l ON l.subject = p.record_id
                    WHERE p.deleted = 0 AND p.owner IN (\(marks))
                    GROUP BY p.owner, COALESCE(p.area, '-')
                    """, arguments: StatementArguments([today] + owners))
            while let row = try plans.next() {
                var out = ReportRow(satker: row["owner"], area: row["area"])
                out.plans = row["plans"]
                out.done = row["done"] ?? 0
                out.overdue = row["overdue"] ?? 0
                verdicts(row, &out)
                rows[key(row)] = out
            }
            let evidence = try Row.fetchCursor(
                db,
                sql: """
                    \(Self.latestVerdicts)
                    SELECT p.owner AS owner, COALESCE(p.area, '-') AS area, COUNT(*) AS evidence,
                        SUM(f.sha256 IS NULL) AS missing, \(Self.verdictSums)
                    FROM evidence_index e
                    JOIN plan_index p ON p.record_id = e.plan AND p.deleted = 0 AND p.owner IN (\(marks))
                    LEFT JOIN local_file f ON f.sha256 = e.sha256
                    LEFT JOIN latest l ON l.subject = e.record_id
                    WHERE e.deleted = 0 AND e.owner IN (\(marks))
                    GROUP BY p.owner, COALESCE(p.area, '-')
                    """, arguments: StatementArguments(owners + owners))
            while let row = try evidence.next() {
                guard var out = rows[key(row)] else { continue }
                out.evidence += row["evidence"]
                out.evidenceMissingFiles += row["missing"] ?? 0
                verdicts(row, &out)
                rows[key(row)] = out
            }
            return rows.values.sorted { ($0.satker, $0.area) < ($1.satker, $1.area) }
        }
    }
}
