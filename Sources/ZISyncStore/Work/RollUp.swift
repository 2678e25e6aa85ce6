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

/// The roll-up per satker × area (laporan rekap), counted in SQL over the records' per-type columns.
public struct RollUp: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    static let finished = "('selesai', 'diverifikasi')"

    /// `today` is YYYY-MM-DD: plans whose deadline is before it and that are neither done nor
    /// cancelled count as overdue. Evidence counts in its plan's row (a plan of its own office),
    /// and so does the latest verdict on a plan or on its evidence. Three aggregate queries, the
    /// first two answered from covering indexes: the plans; the evidence, under the area its row
    /// carries for its plan (a missing file is one in the download queue, or none at all); the
    /// latest reviews, by subject.
    public func rows(subtree: String? = nil, today: String) throws -> [ReportRow] {
        try rows(owners: store.registry.subtree(of: subtree ?? store.node), today: today)
    }

    /// The same rows for exactly these offices (one office's own, without its subtree).
    public func rows(owners codes: Set<String>, today: String) throws -> [ReportRow] {
        let registry = store.registry
        // Everyone's records: no owner filter at all (KPU RI's roll-up).
        let owners = codes.count >= registry.all.count ? [] : Array(codes)
        func within(_ column: String) -> String {
            owners.isEmpty ? "" : "AND \(column) IN (\(databaseQuestionMarks(count: owners.count)))"
        }
        return try store.db.read { db in
            // Nodes with children have covering indexes for these counts (Schema.rollUpIndexes).
            let covered = try Schema.hasRollUpIndexes(db)
            func by(_ index: String) -> String { covered ? "INDEXED BY \(index)" : "" }
            var rows: [String: ReportRow] = [:]
            func each(
                _ sql: String, _ arguments: [any DatabaseValueConvertible], _ body: (Row, inout ReportRow) -> Void
            )
                throws
            {
                let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
                while let row = try cursor.next() {
                    let key = (row["owner"] as String) + "|" + (row["area"] as String)
                    var out = rows[key] ?? ReportRow(satker: row["owner"], area: row["area"])
                    body(row, &out)
                    rows[key] = out
                }
            }
            try each(
                """
                SELECT owner, COALESCE(area, '-') AS area, COUNT(*) AS plans,
                    SUM(COALESCE(status, 'draft') IN \(Self.finished)) AS done,
                    SUM(deadline IS NOT NULL AND deadline < ?
                        AND COALESCE(status, 'draft') NOT IN ('selesai', 'diverifikasi', 'dibatalkan')) AS overdue
                FROM record_state \(by("record_state_plans"))
                WHERE record_type = 'action_plan' AND deleted = 0 \(within("owner"))
                GROUP BY owner, COALESCE(area, '-')
                """, [today] + owners
            ) { row, out in
                out.plans += row["plans"]
                out.done += row["done"] ?? 0
                out.overdue += row["overdue"] ?? 0
            }
            try each(
                """
                SELECT owner, area, COUNT(*) AS evidence,
                    SUM(sha256 IS NULL OR sha256 IN (SELECT sha256 FROM download_queue)) AS missing
                FROM record_state \(by("record_state_evidence"))
                WHERE record_type = 'evidence' AND deleted = 0 AND area IS NOT NULL \(within("owner"))
                GROUP BY owner, area
                """, owners
            ) { row, out in
                out.evidence += row["evidence"]
                out.evidenceMissingFiles += row["missing"] ?? 0
            }
            try each(
                """
                WITH latest AS (
                    SELECT subject, verdict FROM (
                        SELECT subject, verdict,
                               ROW_NUMBER() OVER (PARTITION BY subject ORDER BY verdict_hlc DESC, record_id) AS n
                        FROM record_state WHERE subject IS NOT NULL AND record_type = 'review' AND deleted = 0)
                    WHERE n = 1)
                SELECT s.owner AS owner, area, SUM(l.verdict = 'disetujui') AS disetujui,
                    SUM(l.verdict = 'perlu-revisi') AS perlu_revisi, SUM(l.verdict = 'ditolak') AS ditolak
                FROM latest l
                JOIN (SELECT record_id, owner, record_type,
                             CASE record_type WHEN 'evidence' THEN area ELSE COALESCE(area, '-') END AS area
                      FROM record_state WHERE deleted = 0) s ON s.record_id = l.subject
                WHERE s.record_type IN ('action_plan', 'evidence') AND area IS NOT NULL \(within("s.owner"))
                GROUP BY s.owner, area
                """, owners
            ) { row, out in
                out.disetujui += row["disetujui"] ?? 0
                out.perluRevisi += row["perlu_revisi"] ?? 0
                out.ditolak += row["ditolak"] ?? 0
            }
            return rows.values.filter { $0.plans > 0 }.sorted { ($0.satker, $0.area) < ($1.satker, $1.area) }
        }
    }
}
