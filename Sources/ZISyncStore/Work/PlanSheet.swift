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
    /// Imports a rencana aksi sheet. Throws, naming every bad line, before writing anything.
    public func importSheet(csv text: String, name: String, actor: String) throws -> PlanSheet.ImportResult {
        let node = store.node
        let registry = store.registry
        let rows = try CSVFile.parse(text, name: name)
        let schema = RecordType.actionPlan.schema
        let auth = store.authorization
        try Self.checkColumns(of: rows, name: name)
        var planned: [PlanSheet.Planned] = []
        var problems: [String] = []
        var unchanged = 0
        for row in rows {
            do {
                if let p = try plannedWrite(row, node: node, registry: registry, schema: schema, auth: auth) {
                    planned.append(p)
                } else {
                    unchanged += 1
                }
            } catch let e as ZISyncError {
                problems.append("\(name) line \(row.line): \(e.description)")
            }
        }
        if !problems.isEmpty {
            throw ZISyncError(
                "\(problems.count) bad row(s), nothing imported:\n" + problems.joined(separator: "\n"))
        }
        try writePlanned(planned, actor: actor)
        let created = planned.filter(\.isNew).count
        return .init(created: created, updated: planned.count - created, unchanged: unchanged)
    }

    /// Refuses a sheet with a column that is neither a plan field (by any of its names) nor
    /// id or satker, before any row is read.
    private static func checkColumns(of rows: [CSVFile.Row], name: String) throws {
        let known = Set(rows.first?.values.keys.map { $0 } ?? [])
        let unknown = known.filter { PlanSheet.aliases[$0] == nil && $0 != "id" && $0 != "satker" && !$0.isEmpty }
        if !unknown.isEmpty {
            throw ZISyncError(
                "\(name) line 1: unknown column(s) \(unknown.sorted().joined(separator: ", ")); expected id, satker, \(PlanSheet.columns.map(\.header).joined(separator: ", "))"
            )
        }
    }

    /// One row checked into a planned write (nil when it changes nothing): its fields, the plan
    /// it names, its owner and the write rule. A bad row throws a `ZISyncError` naming the column.
    private func plannedWrite(
        _ row: CSVFile.Row, node: String, registry: SatkerRegistry, schema: RecordSchema, auth: Authorization
    ) throws -> PlanSheet.Planned? {
        var fields = try Self.rowFields(row, schema: schema, auth: auth)
        let idText = row["id"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let existing = idText.isEmpty ? nil : try store.records.get(idText)
        if !idText.isEmpty, existing == nil {
            throw ZISyncError("column 'id': no plan with id '\(idText)' on this node")
        }
        if let existing, existing.type != RecordType.actionPlan.rawValue {
            throw ZISyncError("column 'id': \(idText) is a \(existing.type), not a plan")
        }
        let satkerText = row["satker"]?.trimmingCharacters(in: .whitespaces) ?? ""
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

    /// Writes the checked rows in one transaction: all of them, or none.
    private func writePlanned(_ planned: [PlanSheet.Planned], actor: String) throws {
        try store.writeBatch { w in
            for p in planned {
                try w.write(type: .actionPlan, recordID: p.id, owner: p.owner, fields: p.fields, actor: actor)
            }
        }
    }
}
