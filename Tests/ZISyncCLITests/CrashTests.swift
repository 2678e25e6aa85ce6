import Foundation
import GRDB
import Testing

/// kill -9 of the parent daemon or of the child's `zisync sync` at random moments during
/// push, pull and file uploads; afterwards every change is present exactly once and the
/// digests agree. ZISYNC_CRASH_ITERATIONS raises the count (bench/crash-soak.sh).
@Suite(.serialized) struct CrashTests {
    static var iterations: Int { Int(ProcessInfo.processInfo.environment["ZISYNC_CRASH_ITERATIONS"] ?? "") ?? 20 }

    func sheet(_ d: Deployment, rows: Int, satker: String?, tag: String) throws -> String {
        var lines = ["satker,area,kegiatan,target"]
        for i in 0..<rows { lines.append("\(satker ?? ""),\(i % 6 + 1),Kegiatan \(tag) \(i),\(i) dokumen") }
        let url = d.dir.appendingPathComponent("sheet-\(tag).csv")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func count(_ node: CLI, origin: String) throws -> Int {
        let db = try DatabaseQueue(path: node.home.appendingPathComponent("zisync.db").path)
        defer { try? db.close() }
        return try db.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM change_log WHERE origin = ?", arguments: [origin]) ?? 0
        }
    }

    @Test func killNineAtRandomMomentsLosesAndDuplicatesNothing() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("00", serves: true)
        try d.node("32", parent: "00", serves: true)
        let kab = try d.node("32.17", parent: "32")
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededRandomGenerator(seed: seed)
        var kills = (parent: 0, child: 0)
        for i in 0..<Self.iterations {
            // New work on both sides: plans at the kab/kota, plans the province enters for it, a file.
            try kab.ok(["plan", "import", try sheet(d, rows: 200, satker: nil, tag: "k\(i)")])
            try d["32"].ok(["plan", "import", try sheet(d, rows: 200, satker: "32.17", tag: "p\(i)")])
            let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Bukti \(i)"])
            let file = d.dir.appendingPathComponent("bukti-\(i).pdf")
            try Data((0..<(600_000 + i)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }).write(to: file)
            try kab.ok(["evidence", "add", "--plan", plan, file.path])

            let sync = Process()
            sync.executableURL = CLI.binary
            sync.arguments = ["sync", "--home", kab.home.path]
            sync.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            sync.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try sync.run()
            usleep(UInt32.random(in: 0...400_000, using: &rng))
            if Bool.random(using: &rng) {
                kills.parent += 1
                try d.restart("32")  // kill -9, then start again on a new port
                sync.waitUntilExit()
            } else {
                kills.child += 1
                kill(sync.processIdentifier, SIGKILL)
                sync.waitUntilExit()
            }
            // The next round completes and repairs whatever the kill interrupted.
            var synced = false
            for _ in 0..<3 where !synced {
                synced = try kab.run(["sync"]).status == 0
            }
            #expect(synced, "iteration \(i) (seed \(seed)): the sync after the kill did not complete")
            #expect(try kab.digest("32.17") == d["32"].digest("32.17"), "iteration \(i) (seed \(seed))")
            #expect(try count(kab, origin: "32.17") == count(d["32"], origin: "32.17"), "iteration \(i)")
            #expect(try count(kab, origin: "32") == count(d["32"], origin: "32"), "iteration \(i)")
        }
        for node in [kab, d["32"]] {
            let verify = try node.run(["verify"])
            #expect(verify.status == 0, "\(verify.stdout)")
        }
        let evidence = try d["32"].json("evidence", "list") as! [[String: Any]]
        #expect(evidence.count == Self.iterations && evidence.allSatisfy { $0["file_present"] as? Bool == true })
        #expect(kills.parent + kills.child == Self.iterations)
    }
}

/// SplitMix64, so a failing run can be replayed from its printed seed.
struct SeededRandomGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
