import Foundation
import Hummingbird
import ZISyncCore
import ZISyncStore

/// Rencana aksi: the list (by area and status, overdue marked), the form to add and edit one,
/// and the CSV import with the CLI's all-or-nothing check.
extension WebSite {
    /// The fields the form edits, in its order, with their labels.
    static let planFields: [(name: String, label: String)] = [
        ("area", "Area perubahan"), ("activity", "Kegiatan"), ("lke", "Kode LKE"), ("output", "Rencana output"),
        ("target", "Target"), ("start", "Mulai"), ("deadline", "Tenggat"), ("pic", "Penanggung jawab"),
        ("status", "Status"), ("progress", "Progres (%)"), ("realisation", "Realisasi"), ("obstacles", "Kendala"),
    ]

    func registerPlans(on router: RouterGroup<WebContext>) {
        router.get("/rencana-aksi") { request, context -> Response in try listPlans(request, context: context) }
        router.get("/rencana-aksi/baru") { _, context -> Response in try newPlan(context: context) }
        router.post("/rencana-aksi") { _, context -> Response in try createPlan(context: context) }
        router.get("/rencana-aksi/:id") { request, context -> Response in try editPlan(request, context: context) }
        router.post("/rencana-aksi/:id") { _, context -> Response in try updatePlan(context: context) }
        router.post("/rencana-aksi/impor") { _, context -> Response in try importPlans(context: context) }
    }

    /// GET /rencana-aksi: the list, filtered by the query (satker, area, status) with its notice.
    func listPlans(_ request: Request, context: WebContext) throws -> Response {
        let q = request.uri.queryParameters
        return try planList(
            context: context, satker: try satker(q["satker"].map(String.init)), area: q["area"].map(String.init),
            status: q["status"].map(String.init), notice: Self.notice(of: request))
    }

    /// GET /rencana-aksi/baru: the empty form, for those who may write plans.
    func newPlan(context: WebContext) throws -> Response {
        try context.person().require(.plans)
        return try planForm(context: context, plan: nil, values: ["status": "draft"], errors: [:])
    }

    /// POST /rencana-aksi: adds the plan and shows it, or the form again with what is wrong.
    func createPlan(context: WebContext) throws -> Response {
        let s = try context.person()
        try s.require(.plans)
        let form = context.form ?? Form(urlencoded: "")
        let (fields, values, errors) = parsePlan(form)
        guard errors.isEmpty else {
            return try planForm(
                context: context, plan: nil, values: values, errors: errors, status: .unprocessableContent)
        }
        do {
            let id = try Plans(store).add(
                fields: fields.compactMapValues { $0.isNull ? nil : $0 }, actor: s.actor(at: node))
            return Self.seeOther("/rencana-aksi/\(id)", notice: "Rencana aksi tersimpan.")
        } catch let e as ZISyncError {
            return try planForm(
                context: context, plan: nil, values: values, errors: ["_": Self.refusal(e)],
                status: .unprocessableContent)
        }
    }

    /// GET /rencana-aksi/:id: the form filled with the plan's fields, its evidence and latest review.
    func editPlan(_ request: Request, context: WebContext) throws -> Response {
        let plan = try plan(context.parameters.get("id"))
        var values: [String: String] = [:]
        for f in Self.planFields { values[f.name] = plan[f.name].formText }
        return try planForm(
            context: context, plan: plan, values: values, errors: [:],
            notice: Self.notice(of: request))
    }

    /// POST /rencana-aksi/:id: writes what changed and shows the plan, or the form again with what is wrong.
    func updatePlan(context: WebContext) throws -> Response {
        let s = try context.person()
        try s.require(.plans)
        let plan = try plan(context.parameters.get("id"))
        let form = context.form ?? Form(urlencoded: "")
        let (fields, values, errors) = parsePlan(form)
        guard errors.isEmpty else {
            return try planForm(
                context: context, plan: plan, values: values, errors: errors, status: .unprocessableContent)
        }
        do {
            guard try Plans(store).update(plan.id, fields: fields, actor: s.actor(at: node)) != nil else {
                return Self.seeOther("/rencana-aksi/\(plan.id)", notice: "Tidak ada perubahan.")
            }
        } catch let e as ZISyncError {
            return try planForm(
                context: context, plan: plan, values: values, errors: ["_": Self.refusal(e)],
                status: .unprocessableContent)
        }
        return Self.seeOther("/rencana-aksi/\(plan.id)", notice: "Perubahan tersimpan.")
    }

