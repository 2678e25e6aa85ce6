import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore
import ZISyncTestSupport

/// `lke report` at KPU RI over every satker with a full LKE in all three layers: the unit and tpi
/// layers entered at RI, the provinsi layer from each province's chain, answers drawn at random
/// from each code's answer type (seeded), then the release binary's report timed with its peak memory.
func runLKEBench(cycle: Int = 2026) throws {
    // ZISYNC_BENCH_HOME keeps the node for profiling (`perf record zisync lke report --home …`).
    let kept = ProcessInfo.processInfo.environment["ZISYNC_BENCH_HOME"].map { URL(fileURLWithPath: $0) }
    let home = kept ?? tempHome("lke")
    defer { if kept == nil { try? FileManager.default.removeItem(at: home) } }
    let ri = try Store.initialize(home: Home(path: home.path), satker: "00")
    let model = LKEModel(try ri.records.lkeCatalogue())
    let inputs = model.inputCodes.compactMap { code in model.answerType(code).map { (code, $0) } }
    var rng = SeededRandom(seed: 90_2021)
    func draw(_ type: LKEAnswerType) -> String {
        switch type {
        case .yaTidak: return rng.next() % 4 == 0 ? "Tidak" : "Ya"
        case .abc: return ["A", "B", "C"][Int(rng.next() % 3)]
        case .abcd: return ["A", "B", "C", "D"][Int(rng.next() % 4)]
        case .abcde: return ["A", "B", "C", "D", "E"][Int(rng.next() % 5)]
        case .jumlah: return String(rng.next() % 40)
        case .nilai04: return String(format: "%.2f", 2.5 + Double(rng.next() % 151) / 100)
        case .persen: return ""
        }
    }
    let satkers = ri.registry.all.map(\.code)
    let answers = LKEAnswers(ri)
    var total = 0
    let writeSeconds = try seconds {
        for satker in satkers {
            for layer in [AssessmentLayer.unit, .tpi] {
                let entries = inputs.map { LKEAnswers.Entry(code: $0.0, answer: draw($0.1)) }
                try answers.write(entries, satker: satker, cycle: cycle, layer: layer, actor: "bench")
                total += entries.count
            }
        }
        // Each province's penilaian pendahuluan of its kab/kota, as its chain arrives at RI.
        var chains: [String: (seq: Int64, prev: String?)] = [:]
        var clock = HybridClock(last: HLC(milliseconds: HybridClock.systemMilliseconds() - 86_400_000, counter: 0))
        for satker in satkers {
            guard let office = ri.registry[satker], office.level == .kabkota, let province = office.parent else {
                continue
            }
            var batch: [Change] = []
            for (code, type) in inputs {
                let tip = chains[province] ?? (0, nil)
                let c = Change(
                    origin: province, seq: tip.seq + 1, hlc: clock.tick(), recordType: "lke_answer",
                    recordID: Assessment.answerID(satker: satker, cycle: cycle, layer: .provinsi, code: code),
                    owner: satker,
                    fields: [
                        "satker": .string(satker), "cycle": .int(Int64(cycle)), "layer": .string("provinsi"),
                        "code": .string(code), "answer": .string(LKEAnswerType.normalizedOrSelf(type, draw(type))),
                    ], base: [:], actor: "penilai", prev: tip.prev)
                chains[province] = (c.seq, c.hash)
                batch.append(c)
            }
            let r = try ri.receive(batch, sender: nil, source: "bench")
            guard r.refused.isEmpty else { throw ZISyncError("refused: \(r.refused[0].reason)") }
            total += batch.count
        }
    }
    print("lke report at KPU RI: \(satkers.count) satker × \(inputs.count) input codes × 3 layers")
    print(String(format: "  answers stored:           %d (written in %.1f s)", total, writeSeconds))
    for format in ["--json", "--csv"] {
        let r = try ZISyncProcess.result(["lke", "report", "--home", home.path, "--cycle", String(cycle), format])
        let lines = r.stdout.split(separator: "\n").count
        print(
            String(
                format: "  lke report %@:        %6.2f s, peak memory %6.1f MB (%d lines; target < 2 s and 200 MB)",
                format, r.seconds, Double(r.maxResidentKilobytes) / 1024, lines))
    }
}

extension LKEAnswerType {
    /// The stored form of a drawn answer.
    static func normalizedOrSelf(_ type: LKEAnswerType, _ text: String) -> String {
        if case .success(let n) = type.normalize(text) { return n }
        return text
    }
}
