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
        try Evaluation(store).proposals(cycle: year, withActor: false).filter { $0.category == category }.map {
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
    /// (a link, or their titles); without it `unitEvidence` stays nil and no bukti is read.
    func answers(unit: String, year: Int, evidence: ((String, [StoredRecord]) throws -> String?)?) throws
        -> UnitAnswers?
    {
        let evaluation = Evaluation(store)
        guard let soal = try PortalRBSoal.master(year: year),
            try evaluation.proposal(satker: unit, cycle: year, withActor: false) != nil,
            try evaluation.state(satker: unit, cycle: year) == .submitted
        else { return nil }
        let layers = try LKEAnswers(store).answers(satker: unit, cycle: year, layers: [.unit, .tpi])
        let unitLayer = layers[.unit] ?? [:]
        let tpiLayer = layers[.tpi] ?? [:]
        // Each item's bukti dukung: those naming it, and those its unit answer names. Read once:
        // a kab/kota may hold thousands.
        var byCode: [String: [StoredRecord]] = [:]
        if evidence != nil {
            // Those naming an item, by index; those the answers name, by id.
            var bukti = try store.records.evidenceNamingItems(owner: unit)
            let seen = Set(bukti.map(\.id))
            for id in Set(unitLayer.values.flatMap(\.evidence)).subtracting(seen).sorted() {
                if let e = try store.records.get(id), e.type == RecordType.evidence.rawValue, e.owner == unit,
                    !e.isDeleted
                {
                    bukti.append(e)
                }
            }
            for e in bukti {
                var codes = Set(Validation.lkeCodes(e.string("lke") ?? ""))
                for (code, a) in unitLayer where a.evidence.contains(e.id) { codes.insert(code) }
                for code in codes { byCode[code, default: []].append(e) }
            }
        }
        var answers: [Answer] = []
        for s in soal {
            let linked = byCode[s.code] ?? []
            answers.append(
                Answer(
                    soalID: s.id, unit: Self.value(unitLayer, s), unitNote: unitLayer[s.code]?.note,
                    unitEvidence: try evidence?(s.code, linked), tpi: Self.value(tpiLayer, s),
                    tpiNote: tpiLayer[s.code]?.note))
        }
        return UnitAnswers(unitID: unit, name: store.registry[unit]?.name ?? unit, year: year, answers: answers)
    }

    /// `unit`'s answers for `year` as PortalRB gets them (nil when it would get 404): an item's
    /// bukti dukung as its evidence link under `linkBase` (the API's address as PortalRB reaches
    /// it), or as their titles without one.
    public func payload(unit: String, year: Int, linkBase: String?) throws -> UnitAnswers? {
        var capability: String?  // one per unit and cycle: read once
        return try answers(unit: unit, year: year) { code, bukti in
            if bukti.isEmpty { return nil }
            guard let linkBase else {
                return bukti.map { $0.string("title") ?? $0.string("file_name") ?? $0.id }.joined(separator: "; ")
            }
            if capability == nil {
                capability = try PortalRBEvidenceLinks(store).capability(satker: unit, cycle: year)
            }
            return PortalRBEvidenceLinks.link(
                base: linkBase, capability: capability!, satker: unit, cycle: year, code: code)
        }
    }

    /// A layer's answer to a soal in PortalRB's form (`Ya`/`Tidak`, the letter, the count, the
    /// index), as text. PortalRB has no soal for an LHKPN/LHKASN total, only its breakdown: a total
    /// entered without its breakdown goes as the breakdown's "Lainnya" (J1.3), so PortalRB's sum
    /// of the breakdown equals it.
    public static func value(_ layer: [String: LKEAnswers.Answer], _ s: PortalRBSoal) -> String? {
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
        try answers(unit: unit, year: year, evidence: nil).map(Self.digest)
    }

    /// The digest of answers as served, their evidence links left out.
    static func digest(_ a: UnitAnswers) -> String {
        let bare = UnitAnswers(
            unitID: a.unitID, name: a.name, year: a.year,
            answers: a.answers.map {
                Answer(
                    soalID: $0.soalID, unit: $0.unit, unitNote: $0.unitNote, unitEvidence: nil, tpi: $0.tpi,
                    tpiNote: $0.tpiNote)
            })
        return SHA256.hash(data: answersJSON(bare)).map { String(format: "%02x", $0) }.joined()
    }

    /// Records that PortalRB received these answers now.
    public func served(_ answers: UnitAnswers) throws {
        let digest = Self.digest(answers)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try store.db.write { db in
            try PortalRBServedRow.set(db, satker: answers.unitID, cycle: answers.year, sha256: digest, at: now)
        }
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
        struct Unit: Encodable {
            let id: String
            let nama: String
            let kategori: String
            let afirmasi: Bool
        }
        struct Units: Encodable {
            let tahun: Int
            let units: [Unit]
        }
        return json(
            Units(
                tahun: year,
                units: units.map { Unit(id: $0.id, nama: $0.name, kategori: $0.category.uppercased(), afirmasi: false) }
            ))
    }

    /// `GET /lke/jawaban-unit/{unit_id}` as the guide shows it: every field present, null when empty.
    public static func answersJSON(_ a: UnitAnswers) -> Data {
        json(AnswersPayload(a))
    }

    /// The guide's field names; an optional is written as null, never left out.
    private struct AnswersPayload: Encodable {
        let a: UnitAnswers
        init(_ a: UnitAnswers) { self.a = a }

        enum Keys: String, CodingKey {
            case unitID = "unit_id", namaUnit = "nama_unit", tahun, answers
        }
        enum AnswerKeys: String, CodingKey {
            case soalID = "soal_id", jawabanUnit = "jawaban_unit", catatanUnit = "catatan_unit"
            case buktiDukungUnit = "bukti_dukung_unit", jawabanTPI = "jawaban_tpi", catatanTPI = "catatan_tpi"
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(a.unitID, forKey: .unitID)
            try c.encode(a.name, forKey: .namaUnit)
            try c.encode(a.year, forKey: .tahun)
            var list = c.nestedUnkeyedContainer(forKey: .answers)
            for x in a.answers {
                var e = list.nestedContainer(keyedBy: AnswerKeys.self)
                try e.encode(x.soalID, forKey: .soalID)
                try e.encode(x.unit, forKey: .jawabanUnit)
                try e.encode(x.unitNote, forKey: .catatanUnit)
                try e.encode(x.unitEvidence, forKey: .buktiDukungUnit)
                try e.encode(x.tpi, forKey: .jawabanTPI)
                try e.encode(x.tpiNote, forKey: .catatanTPI)
            }
        }
    }

    /// Sorted keys: the same answers give the same bytes at every fetch.
    static func json(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data()
    }
}
