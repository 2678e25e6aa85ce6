import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore
import ZISyncTestSupport
import ZISyncTransport

/// The evaluation cycle of `year` at KPU RI as it stands when PortalRB fetches, over every office
/// of the nation: each unit's LKE (every input answered, a note on every seventh, 20 bukti dukung
/// linked to items) and its submission from the unit's own chain, the province's layak verdict on
/// each kab/kota from the province's chain, and at RI the tpi layer, the TPI's final conclusion
/// and the proposal (WBBM for every fifth office, WBK for the others; with a reason, as the drawn
/// answers rarely meet the thresholds). Returns the number of proposals.
func stockEvaluationCycle(_ store: Store, files: [(sha256: String, size: Int64)], year: Int) throws -> Int {
    var offices = try OfficeChains(store)
    var draw = try LKEDraw(store, seed: 2026)
    let inputs = draw.inputs
    let satkers = store.registry.all.map(\.code)
    let evaluation = Evaluation(store)
    for (i, satker) in satkers.enumerated() {
        var batch: [Change] = (0..<20).map { k in
            let file = files[(i * 20 + k) % files.count]
            return offices.change(
                origin: satker, type: .evidence, id: Validation.newRecordID(), owner: satker,
                fields: [
                    "lke": .string(inputs[k * 6 % inputs.count].code), "title": .string("Bukti dukung \(k + 1)"),
                    "kind": .string("sk"), "file_name": .string("bukti-\(k + 1).pdf"),
                    "mime": .string("application/pdf"), "size": .int(file.size), "sha256": .string(file.sha256),
                ], actor: "tim-zi")
        }
        var given: [String: String] = [:]
        for (n, (code, type)) in inputs.enumerated() {
            var fields = draw.fields(satker: satker, cycle: year, layer: .unit, code: code, type: type)
            if n % 7 == 0 { fields["note"] = .string("Catatan unit untuk \(code)") }
            given[code] = fields["answer"]?.stringValue
            batch.append(
                offices.change(
                    origin: satker, type: .lkeAnswer,
                    id: Assessment.answerID(satker: satker, cycle: year, layer: .unit, code: code), owner: satker,
                    fields: fields, actor: "tim-zi"))
        }
        try offices.deliver(batch)
        let score = try ScoredLKE(store: store, satker: satker, cycle: year, layer: .unit).score.total
        try offices.deliver([
            offices.change(
                origin: satker, type: .lkeKirim, id: EvaluationCycle.submissionID(satker: satker, cycle: year, n: 1),
                owner: satker,
                fields: [
                    "satker": .string(satker), "cycle": .int(Int64(year)), "n": .int(1),
                    "answers_hash": .string(Evaluation.answersHash(given)),
                    "score": .string(String(format: "%.2f", score)), "answered": .int(Int64(given.count)),
                ], actor: "tim-zi")
        ])
        if let office = store.registry[satker], office.level == .kabkota, let province = office.parent {
            try offices.deliver([
                offices.change(
                    origin: province, type: .lkePutusan,
                    id: EvaluationCycle.verdictID(satker: satker, cycle: year, n: 1), owner: satker,
                    fields: [
                        "satker": .string(satker), "cycle": .int(Int64(year)), "n": .int(1),
                        "verdict": .string(ProvinceVerdict.layak.rawValue),
                    ], actor: "penilai")
            ])
        }
        let tpi = inputs.enumerated().map { n, input in
            LKEAnswers.Entry(
                code: input.code, answer: draw.answer(input.type), note: n % 11 == 0 ? "Catatan TPI" : nil)
        }
        try LKEAnswers(store).write(tpi, satker: satker, cycle: year, layer: .tpi, actor: "tpi")
        try evaluation.conclude(
            satker: satker, cycle: year, conclusion: .memenuhi, step: .dalnis, note: nil, actor: "dalnis")
        try evaluation.propose(
            satker: satker, cycle: year, category: i % 5 == 0 ? "wbbm" : "wbk", override: "bench", actor: "ri")
    }
    return satkers.count
}

