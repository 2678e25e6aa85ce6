import Crypto
import Foundation
import ZISyncCore

/// What KPU RI answers KemenPANRB's PortalRB ("Panduan Teknis API Integrasi ZI" 1.0.0; issue 23,
/// evaluation.md §3): the units it proposes for a year, and each proposed unit's answers keyed by
/// PortalRB's soal ids, from its submitted unit layer and RI's tpi layer, in PortalRB's forms. The
/// one place the payloads are made, for the API and for `zisync portalrb preview`.
public struct PortalRBData: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    public struct ListedUnit: Sendable, Equatable {
        public let id: String
        public let name: String
        public let category: String
    }

    /// KPU RI's proposals of `year` in `category` (`wbk` or `wbbm`), in satker order.
    public func units(category: String, year: Int) throws -> [ListedUnit] {
        try Evaluation(store).proposals(cycle: year).filter { $0.category == category }.map {
            ListedUnit(id: $0.satker, name: store.registry[$0.satker]?.name ?? $0.satker, category: $0.category)
        }
    }

    public struct Answer: Sendable, Equatable {
        public let soalID: Int
        public let unit: String?
        public let unitNote: String?
        public let unitEvidence: String?
        public let tpi: String?
        public let tpiNote: String?
    }

    public struct UnitAnswers: Sendable, Equatable {
        public let unitID: String
        public let name: String
        public let year: Int
        public let answers: [Answer]
    }

    /// The answers of `unit` for `year`, one per soal of that year's master (unanswered as nil):
    /// nil when KPU RI does not propose it that year, or its LKE is not submitted, or no master
    /// ships for the year. `evidence(code, ids)` says where an item's bukti dukung can be seen
    /// (a link, or their titles).
    public func answers(unit: String, year: Int, evidence: (String, [StoredRecord]) throws -> String?) throws
        -> UnitAnswers?
    {
        guard let soal = try PortalRBSoal.master(year: year),
            try Evaluation(store).proposal(satker: unit, cycle: year) != nil,
            try Evaluation(store).status(satker: unit, cycle: year).state == .submitted
        else { return nil }
        let layers = try LKEAnswers(store).answers(satker: unit, cycle: year)
        let unitLayer = layers[.unit] ?? [:]
        let tpiLayer = layers[.tpi] ?? [:]
        let bukti = try store.records.list(.evidence, owners: [unit]).filter { !$0.isDeleted }
        var answers: [Answer] = []
        for s in soal {
            let linked = bukti.filter { e in
                Validation.lkeCodes(e.string("lke") ?? "").contains(s.code)
                    || (unitLayer[s.code]?.evidence.contains(e.id) ?? false)
            }
            answers.append(
                Answer(
                    soalID: s.id, unit: Self.value(unitLayer, s), unitNote: unitLayer[s.code]?.note,
                    unitEvidence: try evidence(s.code, linked), tpi: Self.value(tpiLayer, s),
                    tpiNote: tpiLayer[s.code]?.note))
        }
        return UnitAnswers(unitID: unit, name: store.registry[unit]?.name ?? unit, year: year, answers: answers)
    }

    /// A layer's answer to a soal in PortalRB's form (`Ya`/`Tidak`, the letter, the count, the
    /// index), as text. PortalRB has no soal for an LHKPN/LHKASN total, only its breakdown: a total
    /// entered without its breakdown goes as the breakdown's "Lainnya" (J1.3), so PortalRB's sum
    /// of the breakdown equals it.
    static func value(_ layer: [String: LKEAnswers.Answer], _ s: PortalRBSoal) -> String? {
        if let answer = layer[s.code]?.answer, case .success(let n) = s.answerType.normalize(answer) { return n }
        guard s.code.hasSuffix(".J1.3") else { return nil }
        let total = String(s.code.dropLast(2))  // A.II.5.iii.i.a.J1
        let breakdown = ["\(total).1", "\(total).2", "\(total).3"]
        guard breakdown.allSatisfy({ layer[$0]?.answer == nil }), let sum = layer[total]?.answer else { return nil }
        return sum
    }

    /// The SHA-256 of `unit`'s answers for `year` as PortalRB would get them, the evidence links
    /// left out (they do not change what PortalRB reviews); nil when it would get none.
    public func digest(unit: String, year: Int) throws -> String? {
        guard let answers = try answers(unit: unit, year: year, evidence: { _, _ in nil }) else { return nil }
        return SHA256.hash(data: Self.answersJSON(answers)).map { String(format: "%02x", $0) }.joined()
    }

    /// Records that PortalRB received `unit`'s answers for `year` now.
    public func served(unit: String, year: Int) throws {
        guard let digest = try digest(unit: unit, year: year) else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try store.db.write { db in try PortalRBServedRow.set(db, satker: unit, cycle: year, sha256: digest, at: now) }
    }

    /// A proposed unit as PortalRB has it: when it last received its answers, and whether they
    /// changed since.
    public struct UnitState: Sendable, Equatable {
        public let proposal: Evaluation.Proposal
        public let fetchedAt: Int64?
        /// Nil before the first fetch.
        public let changedSince: Bool?
    }

    /// Every unit KPU RI proposes for `year`, with its PortalRB state.
    public func state(year: Int) throws -> [UnitState] {
        try Evaluation(store).proposals(cycle: year).map { p in
            let served = try store.db.read { db in try PortalRBServedRow.get(db, satker: p.satker, cycle: year) }
            let now = try digest(unit: p.satker, year: year)
            return UnitState(proposal: p, fetchedAt: served?.at, changedSince: served.map { $0.sha256 != now })
        }
    }

    /// `GET /pengusulan/unit-wbk` (and `-wbbm`) as the guide shows it.
    public static func unitsJSON(_ units: [ListedUnit], year: Int) -> Data {
        json([
            "tahun": year,
            "units": units.map {
                ["id": $0.id, "nama": $0.name, "kategori": $0.category.uppercased(), "afirmasi": false] as [String: Any]
            },
        ])
    }

    /// `GET /lke/jawaban-unit/{unit_id}` as the guide shows it: every field present, null when empty.
    public static func answersJSON(_ a: UnitAnswers) -> Data {
        func orNull(_ s: String?) -> Any { s.map { $0 as Any } ?? NSNull() }
        return json([
            "unit_id": a.unitID, "nama_unit": a.name, "tahun": a.year,
            "answers": a.answers.map { x in
                [
                    "soal_id": x.soalID, "jawaban_unit": orNull(x.unit), "catatan_unit": orNull(x.unitNote),
                    "bukti_dukung_unit": orNull(x.unitEvidence), "jawaban_tpi": orNull(x.tpi),
                    "catatan_tpi": orNull(x.tpiNote),
                ] as [String: Any]
            },
        ])
    }

    /// Sorted keys: the same answers give the same bytes at every fetch.
    static func json(_ value: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}
