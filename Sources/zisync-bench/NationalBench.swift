import Foundation
import ZISyncCore
import ZISyncStore
import ZISyncTestSupport

extension WorkHistory {
    /// Five years of `offices` at the size times `scale` (at least one of each): 300,000
    /// plans, as many plan edits, 1,000,000 evidence records and 40,000 reviews.
    init(fiveYearsOf offices: [String], scale: Double, files: [(sha256: String, size: Int64)], registry: SatkerRegistry)
    {
        func n(_ x: Int) -> Int { max(1, Int(Double(x) * scale)) }
        self.init(
            offices: offices, plans: n(300_000), updates: n(300_000), evidence: n(1_000_000), reviews: n(40_000),
            files: files, registry: registry)
    }
}

/// What every part of the national bench works with: its folder, the deployment CA, the pool of
/// evidence files and the registry of offices.
private struct NationalBenchSite {
    let dir: URL
    let scale: Double
    let registry: SatkerRegistry
    let pki: String
    let pool: URL
    let files: [(sha256: String, size: Int64)]

    /// Loads the registry, creates the CA with the three offices' certificates, and writes the pool.
    init(dir: URL, scale: Double) throws {
        let registry = try ReferenceSeed.load().registry
        let pki = dir.appendingPathComponent("pki").path
        try ZISyncProcess.run(["pki", "init-ca", "--dir", pki])
        for s in ["00", "32", "33"] { try ZISyncProcess.run(["pki", "issue", "--dir", pki, "--satker", s]) }
        // Evidence files: a pool of distinct files, in every store that holds the records.
        let pool = dir.appendingPathComponent("pool")
        let files = try Self.writePool(pool)
        self.dir = dir
        self.scale = scale
        self.registry = registry
        self.pki = pki
        self.pool = pool
        self.files = files
    }

    /// Writes 1000 distinct files of 2048 + i bytes into `pool`; their hashes and sizes.
    static func writePool(_ pool: URL) throws -> [(sha256: String, size: Int64)] {
        try FileManager.default.createDirectory(at: pool, withIntermediateDirectories: true)
        var files: [(sha256: String, size: Int64)] = []
        for i in 0..<1000 {
            let url = pool.appendingPathComponent("\(i).pdf")
            try Data((0..<(2048 + i)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }).write(to: url)
            files.append((Hashing.sha256Hex(try Data(contentsOf: url)), Int64(2048 + i)))
        }
        return files
    }

    /// Puts the pool's files in `store`, as a store holding the records that name them has them.
    func stock(_ store: Store) throws {
        for i in 0..<files.count { _ = try store.files.put(contentsOf: pool.appendingPathComponent("\(i).pdf")) }
    }
}

/// `zisync-bench national [SCALE]`: SCALE 1 is the size (300,000 plans, 1,000,000
/// evidence records); smaller scales try the bench quickly. Then the year's evaluation cycle with
/// every office proposed, and PortalRB's API timed against that store (`portalrb` stops there).
func runNationalBench(scale: Double, onlyPortalRB: Bool = false) async throws {
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
    let site = try NationalBenchSite(dir: dir, scale: scale)

    // 1. KPU RI with the nation's five years.
    let (ri, historyPlan) = try buildNationalStore(site)

    // 2. The operator's commands at KPU RI, each a process of its own.
    if !onlyPortalRB { try measureCommands(at: ri, historyPlan: historyPlan) }

    // 2b. The year's evaluation cycle over the whole nation, every office proposed: PortalRB's
    //     API at KPU RI.
    let year = CalendarDay.thisYear()
    let (units, cycleSeconds): (Int, Double) = try {
        let store = try Store.open(home: Home(path: ri.path))
        var units = 0
        let s = try seconds { units = try stockEvaluationCycle(store, files: site.files, year: year) }
        return (units, s)
    }()
    print(
        String(
            format: "evaluation cycle %d: %d units submitted, concluded and proposed (written in %.0f s)", year, units,
            cycleSeconds))
    try await measurePortalRB(home: ri, year: year)
    if onlyPortalRB { return }

    // 3. A province with as long a history of its own, and one with none, each syncing with a
    //    parent that holds the province's history: their no-op rounds.
    let (parent, prov, fresh) = try buildProvinces(site)
    let (riDaemon, riPort) = try ZISyncProcess.daemon(parent)
    daemons.append(riDaemon)
    try measureNoOpRounds(prov: prov, fresh: fresh, parentPort: riPort)
}

