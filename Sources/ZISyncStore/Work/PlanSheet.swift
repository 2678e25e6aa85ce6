import Foundation
import ZISyncCore

/// The rencana aksi spreadsheet: CSV export and import with Indonesian column names
/// (English names are accepted too). Import checks every row first and writes all rows in
/// one transaction, so a bad row leaves nothing half-applied.
public enum PlanSheet {
    /// Column name → plan field, in the order exported.
    public static let columns: [(header: String, field: String)] = [
        ("area", "area"), ("kode_lke", "lke"), ("kegiatan", "activity"), ("output", "output"),
        ("target", "target"), ("satuan", "unit"), ("mulai", "start"), ("tenggat", "deadline"),
        ("penanggung_jawab", "pic"), ("status", "status"), ("progres", "progress"), ("realisasi", "realisation"),
        ("kendala", "obstacles"),
    ]

    static let aliases: [String: String] = {
        var map: [String: String] = [:]
        for (header, field) in columns {
            map[header] = field
            map[field] = field
        }
        map["lke_code"] = "lke"
        map["pic"] = "pic"
        map["progress_pct"] = "progress"
        return map
    }()

    public static func export(_ plans: [StoredRecord]) -> String {
        var lines = [(["id", "satker"] + columns.map(\.header)).map(cell).joined(separator: ",")]
        for p in plans {
            lines.append(([p.id, p.owner] + columns.map { p[$0.field].description }).map(cell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A value a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`, or after a tab or
    /// a carriage return) is written with a leading apostrophe, which spreadsheets show as text;
    /// import takes the apostrophe off again, so the sheet still round-trips.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    static func defused(_ s: String) -> String {
        guard let first = s.first, formulaStarts.contains(first) else { return s }
        return "'" + s
    }

    static func restored(_ s: String) -> String {
        guard s.hasPrefix("'"), let second = s.dropFirst().first, formulaStarts.contains(second) else { return s }
        return String(s.dropFirst())
    }

    /// One CSV cell: a formula defused, quoted when it must be (every sheet zisync writes).
    public static func cell(_ raw: String) -> String {
        let s = defused(raw)
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    public struct ImportResult: Sendable {
        public let created: Int
        public let updated: Int
        public let unchanged: Int
    }
}

extension PlanSheet {
    /// One checked row, ready to write: the plan, its owner, the fields it changes and whether
    /// it creates the plan.
    struct Planned {
        let id: String
        let owner: String
        let fields: [String: FieldValue]
        let isNew: Bool
    }
}

extension Plans {
    /// Imports a rencana aksi sheet read as a stream, in one transaction: each row is checked
    /// and written as it comes, the records written and forgotten a slice at a time. A sheet with
    /// a bad row throws naming the bad lines (the first 100), and the transaction rolls back, so
    /// nothing of it is stored. The sheet is never held whole: a file ten times larger needs no
    /// more memory.
    public func importSheet(_ source: CSVFile.Source, name: String, actor: String) throws -> PlanSheet.ImportResult {
        let rules = RowRules(store: store)
        let rows = try CSVFile.Stream(source, name: name)
        try Self.checkColumns(rows.keys, name: name)
        var problems: [String] = []
        var bad = 0
        var (created, updated, unchanged) = (0, 0, 0)
        try store.writeStreamed { w in
            while let row = try rows.next() {
                do {
                    // Each plan as the transaction holds it, with the sheet's earlier rows.
                    guard let p = try plannedWrite(row, rules: rules, lookup: { try w.record($0) }) else {
                        unchanged += 1
                        continue
                    }
                    // Once the sheet is refused, the rest is only checked.
                    guard bad == 0 else { continue }
                    if p.isNew {
                        try w.create(type: .actionPlan, recordID: p.id, owner: p.owner, fields: p.fields, actor: actor)
                        created += 1
                    } else {
                        try w.write(type: .actionPlan, recordID: p.id, owner: p.owner, fields: p.fields, actor: actor)
                        updated += 1
                    }
                } catch let e as ZISyncError {
                    bad += 1
                    if problems.count < 100 { problems.append("\(name) line \(row.line): \(e.description)") }
                }
            }
            if bad > 0 {
                throw ZISyncError(
                    "\(bad) bad row(s), nothing imported:\n" + problems.joined(separator: "\n")
                        + (bad > problems.count ? "\n… and \(bad - problems.count) more" : ""))
            }
        }
        return .init(created: created, updated: updated, unchanged: unchanged)
    }

    /// What every row is checked against: this node, the registry, the plan schema, the rules.
    private struct RowRules {
        let node: String
        let registry: SatkerRegistry
        let schema: RecordSchema
        let auth: Authorization

        init(store: Store) {
            node = store.node
            registry = store.registry
            schema = RecordType.actionPlan.schema
            auth = store.authorization
        }
    }

    /// Refuses a sheet with a column that is neither a plan field (by any of its names) nor
    /// id or satker, before any row is read.
    private static func checkColumns(_ keys: [String], name: String) throws {
        let unknown = keys.filter { PlanSheet.aliases[$0] == nil && $0 != "id" && $0 != "satker" && !$0.isEmpty }
        if !unknown.isEmpty {
            throw ZISyncError(
                "\(name) line 1: unknown column(s) \(unknown.sorted().joined(separator: ", ")); expected id, satker, \(PlanSheet.columns.map(\.header).joined(separator: ", "))"
            )
        }
    }

    /// One row checked into a planned write (nil when it changes nothing): its fields, the plan
    /// it names (`lookup`), its owner and the write rule. A bad row throws a `ZISyncError`
    /// naming the column.
    private func plannedWrite(
        _ row: CSVFile.Row, rules: RowRules, lookup: (String) throws -> StoredRecord?
    ) throws -> PlanSheet.Planned? {
        let (node, registry, schema, auth) = (rules.node, rules.registry, rules.schema, rules.auth)
        var fields = try Self.rowFields(row, schema: schema, auth: auth)
        let idText = row["id"]?.trimmedOfWhitespace ?? ""
        let existing = idText.isEmpty ? nil : try lookup(idText)
        if !idText.isEmpty, existing == nil {
            throw ZISyncError("column 'id': no plan with id '\(idText)' on this node")
        }
        if let existing, existing.type != RecordType.actionPlan.rawValue {
            throw ZISyncError("column 'id': \(idText) is a \(existing.type), not a plan")
        }
        let satkerText = row["satker"]?.trimmedOfWhitespace ?? ""
        let owner = existing?.owner ?? (satkerText.isEmpty ? node : satkerText)
        if let existing, !satkerText.isEmpty, satkerText != existing.owner {
            throw ZISyncError(
                "column 'satker': plan \(existing.id) belongs to \(existing.owner), not \(satkerText)")
        }
        guard registry.contains(owner) else { throw ZISyncError("column 'satker': unknown satker '\(owner)'") }
        if let rule = auth.writeRule(type: .actionPlan, origin: node, owner: owner) { throw ZISyncError(rule) }
        if existing == nil {
            // Checked before anything is written (all or nothing), by the schema's own rule.
            fields = fields.filter { !$0.value.isNull }
            if let field = schema.emptyRequired(fields, creates: true).first {
                let column = PlanSheet.columns.first { $0.field == field }?.header ?? field
                throw ZISyncError("column '\(column)' is empty (a new plan needs it)")
            }
        } else {
            fields = fields.filter { existing![$0.key] != $0.value }
        }
        if fields.isEmpty { return nil }
        return PlanSheet.Planned(
            id: existing?.id ?? Validation.newRecordID(), owner: owner, fields: fields, isNew: existing == nil)
    }

    /// A row's cells as plan fields, each parsed and checked by the plan schema; a bad cell
    /// throws naming its column.
    private static func rowFields(
        _ row: CSVFile.Row, schema: RecordSchema, auth: Authorization
    ) throws -> [String: FieldValue] {
        var fields: [String: FieldValue] = [:]
        for (column, cellText) in row.values {
            guard let field = PlanSheet.aliases[column] else { continue }
            let text = PlanSheet.restored(cellText)
            do {
                let value = try schema.parse(field: field, text: text)
                if let p = schema.problem(field: field, value: value, lkeCodeExists: auth.lkeCodeExists) {
                    throw ZISyncError(p)
                }
                fields[field] = value
            } catch let e as ZISyncError {
                throw ZISyncError("column '\(column)': \(e.description)")
            }
        }
        return fields
    }
}
