import Foundation
import GRDB
import ZISyncCore

/// The LKE answers of a node's satkers (issue 11): written through the one apply path (so the
/// layer and answer rules are checked here as at every parent), read per satker and cycle.
public struct LKEAnswers: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    /// The layer this node writes on `satker`'s LKE: its own (`unit`), a kab/kota's of its
    /// province (`provinsi`), any other's at KPU RI (`tpi`); nil when it writes none.
    public func defaultLayer(for satker: String) -> AssessmentLayer? {
        if satker == store.node { return .unit }
        if store.node == SatkerRegistry.root { return .tpi }
        if store.registry[satker]?.parent == store.node, store.registry[satker]?.level == .kabkota { return .provinsi }
        return nil
    }

    /// One answer to write: the code's answer (normalized by its type), a note, bukti dukung ids.
    public struct Entry: Sendable {
        public var code: String
        public var answer: String?
        public var note: String?
        public var evidence: [String]?

        public init(code: String, answer: String?, note: String? = nil, evidence: [String]? = nil) {
            self.code = code
            self.answer = answer
            self.note = note
            self.evidence = evidence
        }
    }

    /// Writes the entries in one transaction: all of them, or none (the first refusal says why).
    @discardableResult
    public func write(
        _ entries: [Entry], satker: String, cycle: Int, layer: AssessmentLayer, actor: String
    ) throws -> [Change] {
        let rows = store.authorization
        var changes: [[String: FieldValue]] = []
        for entry in entries {
            var fields: [String: FieldValue] = [
                "satker": .string(satker), "cycle": .int(Int64(cycle)), "layer": .string(layer.rawValue),
                "code": .string(entry.code),
            ]
            if let answer = entry.answer {
                // Stored in its one form, so that equal answers written apart compare equal.
                if let type = rows.lkeRow(entry.code)?.answerType, case .success(let n) = type.normalize(answer) {
                    fields["answer"] = .string(n)
                } else {
                    fields["answer"] = .string(answer)  // refused below, with the reason
                }
            }
            if let note = entry.note { fields["note"] = note.isEmpty ? .null : .string(note) }
            if let evidence = entry.evidence {
                fields["evidence"] = evidence.isEmpty ? .null : .string(evidence.joined(separator: ","))
            }
            changes.append(fields)
        }
        return try store.writeBatch { writer in
            for (entry, fields) in zip(entries, changes) {
                try writer.write(
                    type: .lkeAnswer,
                    recordID: Assessment.answerID(satker: satker, cycle: cycle, layer: layer, code: entry.code),
                    owner: satker, fields: fields, actor: actor)
            }
        }
    }

    /// One stored answer.
    public struct Answer: Sendable, Equatable {
        public let code: String
        public let layer: AssessmentLayer
        public let answer: String?
        public let note: String?
        public let evidence: [String]
        /// Open conflict on the answer (two offices answered it differently offline).
        public let conflicted: Bool
    }

    /// One layer's answers as the scoring reads them: code → answer, unanswered codes left out.
    public static func given(_ layer: [String: Answer]) -> [String: String] {
        layer.compactMapValues(\.answer)
    }

    /// Every answer of `satker` for `cycle` (in `layers` only, when given), by layer and code.
    public func answers(satker: String, cycle: Int, layers: [AssessmentLayer]? = nil) throws
        -> [AssessmentLayer: [String: Answer]]
    {
        let prefixes =
            layers.map { $0.map { "jawaban:\(satker):\(cycle):\($0.rawValue):" } } ?? ["jawaban:\(satker):\(cycle):"]
        return try store.db.read { db in
            var out: [AssessmentLayer: [String: Answer]] = [:]
            for prefix in prefixes {
                let cursor = try RecordRow.lkeAnswers(db, satker: satker, prefix: prefix)
                while let row = try cursor.next() {
                    guard let id = Assessment.parseAnswerID(row.recordID) else { continue }
                    let rec = try row.record()
                    out[id.layer, default: [:]][id.code] = Answer(
                        code: id.code, layer: id.layer, answer: rec.string("answer"), note: rec.string("note"),
                        evidence: Validation.lkeCodes(rec.string("evidence") ?? ""),
                        conflicted: rec.fields["answer"]?.isConflicted ?? false)
                }
            }
            return out
        }
    }

    /// The satkers with answers for `cycle` (in one layer, when given), among `among`.
    public func satkers(cycle: Int, among: Set<String>) throws -> [String] {
        try store.db.read { db in
            let owners = try RecordRow.lkeAnswerOwners(db)
            return try owners.filter { satker in
                guard among.contains(satker) else { return false }
                let prefix = "jawaban:\(satker):\(cycle):"
                return try RecordRow.hasLKEAnswers(db, satker: satker, prefix: prefix)
            }.sorted()
        }
    }

    /// How many full years before `cycle` the satker first held a predikat KPU RI granted (Menuju
    /// WBK, or WBBM which implies it), looking back twenty years; 0 when none before the cycle.
    /// WBBM needs `LKEReadiness.wbkYearsForWBBM` of them.
    public func wbkYears(satker: String, cycle: Int) throws -> Int {
        var first: Int?
        for y in stride(from: cycle, through: cycle - 20, by: -1) {
            if let rec = try store.records.get(Assessment.predikatID(satker: satker, year: y)),
                !rec.isDeleted, let level = rec.string("level"), level == "wbk" || level == "wbbm"
            {
                first = y
            }
        }
        return first.map { cycle - $0 } ?? 0
    }

    /// Records the predikat KPU RI granted (`00` only).
    @discardableResult
    public func grant(satker: String, year: Int, level: String, actor: String) throws -> Change {
        try store.write(
            type: .predikat, recordID: Assessment.predikatID(satker: satker, year: year), owner: SatkerRegistry.root,
            fields: ["satker": .string(satker), "year": .int(Int64(year)), "level": .string(level)], actor: actor)
    }
}
