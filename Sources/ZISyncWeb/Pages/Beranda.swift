import Foundation
import Hummingbird
import ZISyncCore
import ZISyncScoring
import ZISyncStore

/// Beranda: the office's LKE per area against the WBK and WBBM lines, the readiness verdict in
/// words, where the points are, the rencana aksi done and overdue, and the sync state.
extension WebSite {
    func registerBeranda(on router: RouterGroup<WebContext>) {
        router.get("/") { request, context -> Response in
            let lke = try ScoredLKE(store: store, satker: node, cycle: CalendarDay.thisYear(), layer: .unit)
            let gaps = LKEGaps.rank(lke.model, lke.score, readiness: lke.readiness, top: 5).map { g in
                [
                    "code": g.code, "name": g.name, "gain": Words.figure(g.gain),
                    "area": g.area == "hasil" ? "Hasil" : Words.areaNames[g.area] ?? g.area,
                    "href": "/lke?area=\(g.area)#q-\(g.code)",
                ]
            }
            // This office's own plans: at KPU RI its subtree is the whole country.
            let rows = try RollUp(store).rows(owners: [node], today: CalendarDay.today())
            let plans = rows.map(\.plans).reduce(0, +)
            let done = rows.map(\.done).reduce(0, +)
            let overdue = rows.map(\.overdue).reduce(0, +)
            let cycle = CalendarDay.thisYear()
            let own = try Evaluation(store).status(satker: node, cycle: cycle)
            let pre = try Evaluation(store).checkPrerequisites(satker: node, cycle: cycle)
            return try page(
                "beranda", title: "Beranda", context: context,
                [
                    "cycle": CalendarDay.thisYear(), "total": Words.figure(lke.score.total),
                    "unanswered": lke.score.unanswered, "bars": lke.areaBars,
                    "wbkLine": Words.figure(LKEReadiness.areaPercentRequired(wbbm: false)),
                    "wbbmLine": Words.figure(LKEReadiness.areaPercentRequired(wbbm: true)),
                    "verdicts": [
                        lke.verdict(lke.readiness.wbk, name: "Menuju WBK"),
                        lke.verdict(lke.readiness.wbbm, name: "Menuju WBBM"),
                    ],
                    "gaps": gaps, "plans": plans, "done": done, "overdue": overdue, "hasOverdue": overdue > 0,
                    "sync": syncWords(await syncFacts()),
                    "stage": try stageToday(cycle: cycle) as Any,
                    "ownState": Self.stateWords(own.state), "ownStateClass": own.state.rawValue,
                    "prerequisites": [
                        [
                            "name": "Menuju WBK", "meets": pre.wbk.isEmpty,
                            "failed": pre.wbk.map(EvaluationReport.ruleWords),
                        ],
                        [
                            "name": "Menuju WBBM", "meets": pre.wbbm.isEmpty,
                            "failed": pre.wbbm.map(EvaluationReport.ruleWords),
                        ],
                    ] as [[String: Any]],
                    "notice": Self.notice(of: request) as Any,
                ])
        }
    }

    /// The sync state as an office reads it.
    func syncWords(_ f: SyncFacts) -> [String: Any] {
        guard f.parent != nil else {
            return ["headline": "Kantor ini adalah KPU RI: tidak ada kantor induk untuk sinkronisasi.", "ok": true]
        }
        var out: [String: Any] = [:]
        let waiting =
            f.pendingChanges == 0 && f.pendingFiles == 0
            ? "Semua pekerjaan sudah terkirim ke \(f.parentName ?? "kantor induk")."
            : "\(f.pendingChanges) perubahan dan \(f.pendingFiles) berkas (\(Words.bytes(f.pendingBytes))) menunggu koneksi."
        out["headline"] = f.lastSync == nil ? "Belum pernah tersinkron." : "Tersinkron \(Words.ago(f.lastSync))."
        out["waiting"] = waiting
        out["ok"] = f.problem == nil && f.restoring == nil
        if let p = f.problem {
            let (what, todo) = Words.problem(p.cause)
            out["problem"] = what
            out["todo"] = todo
            out["detail"] = "\(p.message) (\(Words.ago(p.at)))"
        }
        if f.restoring != nil {
            out["problem"] = "Kantor ini sedang memulihkan datanya dari kantor induk."
            out["todo"] = "Perubahan baru dapat disimpan lagi setelah pemulihan selesai; biarkan daemon berjalan."
        }
        return out
    }
}
