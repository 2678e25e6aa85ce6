import Foundation
import Hummingbird
import ZISyncCore
import ZISyncScoring
import ZISyncStore

/// The evaluation report (Laporan Hasil Evaluasi, LHE) of one unit and cycle: its steps with who
/// took them, the three layers' scores side by side, the prerequisites, every item the layers
/// answered differently or noted, the conclusion and the proposal. One renderer for the web page
/// (`/lke/lhe`, printed from the browser on A4) and for `zisync lke lhe --html FILE`.
public enum EvaluationReport {
    /// The LHE as one HTML document with its stylesheet inside, for a file.
    public static func html(store: Store, satker: String, cycle: Int) async throws -> String {
        try render(try await Templates.load(), store: store, satker: satker, cycle: cycle, web: false)
    }

    static func render(_ templates: Templates, store: Store, satker: String, cycle: Int, web: Bool) throws -> String {
        guard let cssURL = Bundle.module.resourceURL?.appendingPathComponent("static/lhe.css") else {
            throw WebSetupError("the report's stylesheet is missing from the installation")
        }
        let css = try String(contentsOf: cssURL, encoding: .utf8)
        let evaluation = Evaluation(store)
        let status = try evaluation.status(satker: satker, cycle: cycle)
        let isKabKota = store.registry[satker]?.level == .kabkota
        let layers: [AssessmentLayer] = isKabKota ? [.unit, .provinsi, .tpi] : [.unit, .tpi]
        var scored: [AssessmentLayer: ScoredLKE] = [:]
        for layer in layers { scored[layer] = try ScoredLKE(store: store, satker: satker, cycle: cycle, layer: layer) }
        let any = scored[.unit]!

        var scoreRows: [[String: Any]] = [
            ["label": "Nilai total", "values": layers.map { Words.figure(scored[$0]!.score.total) }],
            ["label": "Komponen pengungkit", "values": layers.map { Words.figure(scored[$0]!.score.pengungkit) }],
            ["label": "Komponen hasil", "values": layers.map { Words.figure(scored[$0]!.score.hasil) }],
        ]
        for area in Area.allCases.map(\.rawValue) {
            scoreRows.append([
                "label": "Area \(Words.areaNames[area] ?? area) (%)",
                "values": layers.map { l in
                    Words.figure(scored[l]!.score.areas.first { $0.area == area }?.percent ?? 0)
                },
            ])
        }
        let readinessRows: [[String: Any]] = [
            [
                "label": "Syarat nilai Menuju WBK",
                "values": layers.map { scored[$0]!.readiness.wbk.meets ? "memenuhi" : "belum" },
            ],
            [
                "label": "Syarat nilai Menuju WBBM",
                "values": layers.map { scored[$0]!.readiness.wbbm.meets ? "memenuhi" : "belum" },
            ],
        ]

        // Items the layers answered differently, or that a layer noted.
        var items: [[String: Any]] = []
        var differences = 0
        for item in any.model.items where any.model.isInput(item.code) {
            let answers = layers.map { any.answers[$0]?[item.code]?.answer }
            let notes: [[String: Any]] = layers.compactMap { l in
                any.answers[l]?[item.code]?.note.map { ["layer": l.rawValue, "note": $0] }
            }
            let given = Set(answers.compactMap { $0 })
            let differs = given.count > 1
            if differs { differences += 1 }
            guard differs || !notes.isEmpty else { continue }
            items.append([
                "code": item.code, "name": item.name, "notes": notes,
                "answers": answers.map { a in ["answer": a ?? "–", "differs": differs && a != nil] as [String: Any] },
            ])
        }

        // The steps in the order they were taken.
        var steps: [(HLC, [String: Any])] = []
        func who(_ s: Evaluation.Step) -> String { "\(s.actor) (\(s.origin))" }
        for sub in status.submissions {
            steps.append(
                (
                    sub.step.hlc,
                    [
                        "what": "Pengiriman \(sub.step.n)", "day": sub.step.day, "who": who(sub.step),
                        "result": "nilai \(sub.score ?? "-"), \(sub.answered ?? 0) jawaban",
                    ]
                ))
        }
        for v in status.verdicts {
            steps.append(
                (
                    v.step.hlc,
                    [
                        "what": "Penilaian pendahuluan (pengiriman \(v.step.n))", "day": v.step.day, "who": who(v.step),
                        "result": WebSite.verdictWords(v.verdict) + (v.step.note.map { ": \($0)" } ?? ""),
                    ]
                ))
        }
        for r in status.returns {
            steps.append(
                (
                    r.step.hlc,
                    [
                        "what": "Dikembalikan (\(r.stage.title))", "day": r.step.day, "who": who(r.step),
                        "result": (r.step.note ?? "")
                            + (r.items.isEmpty ? "" : " · butir: \(r.items.joined(separator: ", "))"),
                    ]
                ))
        }
        for c in status.conclusions {
            steps.append(
                (
                    c.step.hlc,
                    [
                        "what": "Evaluasi TPI (pengiriman \(c.step.n), \(c.tpiStep.title))", "day": c.step.day,
                        "who": who(c.step),
                        "result": conclusionWords(c.conclusion) + (c.step.note.map { ": \($0)" } ?? ""),
                    ]
                ))
        }
        if let p = status.proposal {
            steps.append(
                (
                    p.hlc,
                    [
                        "what": "Usulan", "day": EvaluationCycle.day(of: p.hlc), "who": "\(p.actor) (00)",
                        "result":
                            "Menuju \(p.category.uppercased())\(p.override.map { ", dengan pengecualian: \($0)" } ?? "")",
                    ]
                ))
        }

        let prerequisites = try evaluation.prerequisites(satker: satker, cycle: cycle).merging(
            try evaluation.prerequisites(satker: SatkerRegistry.root, cycle: cycle).filter { $0.key.isAgency }
        ) { a, _ in a }
        let check = try evaluation.checkPrerequisites(satker: satker, cycle: cycle)
        let conclusion =
            status.conclusion.map {
                "Tim Penilai Internal: \(conclusionWords($0.conclusion)) (\($0.tpiStep.title)\($0.isFinal ? ", final" : ", belum final"), \($0.step.actor), \($0.step.day))\($0.step.note.map { ". \($0)" } ?? "")."
            } ?? "Belum ada simpulan Tim Penilai Internal atas pengiriman yang sedang dinilai."
        let values: [String: Any] = [
            "css": css, "web": web, "satker": satker, "satkerName": store.registry[satker]?.name ?? satker,
            "cycle": cycle, "printed": EvaluationCycle.today(),
            "office": store.registry[store.node]?.name ?? store.node,
            "steps": steps.sorted { $0.0 < $1.0 }.map(\.1),
            "layers": layers.map { ["name": "Lapis \($0.rawValue)"] },
            "scoreRows": scoreRows, "readinessRows": readinessRows,
            "prerequisites": Prerequisite.allCases.map { p in
                ["title": p.title + (p.isAgency ? " (KPU)" : ""), "value": prerequisites[p]?.value ?? "belum diisi"]
            },
            "prereqWBK": check.wbk.isEmpty ? nil as String? as Any : check.wbk.map(ruleWords).joined(separator: "; "),
            "prereqWBBM": check.wbbm.isEmpty
                ? nil as String? as Any : check.wbbm.map(ruleWords).joined(separator: "; "),
            "items": items, "differenceCount": differences, "conclusion": conclusion,
            "proposal": status.proposal.map {
                "Diusulkan KPU RI untuk Menuju \($0.category.uppercased()) (nilai \($0.score ?? "-"))\($0.override.map { ", dengan pengecualian: \($0)" } ?? "")."
            } as Any,
        ]
        return try templates.render("lhe", values)
    }

    static func conclusionWords(_ c: TPIConclusion) -> String {
        c == .memenuhi ? "memenuhi" : "belum memenuhi"
    }

    /// A prerequisite rule in the report's words.
    static func ruleWords(_ rule: LKEReadiness.Rule) -> String {
        Evaluation.words(rule).replacingOccurrences(of: "required", with: "disyaratkan")
            .replacingOccurrences(of: "actual", with: "capaian").replacingOccurrences(
                of: " or better", with: " atau lebih"
            )
            .replacingOccurrences(of: "full year of ZI", with: "tahun penuh ZI").replacingOccurrences(
                of: "level", with: "level")
    }
}

extension WebSite {
    func registerLHE(on router: RouterGroup<WebContext>) {
        router.get("/lke/lhe") { request, _ -> Response in
            let q = request.uri.queryParameters
            let satker = try satker(q["satker"].map(String.init))
            let cycle = try cycle(q["siklus"].map(String.init))
            return Self.html(
                try EvaluationReport.render(templates, store: store, satker: satker, cycle: cycle, web: true))
        }
    }
}
