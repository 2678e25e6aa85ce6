import Foundation
import GRDB
import ZISyncCore
import ZISyncStore
import ZISyncTestSupport

/// Five years of ZI work of a set of offices, as changes in time order: plans created, plans
/// edited (status, progress), evidence attached, reviews by the offices above. Every origin's
/// chain in sequence, hashed as the offices would have made them.
struct WorkHistory {
    let offices: [String]
    let plans: Int
    let updates: Int
    let evidence: Int
    let reviews: Int
    /// Distinct evidence files (records share them; the files are in the store).
    let files: [(sha256: String, size: Int64)]
    let registry: SatkerRegistry

    static let start: Int64 = 1_640_995_200_000  // 2022-01-01T00:00Z
    static let span: Int64 = 5 * 365 * 86_400_000

    var total: Int { plans + updates + evidence + reviews }

    struct Chain {
        var seq: Int64 = 0
        var prev: String?
        var last: HLC = .zero
    }

    /// Calls `emit` with batches of changes in time order. Returns a plan that was created and
    /// edited (for `history`).
    func generate(seed: UInt64, batch: Int = 5000, _ emit: ([Change]) throws -> Void) throws -> String {
        var rng = SeededRandom(seed: seed)
        var chains: [String: Chain] = [:]
        // KPU RI's chain continues after the reference data it published.
        let refs = try ReferenceSeed.load().changes
        chains["00"] = Chain(seq: Int64(refs.count), prev: refs.last?.hash)
        var allPlans: [(id: String, owner: String)] = []
        allPlans.reserveCapacity(plans)
        var lastWrite: [String: [String: Version]] = [:]
        var left = [plans, updates, evidence, reviews]
        var done = 0
        var out: [Change] = []
        out.reserveCapacity(batch)
        var historyPlan: String?
        let areas = Area.allCases.map(\.rawValue)
        let officeSet = Set(offices)
        while done < total {
            let ms = Self.start + Self.span * Int64(done) / Int64(total)
            var r = Int.random(in: 0..<left.reduce(0, +), using: &rng)
            var kind = 0
            while r >= left[kind] {
                r -= left[kind]
                kind += 1
            }
            var plan: (id: String, owner: String)?
            if kind != 0 {
                plan = allPlans.isEmpty ? nil : allPlans[Int.random(in: 0..<allPlans.count, using: &rng)]
            }
            // A review needs an office above the plan's owner among these offices.
            var reviewer: String?
            if kind == 3, let p = plan {
                let above = registry.lineage(of: p.owner).dropFirst().filter(officeSet.contains)
                reviewer = above.randomElement(using: &rng)
            }
            if kind != 0 && (plan == nil || (kind == 3 && reviewer == nil)) {
                guard left[0] > 0 else { continue }  // try another choice
                kind = 0
            }
            left[kind] -= 1
            let origin =
                switch kind {
                case 0: offices[Int.random(in: 0..<offices.count, using: &rng)]
                case 3: reviewer!
                default: plan!.owner
                }
            var chain = chains[origin] ?? Chain()
            let hlc = max(HLC(milliseconds: ms, counter: 0), HLC(rawValue: chain.last.rawValue + 1))
            chain.last = hlc
            chain.seq += 1
            let type: RecordType
            let recordID: String
            let owner: String
            var fields: [String: FieldValue]
            var base: [String: [Version]] = [:]
            switch kind {
            case 0:
                (type, recordID, owner) = (.actionPlan, Validation.newRecordID(), origin)
                let year = 2022 + done * 5 / total
                fields = [
                    "area": .string(areas[done % 6]), "activity": .string("Rencana aksi \(origin) nomor \(chain.seq)"),
                    "output": .string("Laporan kegiatan"), "target": .string("1 dokumen"),
                    "deadline": .string("\(year)-\(String(format: "%02d", done % 12 + 1))-28"),
                    "pic": .string("Kasubbag Umum"), "status": .string("draft"),
                ]
                allPlans.append((recordID, origin))
            case 1:
                (type, recordID, owner) = (.actionPlan, plan!.id, plan!.owner)
                fields = [
                    "status": .string(done % 3 == 0 ? "selesai" : "berjalan"), "progress": .int(Int64(done % 101)),
                ]
                for f in fields.keys { base[f] = lastWrite[recordID]?[f].map { [$0] } ?? [] }
                if historyPlan == nil { historyPlan = recordID }
            case 2:
                (type, recordID, owner) = (.evidence, Validation.newRecordID(), plan!.owner)
                let file = files[done % files.count]
                fields = [
                    "plan": .string(plan!.id), "file_name": .string("bukti-\(chain.seq).pdf"),
                    "mime": .string("application/pdf"), "size": .int(file.size), "sha256": .string(file.sha256),
                    "title": .string("Bukti dukung \(chain.seq)"), "kind": .string("foto"),
                ]
            default:
                (type, recordID, owner) = (.review, Validation.newRecordID(), plan!.owner)
                fields = [
                    "subject_type": .string("action_plan"), "subject": .string(plan!.id),
                    "verdict": .string(["disetujui", "perlu-revisi", "ditolak"][done % 3]),
                    "reviewer": .string("penilai"), "reviewer_satker": .string(origin),
                ]
            }
            let c = Change(
                origin: origin, seq: chain.seq, hlc: hlc, recordType: type.rawValue, recordID: recordID, owner: owner,
                fields: fields, base: base, actor: "operator-\(origin)", prev: chain.prev)
            chain.prev = c.hash
            chains[origin] = chain
            if type == .actionPlan { for f in fields.keys { lastWrite[recordID, default: [:]][f] = c.version } }
            out.append(c)
            done += 1
            if out.count >= batch {
                try emit(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        if !out.isEmpty { try emit(out) }
        return historyPlan ?? ""
    }

    /// Applies the history to `store` through the one apply path, in push-sized batches.
    func apply(to store: Store, seed: UInt64) throws -> (plan: String, seconds: Double) {
        var applied = 0
        var plan = ""
        let seconds = try benchSeconds {
            plan = try generate(seed: seed) { batch in
                let r = try store.receive(batch, sender: nil, source: "bench")
                guard r.refused.isEmpty else { throw ZISyncError("bench change refused: \(r.refused.prefix(1))") }
                applied += r.applied
                if applied % 250_000 < batch.count {
                    FileHandle.standardError.write(Data("  \(applied) of \(total) applied\n".utf8))
                }
            }
        }
        return (plan, seconds)
    }
}

func benchSeconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// `zisync-bench national [SCALE]`: SCALE 1 is the issue's size (300,000 plans, 1,000,000
/// evidence records); smaller scales try the bench quickly.
func runNationalBench(scale: Double) throws {
    let dir = tempHome("national")
    var daemons: [RunningProcess] = []
    defer {
        for d in daemons {
            d.signal(SIGTERM)
            d.wait(timeout: .seconds(30))
        }
        // ZISYNC_BENCH_KEEP=1 leaves the stores for a closer look.
        if ProcessInfo.processInfo.environment["ZISYNC_BENCH_KEEP"] == nil {
            try? FileManager.default.removeItem(at: dir)
        } else {
            print("stores kept in \(dir.path)")
        }
    }
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let registry = try ReferenceSeed.load().registry
    func n(_ x: Int) -> Int { max(1, Int(Double(x) * scale)) }
    let pki = dir.appendingPathComponent("pki").path
    try ZISyncProcess.run(["pki", "init-ca", "--dir", pki])
    for s in ["00", "32", "33"] { try ZISyncProcess.run(["pki", "issue", "--dir", pki, "--satker", s]) }

    // Evidence files: a pool of distinct files, in every store that holds the records.
    let pool = dir.appendingPathComponent("pool")
    try FileManager.default.createDirectory(at: pool, withIntermediateDirectories: true)
    var files: [(sha256: String, size: Int64)] = []
    for i in 0..<1000 {
        let url = pool.appendingPathComponent("\(i).pdf")
        try Data((0..<(2048 + i)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }).write(to: url)
        files.append((Hashing.sha256Hex(try Data(contentsOf: url)), Int64(2048 + i)))
    }
    func stock(_ store: Store) throws {
        for i in 0..<files.count { _ = try store.files.put(contentsOf: pool.appendingPathComponent("\(i).pdf")) }
    }

    // 1. KPU RI with the nation's five years.
    let ri = dir.appendingPathComponent("ri")
    try ZISyncProcess.run(["init", "--home", ri.path, "--satker", "00"])
    let national = WorkHistory(
        offices: registry.all.map(\.code), plans: n(300_000), updates: n(300_000), evidence: n(1_000_000),
        reviews: n(40_000), files: files, registry: registry)
    let (historyPlan, riSeconds): (String, Double)
    do {
        let store = try Store.open(home: Home(path: ri.path))
        try stock(store)
        (historyPlan, riSeconds) = try national.apply(to: store, seed: 1)
    }
    let riSize = try FileManager.default.attributesOfItem(atPath: ri.appendingPathComponent("zisync.db").path)[.size]
    print(
        "national store:    \(national.total) changes from \(national.offices.count) offices (\(national.plans) plans, \(national.evidence) evidence, \(national.updates) plan edits, \(national.reviews) reviews, 5 years)"
    )
    print(
        String(
            format: "  built through the apply path in %.0f s (%.0f changes/s); database %.0f MB", riSeconds,
            Double(national.total) / riSeconds, Double((riSize as? NSNumber)?.int64Value ?? 0) / 1_048_576))

    // 2. The operator's commands at KPU RI, each a process of its own.
    print("command at KPU RI                          seconds   peak memory")
    func measure(_ label: String, _ args: [String]) throws {
        let r = try ZISyncProcess.result(args + ["--home", ri.path])
        print(
            label.padding(toLength: 42, withPad: " ", startingAt: 0)
                + String(format: "%7.3f   %4d MB", r.seconds, r.maxResidentKilobytes / 1024))
    }
    try measure("status", ["status"])
    try measure("status --json", ["status", "--json"])
    try measure("report --csv", ["report", "--csv"])
    try measure("report --csv --satker 32", ["report", "--csv", "--satker", "32"])
    try measure("plan list --satker 32.17 --json", ["plan", "list", "--satker", "32.17", "--json"])
    try measure("plan list --satker 32 --json", ["plan", "list", "--satker", "32", "--json"])
    try measure("digest --satker 32.17", ["digest", "--satker", "32.17"])
    try measure("digest --satker 32", ["digest", "--satker", "32"])
    try measure("history PLAN", ["history", historyPlan])
    try measure("evidence list (all of RI's subtree) --json", ["evidence", "list", "--json"])

    // 3. A province with as long a history of its own, and one with none, each syncing with a
    //    parent that holds the province's history: their no-op rounds.
    let parent = dir.appendingPathComponent("parent")
    let prov = dir.appendingPathComponent("prov")
    let fresh = dir.appendingPathComponent("fresh")
    try ZISyncProcess.run(["init", "--home", parent.path, "--satker", "00", "--pki", pki, "--listen", "127.0.0.1:0"])
    let placeholder = "https://127.0.0.1:9"
    try ZISyncProcess.run(["init", "--home", prov.path, "--satker", "32", "--pki", pki, "--parent", placeholder])
    try ZISyncProcess.run(["init", "--home", fresh.path, "--satker", "33", "--pki", pki, "--parent", placeholder])
    let subtree = registry.subtree(of: "32").sorted()
    let provincial = WorkHistory(
        offices: subtree, plans: n(300_000), updates: n(300_000), evidence: n(1_000_000), reviews: n(40_000),
        files: files, registry: registry)
    let provSeconds: Double
    do {
        let store = try Store.open(home: Home(path: prov.path))
        try stock(store)
        provSeconds = try provincial.apply(to: store, seed: 2).seconds
        // The parent acknowledged all of it in earlier rounds (its copy is made below).
        try store.ledger.acknowledge(try store.changeLog.tips(subtree: "32"))
        for file in files { try store.ledger.markUploaded(file.sha256) }
    }
    print(
        String(
            format: "province 32:       %d changes of its own subtree (%d offices), applied in %.0f s",
            provincial.total, subtree.count, provSeconds))
    // The parent holds the province's history: a copy of its database, as KPU RI's.
    for name in ["zisync.db", "zisync.db-wal", "zisync.db-shm"] {
        let target = parent.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        let source = prov.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: source.path) {
            try FileManager.default.copyItem(at: source, to: target)
        }
    }
    do {
        let db = try DatabaseQueue(path: parent.appendingPathComponent("zisync.db").path)
        try db.write { try $0.execute(sql: "UPDATE node_meta SET value = '00' WHERE key = 'satker'") }
        try db.write { try $0.execute(sql: "DELETE FROM parent_ack; UPDATE sync_state SET pull_cursor = 0") }
        try db.close()
        try stock(try Store.open(home: Home(path: parent.path)))
    }
    let (riDaemon, riPort) = try ZISyncProcess.daemon(parent)
    daemons.append(riDaemon)
    for home in [prov, fresh] {
        try ConfigFile(home: home).set("parent", "https://127.0.0.1:\(riPort)")
        _ = try ZISyncProcess.sync(home)  // the first round pulls the parent's log once
    }
    print("no-op round (zisync sync)                  round   process   peak memory")
    var rounds: [String: Double] = [:]
    for (label, home) in [("province 32, same history", prov), ("province 33, empty history", fresh)] {
        // Three rounds; the median is printed.
        var results: [(Double, ProcessResult)] = []
        for _ in 0..<3 {
            let r = try ZISyncProcess.result(["sync", "--json", "--home", home.path])
            let report = try JSONDecoder().decode(SyncReportFigures.self, from: Data(r.stdout.utf8))
            guard report.pushed == 0 && report.pulled == 0 else { throw ZISyncError("not a no-op round: \(r.stdout)") }
            results.append((report.seconds, r))
        }
        let median = results.sorted { $0.0 < $1.0 }[1]
        rounds[label] = median.0
        print(
            label.padding(toLength: 42, withPad: " ", startingAt: 0)
                + String(
                    format: "%6.3f   %6.3f    %4d MB", median.0, median.1.seconds,
                    median.1.maxResidentKilobytes / 1024))
    }
    let ratio = rounds["province 32, same history"]! / rounds["province 33, empty history"]!
    print(String(format: "same history / empty history:              %5.2fx  (target <= 2)", ratio))
}

/// The figures of `zisync sync --json` the bench reads.
struct SyncReportFigures: Decodable {
    let pushed: Int
    let pulled: Int
    let seconds: Double
}
