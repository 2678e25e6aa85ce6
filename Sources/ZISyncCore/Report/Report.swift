import Foundation

/// The roll-up per satker × area: plans, done, overdue, evidence, review verdicts.
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

    public static let csvHeader = [
        "satker", "area", "plans", "done", "overdue", "evidence", "evidence_missing_files", "disetujui",
        "perlu_revisi", "ditolak",
    ]

    public var csvValues: [String] {
        [satker, area]
            + [plans, done, overdue, evidence, evidenceMissingFiles, disetujui, perluRevisi, ditolak].map(String.init)
    }
}

extension Store {
    /// `today` is YYYY-MM-DD; plans whose deadline is before it and that are not done or
    /// cancelled count as overdue.
    public func report(subtree: String? = nil, today: String) throws -> [ReportRow] {
        let plans = try self.plans(subtree: subtree)
        let evidence = try records(.evidence, subtree: subtree ?? node)
        let verdicts = try latestVerdicts()
        var rows: [String: ReportRow] = [:]
        var planKey: [String: String] = [:]
        func bump(_ key: String, _ satker: String, _ area: String, _ body: (inout ReportRow) -> Void) {
            var row = rows[key] ?? ReportRow(satker: satker, area: area)
            body(&row)
            rows[key] = row
        }
        func countVerdict(_ subject: String, into row: inout ReportRow) {
            switch verdicts[subject]?.string("verdict") {
            case "disetujui": row.disetujui += 1
            case "perlu-revisi": row.perluRevisi += 1
            case "ditolak": row.ditolak += 1
            default: break
            }
        }
        for p in plans {
            let area = p.string("area") ?? "-"
            let key = p.owner + "|" + area
            planKey[p.id] = key
            let status = p.string("status") ?? "draft"
            let finished = ["selesai", "diverifikasi"].contains(status)
            bump(key, p.owner, area) { row in
                row.plans += 1
                if finished { row.done += 1 }
                if let deadline = p.string("deadline"), deadline < today, !finished, status != "dibatalkan" {
                    row.overdue += 1
                }
                countVerdict(p.id, into: &row)
            }
        }
        for e in evidence {
            guard let plan = e.string("plan"), let key = planKey[plan], let template = rows[key] else { continue }
            let missing = !(e.string("sha256").map(files.contains) ?? false)
            bump(key, template.satker, template.area) { row in
                row.evidence += 1
                if missing { row.evidenceMissingFiles += 1 }
                countVerdict(e.id, into: &row)
            }
        }
        return rows.values.sorted { ($0.satker, $0.area) < ($1.satker, $1.area) }
    }
}
