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
        return try store.db.read { db in
            // Nodes with children have covering indexes for these counts (Schema.rollUpIndexes).
            let covered = try Schema.hasRollUpIndexes(db)
            var rows: [String: ReportRow] = [:]
            func each(_ cursor: RowCursor, _ body: (Row, inout ReportRow) -> Void) throws {
                while let row = try cursor.next() {
                    let key = (row["owner"] as String) + "|" + (row["area"] as String)
                    var out = rows[key] ?? ReportRow(satker: row["owner"], area: row["area"])
                    body(row, &out)
                    rows[key] = out
                }
            }
            try each(try RecordRow.planCounts(db, owners: owners, today: today, covered: covered)) { row, out in
                out.plans += row["plans"]
                out.done += row["done"] ?? 0
                out.overdue += row["overdue"] ?? 0
            }
            try each(try RecordRow.evidenceCounts(db, owners: owners, covered: covered)) { row, out in
                out.evidence += row["evidence"]
                out.evidenceMissingFiles += row["missing"] ?? 0
            }
            try each(try RecordRow.verdictCounts(db, owners: owners)) { row, out in
                out.disetujui += row["disetujui"] ?? 0
                out.perluRevisi += row["perlu_revisi"] ?? 0
                out.ditolak += row["ditolak"] ?? 0
            }
            return rows.values.filter { $0.plans > 0 }.sorted { ($0.satker, $0.area) < ($1.satker, $1.area) }
        }
    }
}