    /// POST /rencana-aksi/impor: imports a CSV sheet all or nothing, and says what it did or why not.
    func importPlans(context: WebContext) throws -> Response {
        let s = try context.person()
        try s.require(.plans)
        let form = context.form ?? Form(urlencoded: "")
        let name = form.text("nama_berkas") ?? "rencana-aksi.csv"
        guard let csv = form["csv"], !csv.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try planList(
                context: context, satker: node, area: nil, status: nil, importError: "Pilih berkas CSV dulu.",
                httpStatus: .unprocessableContent)
        }
        do {
            let r = try Plans(store).importSheet(.text(csv), name: name, actor: s.actor(at: node))
            return Self.seeOther(
                "/rencana-aksi",
                notice: "Impor selesai: \(r.created) baru, \(r.updated) diperbarui, \(r.unchanged) tidak berubah.")
        } catch let e as ZISyncError {
            // Nothing was written: the sheet is checked whole before the first write.
            return try planList(
                context: context, satker: node, area: nil, status: nil,
                importError: "Tidak ada yang diimpor. \(e.description)", csv: csv, httpStatus: .unprocessableContent
            )
        }
    }

    func plan(_ id: String?) throws -> StoredRecord {
        guard let id, Validation.isRecordID(id, of: .actionPlan), let plan = try store.records.get(id),
            plan.type == RecordType.actionPlan.rawValue,
            !plan.isDeleted, store.subtree.contains(plan.owner)
        else { throw WebRefusal.notFound("Rencana aksi tidak ditemukan.") }
        return plan
    }

    /// The form's fields parsed by the plan schema; every problem by field, in words.
    func parsePlan(_ form: Form) -> ([String: FieldValue], [String: String], [String: String]) {
        let schema = RecordType.actionPlan.schema
        let auth = store.authorization
        var fields: [String: FieldValue] = [:]
        var values: [String: String] = [:]
        var errors: [String: String] = [:]
        for f in Self.planFields {
            let text = (form[f.name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            values[f.name] = text
            // The schema says which fields a plan must have; none may be left or made empty.
            if text.isEmpty && schema.required.contains(f.name) {
                errors[f.name] = "\(f.label) wajib diisi."
                continue
            }
            if let problem = FieldWords.problem(schema, f.name, text: text, lkeCodeExists: auth.lkeCodeExists) {
                errors[f.name] = problem
                continue
            }
            if let value = try? schema.parse(field: f.name, text: text) { fields[f.name] = value }
        }
        return (fields, values, errors)
    }

    /// A refusal of the store's rules, for the person.
    static func refusal(_ e: ZISyncError) -> String { "Ditolak oleh aturan penyimpanan: \(e.description)" }

    func planForm(
        context: WebContext, plan: StoredRecord?, values: [String: String], errors: [String: String],
        status: HTTPResponse.Status = .ok, notice: String? = nil
    ) throws -> Response {
        let s = try context.person()
        let fields: [[String: Any]] = Self.planFields.map { f in
            var row: [String: Any] = [
                "name": f.name, "label": f.label, "value": values[f.name] ?? "", "error": errors[f.name] as Any,
                "isLong": ["activity", "output", "realisation", "obstacles"].contains(f.name),
                "isDate": f.name == "start" || f.name == "deadline", "isSelect": f.name == "area" || f.name == "status",
            ]
            if f.name == "area" {
                row["options"] = Area.allCases.map { a in
                    [
                        "value": a.rawValue, "label": Words.areaNames[a.rawValue] ?? a.rawValue,
                        "selected": values["area"] == a.rawValue,
                    ]
                        as [String: Any]
                }
            } else if f.name == "status" {
                row["options"] = RecordSchema.planStatuses.map { v in
                    ["value": v, "label": Words.statusNames[v] ?? v, "selected": values["status"] == v] as [String: Any]
                }
            }
            return row
        }
        var evidence: [[String: Any]] = []
        var review: [String: Any]?
        if let plan {
            evidence = try Evidence(store).list(plan: plan.id).map { e in evidenceRow(e) }
            if let r = try Reviews(store).latest(of: plan.id) {
                review = [
                    "verdict": Words.verdictNames[r.string("verdict") ?? ""] ?? "", "note": r.string("note") ?? "",
                    "by": r.string("reviewer") ?? "",
                ]
            }
        }
        return try page(
            "rencana-form", title: plan == nil ? "Rencana aksi baru" : "Rencana aksi", context: context, status: status,
            [
                "plan": plan.map { ["id": $0.id, "owner": $0.owner] } as Any, "fields": fields,
                "formError": errors["_"] as Any, "canWrite": s.account.role.may(.plans), "evidence": evidence,
                "review": review as Any, "notice": notice as Any,
                "action": plan.map { "/rencana-aksi/\($0.id)" } ?? "/rencana-aksi",
            ])
    }

    func planList(
        context: WebContext, satker: String, area: String?, status: String?, notice: String? = nil,
        importError: String? = nil, csv: String = "", httpStatus: HTTPResponse.Status = .ok
    ) throws -> Response {
        let s = try context.person()
        let areaFilter = area.flatMap(Area.init(parsing:))
        let today = CalendarDay.today()
        var rows: [[String: Any]] = []
        for p in try Plans(store).list(owners: [satker], area: areaFilter) {
            let st = p.string("status") ?? "draft"
            if let status, !status.isEmpty, status != "terlambat-tenggat", st != status { continue }
            let overdue =
                (p.string("deadline").map { $0 < today } ?? false)
                && !["selesai", "diverifikasi", "dibatalkan"].contains(st)
            if status == "terlambat-tenggat" && !overdue { continue }
            rows.append([
                "id": p.id, "activity": p.string("activity") ?? "",
                "area": Words.areaNames[p.string("area") ?? ""] ?? "",
                "lke": p.string("lke") ?? "", "deadline": p.string("deadline") ?? "–", "pic": p.string("pic") ?? "",
                "status": Words.statusNames[st] ?? st, "progress": p["progress"].formText, "overdue": overdue,
            ])
        }
        let statusOptions =
            [["value": "", "label": "Semua status", "selected": (status ?? "").isEmpty]]
            + [["value": "terlambat-tenggat", "label": "Lewat tenggat", "selected": status == "terlambat-tenggat"]]
            + RecordSchema.planStatuses.map {
                ["value": $0, "label": Words.statusNames[$0] ?? $0, "selected": status == $0]
            }
        let areaOptions =
            [["value": "", "label": "Semua area", "selected": areaFilter == nil]]
            + Area.allCases.map {
                [
                    "value": $0.rawValue, "label": Words.areaNames[$0.rawValue] ?? $0.rawValue,
                    "selected": areaFilter == $0,
                ]
            }
        return try page(
            "rencana", title: "Rencana aksi", context: context, status: httpStatus,
            [
                "rows": rows, "count": rows.count, "satker": satker,
                "satkerName": store.registry[satker]?.name ?? satker,
                "areaOptions": areaOptions, "statusOptions": statusOptions, "canWrite": s.account.role.may(.plans),
                "notice": notice as Any, "importError": importError as Any, "csv": csv,
            ])
    }
}

/// A field's problem in words. Whether there is one is the schema's own answer (its parse and
/// its check, as the store applies them); only the sentence is the web's.
enum FieldWords {
    static func problem(
        _ schema: RecordSchema, _ name: String, text: String, lkeCodeExists: (String) -> Bool
    ) -> String? {
        guard let kind = schema.fields[name] else { return "Isian tidak dikenal." }
        if let value = try? schema.parse(field: name, text: text),
            schema.problem(field: name, value: value, lkeCodeExists: lkeCodeExists) == nil
        {
            return nil
        }
        switch kind {
        case .text(let max):
            return text.utf8.count > max
                ? "Terlalu panjang: paling banyak \(max) byte."
                : "Berisi karakter kendali; hanya teks, tab dan baris baru."
        case .integer(let range): return "Harus bilangan bulat \(range.lowerBound)–\(range.upperBound)."
        case .date: return "Tanggal harus berbentuk TTTT-BB-HH, mis. 2026-12-31."
        case .choice(let options): return "Pilih salah satu: \(options.joined(separator: ", "))."
        case .lkeCodes:
            let unknown = Validation.lkeCodes(text).filter { !lkeCodeExists($0) }
            return unknown.isEmpty
                ? "Kode LKE tidak sah." : "Kode LKE tidak dikenal: \(unknown.joined(separator: ", "))."
        case .boolean: return "Isi ya atau tidak."
        case .recordID, .sha256: return "Isian tidak sah."
        }
    }
}

extension FieldValue {
    /// The value as a form field shows it ("" for none).
    var formText: String {
        switch self {
        case .null: ""
        case .string(let s): s
        case .int(let i): String(i)
        case .bool(let b): b ? "ya" : "tidak"
        }
    }
}