/// Phase 1: KPU RI's store built from the nation's five years through the apply path; prints its
/// size and build rate. Returns its home and a plan with a history.
private func buildNationalStore(_ site: NationalBenchSite) throws -> (URL, String) {
    let ri = site.dir.appendingPathComponent("ri")
    try ZISyncProcess.run(["init", "--home", ri.path, "--satker", "00"])
    let national = WorkHistory(
        fiveYearsOf: site.registry.all.map(\.code), scale: site.scale, files: site.files, registry: site.registry)
    let (historyPlan, riSeconds): (String, Double)
    do {
        let store = try Store.open(home: Home(path: ri.path))
        try site.stock(store)
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
    return (ri, historyPlan)
}

/// Phase 2: the time and peak memory of the operator's commands on KPU RI's store.
private func measureCommands(at ri: URL, historyPlan: String) throws {
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
}

/// Phase 3's homes: province 32 with five years of its subtree (acknowledged by its parent),
/// province 33 with none, and the parent holding a copy of 32's history. Returns parent, 32, 33.
private func buildProvinces(_ site: NationalBenchSite) throws -> (URL, URL, URL) {
    let parent = site.dir.appendingPathComponent("parent")
    let prov = site.dir.appendingPathComponent("prov")
    let fresh = site.dir.appendingPathComponent("fresh")
    let pki = site.pki
    try ZISyncProcess.run(["init", "--home", parent.path, "--satker", "00", "--pki", pki, "--listen", "127.0.0.1:0"])
    let placeholder = "https://127.0.0.1:9"
    try ZISyncProcess.run(["init", "--home", prov.path, "--satker", "32", "--pki", pki, "--parent", placeholder])
    try ZISyncProcess.run(["init", "--home", fresh.path, "--satker", "33", "--pki", pki, "--parent", placeholder])
    let subtree = site.registry.subtree(of: "32").sorted()
    let provincial = WorkHistory(fiveYearsOf: subtree, scale: site.scale, files: site.files, registry: site.registry)
    let provSeconds: Double
    do {
        let store = try Store.open(home: Home(path: prov.path))
        try site.stock(store)
        provSeconds = try provincial.apply(to: store, seed: 2).seconds
        // The parent acknowledged all of it in earlier rounds (its copy is made below).
        try store.ledger.acknowledge(try store.changeLog.tips(subtree: "32"))
        for file in site.files { try store.ledger.markUploaded(file.sha256) }
    }
    print(
        String(
            format: "province 32:       %d changes of its own subtree (%d offices), applied in %.0f s",
            provincial.total, subtree.count, provSeconds))
    try copyHistory(of: prov, toParent: parent, site)
    return (parent, prov, fresh)
}

/// The parent holds the province's history: a copy of its database, as KPU RI's (its own satker,
/// nothing acknowledged, nothing pulled yet), with the pool's files.
private func copyHistory(of prov: URL, toParent parent: URL, _ site: NationalBenchSite) throws {
    for name in ["zisync.db", "zisync.db-wal", "zisync.db-shm"] {
        let target = parent.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        let source = prov.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: source.path) {
            try FileManager.default.copyItem(at: source, to: target)
        }
    }
    try Store.adoptAsKPURI(databaseAt: parent.appendingPathComponent("zisync.db").path)
    try site.stock(try Store.open(home: Home(path: parent.path)))
}

/// Phase 3's figures: each province's first round pulls the parent's log once; then three no-op
/// rounds each, the median printed, and the ratio of the two medians.
private func measureNoOpRounds(prov: URL, fresh: URL, parentPort riPort: Int) throws {
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
