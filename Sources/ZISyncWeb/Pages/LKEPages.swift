import Foundation
import Hummingbird
import ZISyncCore
import ZISyncScoring
import ZISyncStore

/// How a page shows a scored LKE (`ScoredLKE`, the one scoring of the store's answers).
extension ScoredLKE {
    /// Each area's percent as a bar against the WBK and WBBM lines.
    var areaBars: [[String: Any]] {
        score.areas.map { a in
            [
                "area": Words.areaNames[a.area] ?? a.area, "percent": Words.figure(a.percent),
                "width": String(format: "%.1f", min(100, max(0, a.percent))),
                "meetsWBK": rounded2(a.percent) >= LKEReadiness.areaPercentRequired(wbbm: false),
                "meetsWBBM": rounded2(a.percent) >= LKEReadiness.areaPercentRequired(wbbm: true),
            ]
        }
    }

    /// A readiness verdict in words: met, or every rule not met with its figures.
    func verdict(_ v: LKEReadiness.Verdict, name: String) -> [String: Any] {
        ["name": name, "meets": v.meets, "failed": v.failed.map(Self.words)]
    }

    static func words(_ rule: LKEReadiness.Rule) -> String {
        let short = Words.figure(rule.required - rule.actual)
        switch rule.rule {
        case "predikat wbk":
            return rule.actual == 0
                ? "Belum memperoleh predikat Menuju WBK (syarat Menuju WBBM)."
                : "Predikat Menuju WBK baru \(Words.figure(rule.actual)) tahun; Menuju WBBM mensyaratkan paling sedikit \(Words.figure(rule.required)) tahun penuh."
        case "total":
            return
                "Nilai total \(Words.figure(rule.actual)) dari \(Words.figure(rule.required)) yang disyaratkan (kurang \(short))."
        case "pengungkit":
            return
                "Komponen pengungkit \(Words.figure(rule.actual)) dari \(Words.figure(rule.required)) (kurang \(short))."
        case "birokrasi bersih dan akuntabel":
            return
                "Hasil birokrasi bersih dan akuntabel \(Words.figure(rule.actual)) dari \(Words.figure(rule.required))."
        case "ipak": return "IPAK \(Words.figure(rule.actual)) dari \(Words.figure(rule.required))."
        case "kinerja": return "Capaian kinerja \(Words.figure(rule.actual)) dari \(Words.figure(rule.required))."
        case "ipkp": return "IPKP \(Words.figure(rule.actual)) dari \(Words.figure(rule.required))."
        default:
            // "area sdm (%)"
            let slug = rule.rule.replacingOccurrences(of: "area ", with: "").replacingOccurrences(of: " (%)", with: "")
            return
                "Area \(Words.areaNames[slug] ?? slug) \(Words.figure(rule.actual))% dari \(Words.figure(rule.required))% (kurang \(short))."
        }
    }
}

extension WebSite {
    /// The satker a page is about: this office, or one below it (`?satker=`).
    func satker(_ code: String?) throws -> String {
        guard let code, !code.isEmpty else { return node }
        guard store.registry.contains(code), store.subtree.contains(code) else {
            throw WebRefusal.notFound("Satker \(code) tidak ada di bawah kantor ini.")
        }
        return code
    }

    func cycle(_ text: String?) throws -> Int {
        guard let text, !text.isEmpty else { return CalendarDay.thisYear() }
        guard let y = Int(text), (2000...2100).contains(y) else {
            throw WebRefusal.bad("Tahun siklus tidak sah: \(text)")
        }
        return y
    }

    /// A form that writes an LKE layer: who sends it, the form, its satker and cycle, and the
    /// layer this office writes for that satker, which the person's role must allow.
    func lkeWrite(_ context: WebContext) throws -> (WebSession, Form, String, Int, AssessmentLayer) {
        let s = try context.person()
        let form = context.form ?? Form(urlencoded: "")
        let satker = try satker(form["satker"])
        let cycle = try cycle(form["siklus"])
        let (layer, writable) = layer(for: satker)
        guard writable else { throw WebRefusal.forbidden("Kantor ini tidak mengisi LKE \(satker).") }
        try s.require(.lke(layer))
        return (s, form, satker, cycle, layer)
    }