/// PortalRB's API on KPU RI's release daemon at `home` (its own HTTPS listener, a certificate made
/// with openssl, a token), timed from one client over one kept connection, as PortalRB's fetcher
/// would call it: both lists, then every proposed unit's answers. Prints each route's median, 95th
/// percentile and slowest time against the 50 ms, and the operator's `portalrb status`.
func measurePortalRB(home: URL, year: Int) async throws {
    let crt = home.appendingPathComponent("portalrb.crt").path
    let key = home.appendingPathComponent("portalrb.key").path
    let made = try ProcessRunner.run(
        "/usr/bin/env",
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            key, "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
    guard made.status == 0 else { throw ZISyncError("openssl: \(made.stderr)") }
    let config = ConfigFile(home: home)
    try config.set("portalrb_listen", "127.0.0.1:0")
    try config.set("portalrb.certificate", "portalrb.crt")
    try config.set("portalrb.key", "portalrb.key")
    try config.set("portalrb.requests_per_minute", 6000)
    let token = try ZISyncProcess.run(["portalrb", "token", "add", "bench", "--home", home.path])
        .trimmingCharacters(in: .whitespacesAndNewlines)

    let log = home.appendingPathComponent("daemon.log").path
    let daemon = try RunningProcess(ZISyncProcess.binary.path, ["daemon", "--home", home.path], stderr: .file(log))
    defer {
        daemon.signal(SIGTERM)
        daemon.wait(timeout: .seconds(30))
    }
    var base: String?
    let deadline = Date().addingTimeInterval(120)
    while base == nil, Date() < deadline, daemon.isRunning {
        base = daemon.stdout.split(separator: "\n").first { $0.hasPrefix("portalrb on ") }.map {
            String($0.dropFirst("portalrb on ".count))
        }
        if base == nil { usleep(20_000) }
    }
    guard let base else {
        let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw ZISyncError("RI's daemon did not serve PortalRB: \(daemon.stdout)\(said.suffix(2000))")
    }

    let client = CurlHTTPClient(configuration: HTTPClientConfiguration(caFile: crt, certificateFile: "", keyFile: ""))
    func get(_ path: String) async throws -> (ms: Double, body: Data) {
        let start = DispatchTime.now().uptimeNanoseconds
        let r = try await client.send(
            HTTPRequest(method: "GET", url: base + path, headers: [("Authorization", "Bearer \(token)")]))
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        guard r.status == 200 else {
            throw ZISyncError("GET \(path): \(r.status) \(String(decoding: r.body, as: UTF8.self))")
        }
        return (ms, r.body)
    }
    func line(_ label: String, _ times: [Double], _ bytes: Int) {
        let sorted = times.sorted()
        let p95 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
        print(
            label.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(
                    format: "%4d × %7d B   %6.1f  %6.1f  %6.1f ms", times.count, bytes, sorted[sorted.count / 2], p95,
                    sorted.last!))
    }

    print("PortalRB's API at KPU RI (HTTPS, one kept connection)  requests    median    p95    max (target < 50 ms)")
    var ids: [String] = []
    for category in ["wbk", "wbbm"] {
        var times: [Double] = []
        var body = Data()
        for _ in 0..<20 {
            let r = try await get("/pengusulan/unit-\(category)?tahun=\(year)")
            times.append(r.ms)
            body = r.body
        }
        line("GET /pengusulan/unit-\(category)", times, body.count)
        let units = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["units"] as? [[String: Any]]
        ids += (units ?? []).compactMap { $0["id"] as? String }
    }
    for pass in ["first", "again"] {
        var times: [Double] = []
        var bytes = 0
        for id in ids {
            let r = try await get("/lke/jawaban-unit/\(id)?tahun=\(year)")
            times.append(r.ms)
            bytes += r.body.count
        }
        line("GET /lke/jawaban-unit/{id} (\(pass))", times, bytes / max(1, ids.count))
    }
    let status = try ZISyncProcess.result(["portalrb", "status", "--home", home.path])
    print(
        String(
            format: "portalrb status (%d units' state)       %7.3f s   %4d MB", ids.count, status.seconds,
            status.maxResidentKilobytes / 1024))
}
