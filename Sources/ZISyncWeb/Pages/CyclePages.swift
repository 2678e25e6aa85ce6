import Foundation
import Hummingbird
import ZISyncCore
import ZISyncStore

/// The evaluation cycle in the web app (issue 22): "Kirim LKE" for the unit, the return and the
/// verdict for its reviewers, on the LKE page; the assessment queue with the cycle's progress as a
/// picture at a province and KPU RI; the stage and its days left on Beranda. Every step goes
/// through the store's `Evaluation`, so the page refuses what the CLI and every parent refuse.
extension WebSite {
    func registerCycle(on router: RouterGroup<WebContext>) {
        router.post("/lke/kirim") { _, context -> Response in
            let s = try context.person()
            try s.require(.lke(.unit))
            let form = context.form ?? Form(urlencoded: "")
            let cycle = try cycle(form["siklus"])
            let back = "/lke?siklus=\(cycle)"
            return try refusedInWords("LKE tidak dapat dikirim") {
                let made = try Evaluation(store).submit(
                    cycle: cycle, note: form.text("catatan"), actor: s.actor(at: node))
                return Self.seeOther(
                    back,
                    notice:
                        "LKE terkirim (pengiriman \(made.step.n), nilai \(made.score ?? "-")). Lapis unit kini hanya dapat dibaca."
                )
            }
        }
        router.post("/lke/kembalikan") { _, context -> Response in
            let s = try context.person()
            let form = context.form ?? Form(urlencoded: "")
            let satker = try satker(form["satker"])
            let cycle = try cycle(form["siklus"])
            try s.require(.lke(try reviewerLayer(for: satker)))
            let items = try Self.itemNotes(form.text("butir") ?? "")
            return try refusedInWords("LKE tidak dapat dikembalikan") {
                let back = try Evaluation(store).returnForRevision(
                    satker: satker, cycle: cycle, note: form.text("catatan") ?? "", items: items,
                    actor: s.actor(at: node))
                return Self.seeOther(
                    "/lke?satker=\(satker)&siklus=\(cycle)",
                    notice: "LKE \(satker) dikembalikan untuk revisi \(back.step.n).")
            }
        }
        router.post("/lke/putusan") { _, context -> Response in
            let s = try context.person()
            let form = context.form ?? Form(urlencoded: "")
            let satker = try satker(form["satker"])
            let cycle = try cycle(form["siklus"])
            try s.require(.lke(.provinsi))
            guard let verdict = form["putusan"].flatMap(ProvinceVerdict.init(rawValue:)) else {
                throw WebRefusal.unprocessable("Pilih putusan: layak atau belum layak diusulkan.")
            }
            try refusedInWords("Putusan tidak dapat disimpan") {
                try Evaluation(store).giveVerdict(
                    satker: satker, cycle: cycle, verdict: verdict, note: form.text("catatan"), actor: s.actor(at: node)
                )
            }
            return Self.seeOther(
                "/lke?satker=\(satker)&siklus=\(cycle)",
                notice: "Putusan penilaian pendahuluan \(satker): \(Self.verdictWords(verdict)).")
        }
        router.post("/lke/simpulan") { _, context -> Response in
            let s = try context.person()
            try s.require(.conclude)
            let form = context.form ?? Form(urlencoded: "")
            let satker = try satker(form["satker"])
            let cycle = try cycle(form["siklus"])
            guard let conclusion = form["simpulan"].flatMap(TPIConclusion.init(rawValue:)),
                let step = form["tahap"].flatMap(TPIStep.init(rawValue:))
            else {
                throw WebRefusal.unprocessable("Pilih simpulan (memenuhi atau belum memenuhi) dan tahapnya.")
            }
            try refusedInWords("Simpulan tidak dapat disimpan") {
                try Evaluation(store).conclude(
                    satker: satker, cycle: cycle, conclusion: conclusion, step: step, note: form.text("catatan"),
                    actor: s.actor(at: node))
            }
            return Self.seeOther(
                "/lke?satker=\(satker)&siklus=\(cycle)",
                notice: "Simpulan TPI \(satker) (\(step.title)): \(EvaluationReport.conclusionWords(conclusion)).")
        }
        router.post("/lke/usulan") { _, context -> Response in
            let s = try context.person()
            try s.require(.propose)
            let form = context.form ?? Form(urlencoded: "")
            let satker = try satker(form["satker"])
            let cycle = try cycle(form["siklus"])
            guard let category = form["kategori"], category == "wbk" || category == "wbbm" else {
                throw WebRefusal.unprocessable("Pilih kategori usulan: Menuju WBK atau Menuju WBBM.")
            }
            try refusedInWords("Usulan tidak dapat disimpan") {
                try Evaluation(store).propose(
                    satker: satker, cycle: cycle, category: category, override: form.text("alasan"),
                    actor: s.actor(at: node))
            }
            return Self.seeOther(
                "/lke?satker=\(satker)&siklus=\(cycle)",
                notice: "\(satker) diusulkan untuk Menuju \(category.uppercased()).")
        }
        router.post("/lke/prasyarat") { _, context -> Response in
            let s = try context.person()
            let form = context.form ?? Form(urlencoded: "")
            let satker = try satker(form["satker"])
            let cycle = try cycle(form["siklus"])
            guard mayWritePrerequisites(s, satker: satker) else {
                throw WebRefusal.forbidden("Peran \(s.account.role.label) tidak boleh mengisi prasyarat \(satker).")
            }
            guard let item = form["butir"].flatMap(Prerequisite.init(rawValue:)) else {
                throw WebRefusal.unprocessable("Pilih butir prasyarat.")
            }
            try refusedInWords("Prasyarat tidak dapat disimpan") {
                try Evaluation(store).setPrerequisite(
                    satker: item.isAgency ? SatkerRegistry.root : satker, cycle: cycle, item: item,
                    value: form.text("nilai") ?? "", note: form.text("catatan"), evidence: [], actor: s.actor(at: node))
            }
            return Self.seeOther(
                "/lke?satker=\(satker)&siklus=\(cycle)#prasyarat", notice: "Prasyarat \(item.title) tersimpan.")
        }
        router.post("/jadwal") { _, context -> Response in
            let s = try context.person()
            try s.require(.propose)  // KPU RI's operator plans the cycle it proposes from
            let form = context.form ?? Form(urlencoded: "")
            let cycle = try cycle(form["siklus"])
            guard let stage = form["tahap"].flatMap(EvaluationStage.init(rawValue:)) else {
                throw WebRefusal.unprocessable("Pilih tahap.")
            }
            try refusedInWords("Jadwal tidak dapat disimpan") {
                try Evaluation(store).setWindow(
                    cycle: cycle, stage: stage, from: form.text("dari") ?? "", to: form.text("sampai") ?? "",
                    reason: form.text("alasan"), actor: s.actor(at: node))
            }
            return Self.seeOther(
                "/penilaian?siklus=\(cycle)#jadwal", notice: "Jadwal \(stage.title) \(cycle) tersimpan.")
        }
        router.get("/penilaian") { request, context -> Response in
            try requireChildren()
            let q = request.uri.queryParameters
            return try assessmentQueue(
                context: context, cycle: try cycle(q["siklus"].map(String.init)), notice: Self.notice(of: request))
        }
    }