    /// The layer this office writes for `satker`, else the unit's (read only).
    func layer(for satker: String) -> (layer: AssessmentLayer, writable: Bool) {
        if let l = LKEAnswers(store).defaultLayer(for: satker) { return (l, true) }
        return (.unit, false)
    }

    func registerLKE(on router: RouterGroup<WebContext>) {
        router.get("/lke") { request, context -> Response in
            let q = request.uri.queryParameters
            return try lkePage(
                context: context, satker: try satker(q["satker"].map(String.init)),
                cycle: try cycle(q["siklus"].map(String.init)), area: q["area"].map(String.init),
                notice: Self.notice(of: request))
        }
        router.post("/lke/jawab") { _, context -> Response in
            let (s, form, satker, cycle, layer) = try lkeWrite(context)
            let code = form["kode"] ?? ""
            let area = form["area"] ?? ""
            let back = "/lke?satker=\(satker)&siklus=\(cycle)&area=\(area)"
            let evidence = form.all("bukti").filter { !$0.isEmpty }
            do {
                _ = try LKEAnswers(store).write(
                    [
                        .init(
                            code: code, answer: form.text("jawaban"), note: form.text("catatan"),
                            evidence: evidence)
                    ], satker: satker, cycle: cycle, layer: layer, actor: s.actor(at: node))
            } catch let e as ZISyncError {
                // Shown beside the question, with what was typed.
                return try lkePage(
                    context: context, satker: satker, cycle: cycle, area: area, status: .unprocessableContent,
                    fieldError: (code, e.description, form.text("jawaban") ?? "", form.text("catatan") ?? ""))
            }
            return Self.seeOther(back + "#q-\(code)", notice: "Jawaban \(code) tersimpan.")
        }
    }

