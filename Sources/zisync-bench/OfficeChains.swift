import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore
import ZISyncTestSupport

/// Changes as the offices below KPU RI make them, each on its own chain continued from what RI's
/// store holds, delivered through the one apply path as their pushes would be: what a bench needs
/// for records only their owner may write (the unit layer, a submission, a province's verdict).
struct OfficeChains {
    private var chains: [String: (seq: Int64, prev: String?)] = [:]
    private var clock = HybridClock(last: .zero)
    let store: Store

    init(_ store: Store) throws {
        self.store = store
        let tips = try store.changeLog.chainTips(subtree: SatkerRegistry.root)
        for (origin, seq) in tips.seqs { chains[origin] = (seq, tips.hashes[origin]) }
    }

    /// The next change on `origin`'s chain.
    mutating func change(
        origin: String, type: RecordType, id: String, owner: String, fields: [String: FieldValue], actor: String
    ) -> Change {
        let tip = chains[origin] ?? (0, nil)
        let c = Change(
            origin: origin, seq: tip.seq + 1, hlc: clock.tick(), recordType: type.rawValue, recordID: id,
            owner: owner, fields: fields, base: [:], actor: actor, prev: tip.prev)
        chains[origin] = (c.seq, c.hash)
        return c
    }

    /// Applies `batch` at RI; throws on the first refusal.
    func deliver(_ batch: [Change]) throws {
        let r = try store.receive(batch, sender: nil, source: "bench")
        guard r.refused.isEmpty else { throw ZISyncError("bench change refused: \(r.refused[0].reason)") }
    }
}

/// Answers drawn at random from each LKE input code's answer type (seeded), in their stored form.
struct LKEDraw {
    private var rng: SeededRandom
    /// The catalogue's input codes with their answer types.
    let inputs: [(code: String, type: LKEAnswerType)]

    init(_ store: Store, seed: UInt64) throws {
        let model = LKEModel(try store.records.lkeCatalogue())
        inputs = model.inputCodes.compactMap { code in model.answerType(code).map { (code, $0) } }
        rng = SeededRandom(seed: seed)
    }

    mutating func answer(_ type: LKEAnswerType) -> String {
        let text: String
        switch type {
        case .yaTidak: text = rng.next() % 4 == 0 ? "Tidak" : "Ya"
        case .abc: text = ["A", "B", "C"][Int(rng.next() % 3)]
        case .abcd: text = ["A", "B", "C", "D"][Int(rng.next() % 4)]
        case .abcde: text = ["A", "B", "C", "D", "E"][Int(rng.next() % 5)]
        case .jumlah: text = String(rng.next() % 40)
        case .nilai04: text = String(format: "%.2f", 2.5 + Double(rng.next() % 151) / 100)
        case .persen: text = ""
        }
        if case .success(let n) = type.normalize(text) { return n }
        return text
    }

    /// The fields of `satker`'s answer to `code` in `layer`.
    mutating func fields(satker: String, cycle: Int, layer: AssessmentLayer, code: String, type: LKEAnswerType)
        -> [String: FieldValue]
    {
        [
            "satker": .string(satker), "cycle": .int(Int64(cycle)), "layer": .string(layer.rawValue),
            "code": .string(code), "answer": .string(answer(type)),
        ]
    }
}