    /// Whether this person may enter `satker`'s prerequisites: the unit's ZI team at its own office,
    /// a reviewer or the operator at an office above it (the store's rules decide the rest).
    func mayWritePrerequisites(_ s: WebSession, satker: String) -> Bool {
        satker == node
            ? s.account.role.may(.lke(.unit))
            : s.account.role == .operator || s.account.role == .penilai || s.account.role == .tpi
    }

    /// The prerequisites part of the LKE page: each item's value, and the rules not met.
    func prerequisitePanel(_ s: WebSession, satker: String, cycle: Int) throws -> [String: Any] {
        let evaluation = Evaluation(store)
        let unit = try evaluation.prerequisites(satker: satker, cycle: cycle)
        let agency = try evaluation.prerequisites(satker: SatkerRegistry.root, cycle: cycle)
        let check = try evaluation.checkPrerequisites(satker: satker, cycle: cycle)
        let items = Prerequisite.allCases.filter { !$0.isAgency || node == SatkerRegistry.root }
        return [
            "rows": Prerequisite.allCases.map { p in
                [
                    "item": p.rawValue, "title": p.title + (p.isAgency ? " (KPU)" : ""),
                    "value": (p.isAgency ? agency[p] : unit[p])?.value ?? "belum diisi",
                ]
            },
            "wbk": check.wbk.isEmpty
                ? "terpenuhi" : "belum: " + check.wbk.map(EvaluationReport.ruleWords).joined(separator: "; "),
            "wbbm": check.wbbm.isEmpty
                ? "terpenuhi" : "belum: " + check.wbbm.map(EvaluationReport.ruleWords).joined(separator: "; "),
            "mayWrite": mayWritePrerequisites(s, satker: satker),
            "choices": items.map { ["value": $0.rawValue, "label": $0.title] },
        ]
    }