    func lkePage(
        context: WebContext, satker: String, cycle: Int, area: String?, notice: String? = nil,
        status: HTTPResponse.Status = .ok,
        fieldError: (code: String, message: String, answer: String, note: String)? =
            nil,
        importError: String? = nil
    ) throws -> Response {
        let s = try context.person()
        let (layer, writable) = layer(for: satker)
        let lke = try ScoredLKE(store: store, satker: satker, cycle: cycle, layer: layer)
        let cycleStatus = try Evaluation(store).status(satker: satker, cycle: cycle)
        // A submitted LKE is read-only for the unit until it is returned (the store refuses too).
        let locked = layer == .unit && cycleStatus.state == .submitted
        let canWrite = writable && s.account.role.may(.lke(layer)) && !locked
        let returnedItems = Set(cycleStatus.state == .returned ? cycleStatus.returns.last?.items ?? [] : [])
        let areas = Area.allCases.map(\.rawValue) + ["hasil"]
        let current = area.flatMap { areas.contains($0) ? $0 : nil } ?? areas[0]
        let values = Dictionary(lke.score.items.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        // This satker's bukti dukung, for linking to a question.
        let evidence = try store.records.list(.evidence, owners: [satker]).filter { !$0.isDeleted }
        var rows: [[String: Any]] = []
        for item in lke.model.items where lke.model.isInput(item.code) {
            let itemArea = item.area.isEmpty ? "hasil" : item.area
            guard itemArea == current, let type = lke.model.answerType(item.code) else { continue }
            let mine = lke.answers[layer]?[item.code]
            let others: [[String: Any]] = AssessmentLayer.allCases.filter { $0 != layer }.compactMap { l in
                guard let a = lke.answers[l]?[item.code], a.answer != nil || a.note != nil else { return nil }
                return ["layer": l.rawValue, "answer": a.answer ?? "–", "note": a.note ?? ""]
            }
            let given = Set(AssessmentLayer.allCases.compactMap { lke.answers[$0]?[item.code]?.answer })
            let failed = fieldError?.code == item.code ? fieldError : nil
            let answer = failed?.answer ?? mine?.answer ?? ""
            let linked = Set(mine?.evidence ?? [])
            let choices: [[String: Any]] =
                switch type {
                case .yaTidak: ["Ya", "Tidak"].map { ["value": $0, "checked": $0 == answer] }
                case .abc, .abcd, .abcde:
                    Array("ABCDE".prefix(type == .abc ? 3 : type == .abcd ? 4 : 5)).map {
                        ["value": String($0), "checked": String($0) == answer]
                    }
                default: []
                }
            rows.append([
                "code": item.code, "name": item.name, "penjelasan": item.penjelasan, "choices": choices,
                "isChoice": !choices.isEmpty, "isNumber": type == .jumlah, "isIndex": type == .nilai04,
                "answer": answer, "note": failed?.note ?? mine?.note ?? "",
                "value": values[item.code].map { Words.figure($0.value) } ?? "–",
                "others": others, "disagree": given.count > 1, "conflicted": mine?.conflicted ?? false,
                "returned": returnedItems.contains(item.code),
                "error": failed?.message as Any,
                "evidence": evidence.filter { e in
                    linked.contains(e.id) || Validation.lkeCodes(e.string("lke") ?? "").contains(item.code)
                }.map { e in
                    ["id": e.id, "title": e.string("title") ?? e.id, "checked": linked.contains(e.id)] as [String: Any]
                },
            ])
        }
        let areaScore = lke.score.areas.first { $0.area == current }
        // A refusal for a code not on this tab (a hand-made request) is shown above the sheet.
        let shown = rows.contains { ($0["code"] as? String) == fieldError?.code }
        let formError = fieldError.flatMap { shown ? nil : "\($0.code): \($0.message)" }
        return try page(
            "lke", title: "LKE \(satker) \(cycle)", context: context, status: status,
            [
                "satker": satker, "satkerName": store.registry[satker]?.name ?? satker, "cycle": cycle,
                "layer": layer.rawValue, "canWrite": canWrite, "notice": notice as Any,
                "tabs": areas.map { a in
                    [
                        "slug": a, "label": a == "hasil" ? "Hasil" : Words.areaNames[a] ?? a, "active": a == current,
                        "href": "/lke?satker=\(satker)&siklus=\(cycle)&area=\(a)",
                    ] as [String: Any]
                },
                "area": current, "areaLabel": current == "hasil" ? "Hasil" : Words.areaNames[current] ?? current,
                "areaPercent": areaScore.map { Words.figure($0.percent) } ?? "–",
                "hasilScore": Words.figure(lke.score.hasil), "total": Words.figure(lke.score.total),
                "pengungkit": Words.figure(lke.score.pengungkit), "unanswered": lke.score.unanswered,
                "rows": rows, "formError": formError as Any, "importError": importError as Any,
                "readOnlyReason": canWrite
                    ? ""
                    : locked
                        ? "LKE ini sudah dikirim (pengiriman \(cycleStatus.submissions.count)); lapis unit hanya dapat dibaca sampai dikembalikan."
                        : readOnlyReason(s, layer: layer, writable: writable),
                "cyclePanel": cyclePanel(s, satker: satker, cycle: cycle, status: cycleStatus),
                "prerequisites": try prerequisitePanel(s, satker: satker, cycle: cycle),
            ])
    }

    func readOnlyReason(_ s: WebSession, layer: AssessmentLayer, writable: Bool) -> String {
        writable
            ? "Peran \(s.account.role.label) hanya dapat membaca lapis \(layer.rawValue)."
            : "Kantor ini tidak mengisi LKE satker ini; lembar kerja hanya dapat dibaca."
    }
}
