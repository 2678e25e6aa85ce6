import Foundation
import Hummingbird
import ZISyncCore
import ZISyncStore

/// Riwayat of a record (every write to every field, who and when) and the open conflicts, each
/// resolved by choosing a value: a new write whose base names both heads, as the CLI's is.
extension WebSite {
    func registerHistory(on router: RouterGroup<WebContext>) {
        router.get("/riwayat/:id") { _, context -> Response in
            guard let id = context.parameters.get("id"), let record = try store.records.get(id),
                store.subtree.contains(record.owner) || RecordType(rawValue: record.type)?.isReference == true
            else { throw WebRefusal.notFound("Catatan tidak ditemukan.") }
            let outcomes = [
                "current": "berlaku", "conflicting": "bertentangan", "superseded": "tergantikan", "refused": "ditolak",
                "waiting": "menunggu",
            ]
            let rows: [[String: Any]] = try store.audit.history(of: id).reversed().map { h in
                [
                    "field": h.field, "value": h.value.formText, "actor": h.actor, "origin": "\(h.origin):\(h.seq)",
                    "when": Words.date(h.hlc.milliseconds),
                    "outcome": outcomes[h.outcome.rawValue] ?? h.outcome.rawValue,
                    "outcomeClass": h.outcome.rawValue,
                ]
            }
            return try page(
                "riwayat", title: "Riwayat", context: context,
                ["id": id, "type": record.type, "owner": record.owner, "rows": rows, "count": rows.count])
        }
        router.get("/konflik") { request, context -> Response in
            try conflictsPage(context: context, notice: Self.notice(of: request))
        }
        router.post("/konflik") { _, context -> Response in
            let s = try context.person()
            let form = context.form ?? Form(urlencoded: "")
            let id = form["id"] ?? ""
            let field = form["field"] ?? ""
            let conflicts = Conflicts(store)
            guard let conflict = try conflicts.find(id, field: field),
                let chosen = form["pilihan"].flatMap(Int.init), conflict.values.indices.contains(chosen)
            else {
                return try conflictsPage(
                    context: context, error: "Konflik ini sudah diselesaikan atau pilihannya tidak sah.",
                    status: .unprocessableContent)
            }
            guard let type = RecordType(rawValue: conflict.type) else {
                throw WebRefusal.bad("Jenis catatan tidak dikenal.")
            }
            try s.require(action(for: type, id: conflict.recordID))
            do {
                try conflicts.resolve(conflict, choice: chosen, actor: s.actor(at: node))
            } catch let e as ZISyncError {
                return try conflictsPage(context: context, error: Self.refusal(e), status: .unprocessableContent)
            }
            return Self.seeOther("/konflik", notice: "Konflik \(field) diselesaikan.")
        }
    }

    /// Who may write a record of this type from the web.
    func action(for type: RecordType, id: String) -> WebAction {
        switch type {
        case .actionPlan: return .plans
        case .evidence: return .evidence
        case .review: return .review
        case .lkeAnswer: return .lke(Assessment.parseAnswerID(id)?.layer ?? .unit)
        default: return .users  // the operator's
        }
    }

    func conflictsPage(
        context: WebContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let rows: [[String: Any]] = try Conflicts(store).open().map { c in
            [
                "id": c.recordID, "type": c.type, "owner": c.owner, "field": c.field,
                "values": c.values.enumerated().map { i, v in
                    [
                        "index": i, "value": v.value.formText, "actor": v.actor, "origin": "\(v.origin):\(v.seq)",
                        "winner": v.winner, "when": Words.date(v.hlc.milliseconds),
                    ] as [String: Any]
                },
            ]
        }
        return try page(
            "konflik", title: "Riwayat & konflik", context: context, status: status,
            ["rows": rows, "count": rows.count, "notice": notice as Any, "error": error as Any])
    }
}
