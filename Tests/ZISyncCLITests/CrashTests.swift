import Foundation
import GRDB
import Testing
import ZISyncFaultProxy
import ZISyncTestSupport

/// kill -9 of the parent daemon or of the child's `zisync sync` at random moments during
/// push, pull and file uploads; afterwards every change is present exactly once and the
/// digests agree. ZISYNC_CRASH_ITERATIONS raises the count (bench/crash-soak.sh).
@Suite(.serialized, .timeLimit(.minutes(60))) struct CrashTests {
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
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        // A link of 800 kB/s makes each round last about a second, so a kill at a random moment
        // lands inside a transfer (push, upload, pull) rather than after it.
        func throttled() throws -> FaultProxy {
            try FaultProxy(target: try #require(d.daemons["32"]).port, rate: 800_000)
        }
        var link = try throttled()
        defer { link.close() }
        // ZISYNC_CRASH_SEED replays a run exactly (the seed is in every message).
        var rng = SeededRandom(environment: "ZISYNC_CRASH_SEED")
        let seed = rng.seed
        var interrupted = 0
        for i in 0..<Self.iterations {
            // New work on both sides: plans at the kab/kota, plans the province enters for it, a file.
            try kab.ok(["plan", "import", try sheet(d, rows: 200, satker: nil, tag: "k\(i)")])
            try d["32"].ok(["plan", "import", try sheet(d, rows: 200, satker: "32.17", tag: "p\(i)")])
            let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Bukti \(i)"])
            let file = d.dir.appendingPathComponent("bukti-\(i).pdf")
            try Data((0..<(600_000 + i)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }).write(to: file)
            try kab.ok(["evidence", "add", "--plan", plan, file.path])

            try kab.setParent("https://127.0.0.1:\(link.port)")
            let sync = try RunningProcess(
                CLI.binary.path, ["sync", "--home", kab.home.path], environment: CLI.environment, stdout: .discard,
                stderr: .discard)
            usleep(UInt32.random(in: 100_000...900_000, using: &rng))
            if Bool.random(using: &rng) {
                let wasRunning = sync.isRunning
                try d.restart("32")  // kill -9, then start again on a new port
                link.close()
                link = try throttled()
                let result = sync.wait(timeout: .seconds(120))
                // The round was cut if it was still going and did not finish clean.
                if wasRunning && result.status != 0 { interrupted += 1 }
            } else {
                let wasRunning = sync.isRunning
                sync.kill()
                if wasRunning && sync.wait().exit == .signalled(SIGKILL) { interrupted += 1 }
            }
            // The next round, at full speed, completes and repairs whatever the kill interrupted.
            try kab.setParent(try #require(d.daemons["32"]).url)
            var synced = false
            for _ in 0..<3 where !synced {
                synced = try kab.run(["sync"]).status == 0
            }
            #expect(synced, "iteration \(i) (seed \(seed)): the sync after the kill did not complete")
            #expect(try kab.digest("32.17") == d["32"].digest("32.17"), "iteration \(i) (seed \(seed))")
            #expect(try count(kab, origin: "32.17") == count(d["32"], origin: "32.17"), "iteration \(i) (seed \(seed))")
            #expect(try count(kab, origin: "32") == count(d["32"], origin: "32"), "iteration \(i) (seed \(seed))")
        }
        for node in [kab, d["32"]] {
            let verify = try node.run(["verify"])
            #expect(verify.status == 0, "\(verify.stdout)")
        }
        let evidence = try d["32"].objects("evidence", "list")
        #expect(evidence.count == Self.iterations && evidence.allSatisfy { $0["file_present"] as? Bool == true })
        // Most kills must land inside a transfer, or the test proves little (seed \(seed)).
        #expect(
            interrupted * 2 >= Self.iterations,
            "only \(interrupted) of \(Self.iterations) kills interrupted a round (seed \(seed))")
    }
}