    /// `body`, with a refusal by the store's rules turned into a 422 page that says what failed.
    @discardableResult
    func refusedInWords<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as ZISyncError {
            throw WebRefusal.unprocessable("\(what): \(Self.refusal(e))")
        }
    }

    /// The layer this office assesses `satker` in, or why it assesses none.
    func reviewerLayer(for satker: String) throws -> AssessmentLayer {
        guard satker != node, let layer = LKEAnswers(store).defaultLayer(for: satker), layer != .unit else {
            throw WebRefusal.forbidden("Kantor ini tidak menilai LKE \(satker).")
        }
        return layer
    }

    /// `KODE: catatan` per line (a note per item of a return), blank lines skipped.
    static func itemNotes(_ text: String) throws -> [(code: String, note: String)] {
        var out: [(code: String, note: String)] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = String(line).trimmedOfWhitespace
            guard !trimmed.isEmpty else { continue }
            guard let colon = trimmed.firstIndex(of: ":"), !trimmed[..<colon].isEmpty else {
                throw WebRefusal.unprocessable(
                    "Baris \(i + 1) catatan butir: tulis KODE: catatan, misalnya A.I.1.i.a: SK belum ada.")
            }
            out.append(
                (
                    String(trimmed[..<colon]).trimmedOfWhitespace,
                    String(trimmed[trimmed.index(after: colon)...]).trimmedOfWhitespace
                ))
        }
        return out
    }

    static func verdictWords(_ v: ProvinceVerdict) -> String {
        v == .layak ? "layak diusulkan" : "belum layak diusulkan"
    }

    static func stateWords(_ s: Evaluation.UnitStatus.State) -> String {
        switch s {
        case .draft: "belum dikirim"
        case .submitted: "dikirim"
        case .returned: "dikembalikan"
        }
    }

    /// The cycle panel of the LKE page: where `satker`'s LKE stands and what this person may do.
    func cyclePanel(_ s: WebSession, satker: String, cycle: Int, status: Evaluation.UnitStatus) -> [String: Any] {
        let lastReturn = status.returns.last
        let last = status.submissions.last
        let isUnit = satker == node && s.account.role.may(.lke(.unit))
        let reviewer = (try? reviewerLayer(for: satker)).map { s.account.role.may(.lke($0)) } ?? false
        let atRI = node == SatkerRegistry.root
        let waitsForProvince =
            store.registry[satker]?.level == .kabkota && status.verdict?.verdict != .layak
        let mayConclude =
            atRI && s.account.role.may(.conclude) && status.state == .submitted && !waitsForProvince
            && !(status.conclusion?.isFinal ?? false)
        let mayPropose =
            atRI && s.account.role.may(.propose) && status.state == .submitted && status.proposal == nil
        let mayVerdict =
            reviewer && store.registry[satker]?.parent == node && store.registry[satker]?.level == .kabkota
            && status.state == .submitted && status.verdict == nil
        return [
            "state": Self.stateWords(status.state), "stateClass": status.state.rawValue,
            "revision": status.revision > 0 ? "revisi \(status.revision)" : nil as String? as Any,
            "submitted": last.map {
                "Pengiriman \($0.step.n), \($0.step.day), oleh \($0.step.actor), nilai \($0.score ?? "-")"
            }
                as Any,
            // The return the unit is revising after, prominent; an earlier one, for the record.
            "returned": (status.state == .returned ? lastReturn : nil).map {
                "Dikembalikan \($0.step.day) oleh \($0.step.actor) (\($0.stage.title)): \($0.step.note ?? "")"
            } as Any,
            "returnedItems": (status.state == .returned ? lastReturn?.items.joined(separator: ", ") : nil) as Any,
            "earlierReturn": (status.state == .returned ? nil : lastReturn).map {
                "Pengembalian terakhir: \($0.step.day) oleh \($0.step.actor): \($0.step.note ?? "")"
            } as Any,
            "verdict": status.verdict.map {
                "Putusan penilaian pendahuluan: \(Self.verdictWords($0.verdict)) (\($0.step.actor), \($0.step.day))\($0.step.note.map { ": \($0)" } ?? "")"
            } as Any,
            "mayKirim": isUnit && status.state != .submitted,
            "mayReturn": reviewer && status.state == .submitted,
            "mayVerdict": mayVerdict,
            "mayConclude": mayConclude, "mayPropose": mayPropose,
            "conclusion": status.conclusion.map {
                "Simpulan TPI: \(EvaluationReport.conclusionWords($0.conclusion)) (\($0.tpiStep.title)\($0.isFinal ? ", final" : ""), \($0.step.actor), \($0.step.day))"
            } as Any,
            "proposal": status.proposal.map {
                "Diusulkan untuk Menuju \($0.category.uppercased()) (nilai \($0.score ?? "-"))\($0.override == nil ? "" : ", dengan pengecualian")"
            } as Any,
            "steps": TPIStep.allCases.map { step in
                [
                    "value": step.rawValue, "label": step.title,
                    "selected": step
                        == (status.conclusion.flatMap { c in
                            TPIStep.allCases.first { $0 > c.tpiStep }
                        } ?? .anggota),
                ] as [String: Any]
            },
            "changedSinceSubmission": status.answersAsSubmitted == false && status.state == .submitted,
        ]
    }

    /// Every unit below this office in the cycle: a picture of how many stand at each stage, then
    /// the units that submitted, those waiting for this office first.
    func assessmentQueue(context: WebContext, cycle: Int, notice: String?) throws -> Response {
        let evaluation = Evaluation(store)
        let queue = try evaluation.queue(cycle: cycle)
        let below = store.subtree.count - 1
        var counts: [(String, String, Int)] = [
            ("belum", "Belum dikirim", below - queue.count),
            ("dikembalikan", "Dikembalikan", queue.filter { $0.state == .returned }.count),
            (
                "menunggu", "Dikirim, menunggu penilaian",
                queue.filter { $0.state == .submitted && $0.verdict == nil }.count
            ),
            (
                "layak", "Layak diusulkan",
                queue.filter { $0.state == .submitted && $0.verdict?.verdict == .layak }.count
            ),
            (
                "belum-layak", "Belum layak",
                queue.filter { $0.state == .submitted && $0.verdict?.verdict == .belumLayak }.count
            ),
        ]
        counts = counts.filter { $0.2 > 0 || $0.0 != "belum" }
        let total = max(1, below)
        let rows: [[String: Any]] = queue.sorted { a, b in
            let wa = a.state == .submitted && a.verdict == nil
            let wb = b.state == .submitted && b.verdict == nil
            return wa != wb ? wa : a.satker < b.satker
        }.map { u in
            [
                "satker": u.satker, "name": store.registry[u.satker]?.name ?? u.satker,
                "state": Self.stateWords(u.state), "stateClass": u.state.rawValue, "revision": u.revision,
                "verdict": u.verdict.map { Self.verdictWords($0.verdict) } ?? "–",
                "score": u.submissions.last?.score ?? "–", "day": u.submissions.last?.step.day ?? "",
                "href": "/lke?satker=\(u.satker)&siklus=\(cycle)",
            ]
        }
        return try page(
            "penilaian", title: "Penilaian LKE", context: context,
            [
                "cycle": cycle, "below": below, "rows": rows, "notice": notice as Any,
                "atRI": node == SatkerRegistry.root,
                "mayPlan": node == SatkerRegistry.root && (try context.person()).account.role.may(.propose),
                "windows": try evaluation.windows(cycle: cycle).map { w in
                    [
                        "stage": w.stage.title, "from": w.from, "to": w.to, "reason": w.reason ?? "",
                        "open": w.contains(day: EvaluationCycle.today()),
                    ] as [String: Any]
                },
                "stages": EvaluationStage.allCases.map { ["value": $0.rawValue, "label": $0.title] },
                "proposals": try PortalRBData(store).state(year: cycle).map { s in
                    let p = s.proposal
                    return [
                        "portalrb": s.fetchedAt.map {
                            "diambil \(EvaluationCycle.day(of: HLC(milliseconds: $0, counter: 0)))"
                        }
                            ?? "belum diambil",
                        "changed": s.changedSince == true,
                        "satker": p.satker, "name": store.registry[p.satker]?.name ?? p.satker,
                        "category": "Menuju \(p.category.uppercased())", "score": p.score ?? "–",
                        "override": p.override ?? "", "who": "\(p.actor), \(EvaluationCycle.day(of: p.hlc))",
                        "href": "/lke?satker=\(p.satker)&siklus=\(cycle)",
                    ] as [String: Any]
                },
                "segments": counts.map { c in
                    [
                        "key": c.0, "label": c.1, "count": c.2,
                        "width": String(format: "%.2f", Double(c.2) * 100 / Double(total)),
                    ] as [String: Any]
                },
            ])
    }

    /// The stage open today and its days left, for Beranda.
    func stageToday(cycle: Int) throws -> [String: Any]? {
        let today = EvaluationCycle.today()
        guard let w = try Evaluation(store).windows(cycle: cycle).first(where: { $0.contains(day: today) }) else {
            return nil
        }
        let left = Self.days(from: today, to: w.to)
        return [
            "stage": w.stage.title, "to": w.to,
            "left": left == 0 ? "hari terakhir" : "sisa \(left) hari",
        ]
    }

    /// Whole days from one `YYYY-MM-DD` to another.
    static func days(from a: String, to b: String) -> Int {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        guard let x = f.date(from: a), let y = f.date(from: b) else { return 0 }
        return Int((y.timeIntervalSince(x) / 86_400).rounded())
    }
}
