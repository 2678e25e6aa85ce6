import Foundation
import Hummingbird
import ZISyncCore
import ZISyncScoring
import ZISyncStore

/// On a province or KPU RI: the offices below (the children table of `status`), the review
/// queue with its verdict form, and the LKE roll-up with a drill-down into one satker's sheet.
extension WebSite {
    /// The most unreviewed items one page lists.
    static let queueLimit = 300

    func registerBelow(on router: RouterGroup<WebContext>) {
        router.get("/satker") { _, context -> Response in
            try requireChildren()
            let facts = await syncFacts()
            let rows: [[String: Any]] = facts.children.map { c in
                [
                    "satker": c.satker, "name": c.name, "state": Words.childState(c.state),
                    "stateClass": c.state.rawValue, "lastSeen": Words.ago(c.lastSeen),
                    "pending": c.pendingChanges.map { "\($0) perubahan, \(c.pendingFiles ?? 0) berkas" } ?? "–",
                    "problem": c.problem.map { Words.problem($0.cause).0 + " " + $0.message } ?? "",
                    "todo": c.problem?.advice ?? "",
                ]
            }
            return try page("satker", title: "Satker di bawah", context: context, ["rows": rows, "count": rows.count])
        }
        router.get("/reviu") { request, context -> Response in
            try requireChildren()
            return try reviewQueue(context: context, notice: Self.notice(of: request))
        }
        router.post("/reviu") { _, context -> Response in
            try requireChildren()
            let s = try context.person()
            try s.require(.review)
            let form = context.form ?? Form(urlencoded: "")
            let type: RecordType = form["jenis"] == "evidence" ? .evidence : .actionPlan
            let id = form["id"] ?? ""
            guard let verdict = form["putusan"], RecordSchema.verdicts.contains(verdict) else {
                return try reviewQueue(
                    context: context, errorFor: id, error: "Pilih putusan reviu.", status: .unprocessableContent)
            }
            do {
                _ = try Reviews(store).review(
                    id, type: type, verdict: verdict, note: form.text("catatan"), actor: s.actor(at: node))
            } catch let e as ZISyncError {
                return try reviewQueue(
                    context: context, errorFor: id, error: Self.refusal(e), status: .unprocessableContent)
            }
            return Self.seeOther("/reviu", notice: "Reviu tersimpan: \(Words.verdictNames[verdict] ?? verdict).")
        }
        router.get("/rekap") { request, context -> Response in
            try requireChildren()
            let q = request.uri.queryParameters
            let cycle = try cycle(q["siklus"].map(String.init))
            let layer = q["lapis"].flatMap { AssessmentLayer(rawValue: String($0)) } ?? .unit
            let rows: [[String: Any]] = try ScoredLKE.rollUp(store: store, cycle: cycle, layer: layer).map { l in
                [
                    "satker": l.satker, "name": store.registry[l.satker]?.name ?? l.satker,
                    "total": Words.figure(l.score.total), "pengungkit": Words.figure(l.score.pengungkit),
                    "areas": Area.allCases.map { a in
                        Words.figure(l.score.areas.first { $0.area == a.rawValue }?.percent ?? 0)
                    },
                    "unanswered": l.score.unanswered, "wbk": l.readiness.wbk.meets, "wbbm": l.readiness.wbbm.meets,
                    "firstFailed": l.readiness.wbk.failed.first.map(ScoredLKE.words) ?? "",
                    "href": "/lke?satker=\(l.satker)&siklus=\(cycle)",
                ]
            }
            return try page(
                "rekap", title: "Rekap LKE", context: context,
                [
                    "rows": rows, "count": rows.count, "cycle": cycle,
                    "areaHeads": Area.allCases.map {
                        [
                            "short": Words.areaShort[$0.rawValue] ?? $0.rawValue,
                            "name": Words.areaNames[$0.rawValue] ?? "",
                        ]
                    },
                    "layers": AssessmentLayer.allCases.map { ["value": $0.rawValue, "selected": $0 == layer] },
                ])
        }
    }

    func requireChildren() throws {
        guard hasChildren else { throw WebRefusal.notFound("Halaman ini hanya ada di kantor provinsi dan KPU RI.") }
    }

    /// Plans and bukti dukung of the offices below that have no review yet, oldest change first.
    func reviewQueue(
        context: WebContext, notice: String? = nil, errorFor: String? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let s = try context.person()
        let (records, more) = try Reviews(store).unreviewed(
            owners: store.subtree.subtracting([node]), limit: Self.queueLimit)
        let items: [[String: Any]] = records.map { r in
            let isPlan = r.type == RecordType.actionPlan.rawValue
            var item: [String: Any] = [
                "id": r.id, "type": r.type, "typeLabel": isPlan ? "Rencana aksi" : "Bukti dukung",
                "satker": r.owner, "satkerName": store.registry[r.owner]?.name ?? r.owner,
                "title": isPlan ? r.string("activity") ?? "" : r.string("title") ?? r.string("file_name") ?? "",
                "lke": r.string("lke") ?? "", "isEvidence": !isPlan,
                "present": !isPlan && (r.string("sha256").map(store.files.contains) ?? false),
            ]
            if errorFor == r.id { item["error"] = error }
            return item
        }
        return try page(
            "reviu", title: "Antrian reviu", context: context, status: status,
            [
                "items": items, "count": items.count, "more": more,
                "canReview": s.account.role.may(.review),
                "verdicts": RecordSchema.verdicts.map { ["value": $0, "label": Words.verdictNames[$0] ?? $0] },
                "notice": notice as Any,
            ])
    }
}
