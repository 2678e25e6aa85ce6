import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore
import ZISyncTestSupport

/// `lke report` at KPU RI over every satker with a full LKE in all three layers: the unit layer
/// from each unit's chain, the tpi layer entered at RI, the provinsi layer from each province's
/// chain, answers drawn at random
/// from each code's answer type (seeded), then the release binary's report timed with its peak memory.
func runLKEBench(cycle: Int = 2026) throws {
    // ZISYNC_BENCH_HOME keeps the node for profiling (`perf record zisync lke report --home …`).
    let kept = ProcessInfo.processInfo.environment["ZISYNC_BENCH_HOME"].map { URL(fileURLWithPath: $0) }
    let home = kept ?? tempHome("lke")
    defer { if kept == nil { try? FileManager.default.removeItem(at: home) } }
    let ri = try Store.initialize(home: Home(path: home.path), satker: "00")
    var draw = try LKEDraw(ri, seed: 90_2021)
    var offices = try OfficeChains(ri)
    let satkers = ri.registry.all.map(\.code)
    let inputs = draw.inputs
    var total = 0
    let writeSeconds = try seconds {
        for satker in satkers {
            // The unit layer from the unit's own chain (only it may write it), the tpi layer at RI.
            let unit = inputs.map { code, type in
                offices.change(
                    origin: satker, type: .lkeAnswer,
                    id: Assessment.answerID(satker: satker, cycle: cycle, layer: .unit, code: code), owner: satker,
                    fields: draw.fields(satker: satker, cycle: cycle, layer: .unit, code: code, type: type),
                    actor: "tim-zi")
            }
            try offices.deliver(unit)
            let tpi = inputs.map { LKEAnswers.Entry(code: $0.code, answer: draw.answer($0.type)) }
            try LKEAnswers(ri).write(tpi, satker: satker, cycle: cycle, layer: .tpi, actor: "bench")
            total += unit.count + tpi.count
        }
        // Each province's penilaian pendahuluan of its kab/kota, as its chain arrives at RI.
        for satker in satkers {
            guard let office = ri.registry[satker], office.level == .kabkota, let province = office.parent else {
                continue
            }
            let batch = inputs.map { code, type in
                offices.change(
                    origin: province, type: .lkeAnswer,
                    id: Assessment.answerID(satker: satker, cycle: cycle, layer: .provinsi, code: code),
                    owner: satker,
                    fields: draw.fields(satker: satker, cycle: cycle, layer: .provinsi, code: code, type: type),
                    actor: "penilai")
            }
            try offices.deliver(batch)
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
