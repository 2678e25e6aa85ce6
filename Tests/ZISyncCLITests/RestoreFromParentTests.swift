import Foundation
import GRDB
import Testing
import ZISyncFaultProxy
import ZISyncTestSupport

/// An office that lost its disk, or went back to an old backup of itself, is whole again from its
/// parent (docs/operations.md, "An office that lost its disk"): its own chain, its scope and its
/// files come back, and its next write continues its sequence after the parent's, so it is never
/// refused. Real daemons over mutual TLS on loopback.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RestoreFromParentTests {
    /// Three plans with evidence at the kab/kota, a review from the province, all synced to KPU RI.
    func officeWithHistory(_ d: Deployment) throws -> (kab: CLI, plans: [String], files: [String: URL]) {
        try d.node("00", serves: true)
        try d.node("32", parent: "00", serves: true)
        let kab = try d.node("32.17", parent: "32")
        var plans: [String] = []
        var files: [String: URL] = [:]
        for i in 1...3 {
            let plan = try kab.ok(["plan", "add", "--area", "\(i)", "--activity", "Rencana \(i)"])
            let file = try d.file("bukti-\(i).pdf", bytes: 80_000 * i, seed: i)
            let added = try kab.object("evidence", "add", "--plan", plan, file.path)
            files[try #require(added["id"] as? String)] = file
            plans.append(plan)
        }
        try kab.ok(["plan", "set", plans[0], "status=berjalan"])
        try kab.ok(["sync"])
        try d["32"].ok(["review", "plan", plans[0], "--verdict", "disetujui"])
        try d["32"].ok(["sync"])
        try kab.ok(["sync"])
        return (kab, plans, files)
    }

    /// Why the node must fetch its chain, read from its database (nil: it need not).
    func recoveryReason(_ node: CLI) throws -> String? {
        let queue = try DatabaseQueue(path: node.home.appendingPathComponent("zisync.db").path)
        defer { try? queue.close() }
        return try queue.read { try String.fetchOne($0, sql: "SELECT recovery FROM sync_state") }
    }

    func restoreArgs(_ d: Deployment, parent: String? = nil) -> [String] {
        ["init", "--satker", "32.17", "--pki", d.pki, "--parent", parent ?? d.daemons["32"]!.url, "--restore"]
    }

    /// Every file an evidence record names, fetched from the node and compared byte for byte.
    func expectFiles(_ kab: CLI, _ files: [String: URL], _ d: Deployment) throws {
        for (id, original) in files {
            let back = d.dir.appendingPathComponent("kembali-\(id).pdf")
            try kab.ok(["evidence", "get", id, "--out", back.path])
            #expect(try Data(contentsOf: back) == Data(contentsOf: original), "evidence \(id)")
        }
    }

    @Test func aKabKotaWhoseDiskDiedIsRestoredFromItsProvince() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        let (kab, plans, files) = try officeWithHistory(d)
        let digest = try kab.digest("32.17")
        let changes = try kab.object("status")

        try FileManager.default.removeItem(at: kab.home)
        let restored = try kab.run(restoreArgs(d))
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("every evidence file"), "\(restored.stdout)")
        #expect(try kab.digest("32.17") == digest)
        #expect(try kab.digest("32.17") == d["32"].digest("32.17"))
        try expectFiles(kab, files, d)
        #expect(try kab.ok(["plan", "show", plans[0]]).contains("disetujui"), "its scope came back too")
        #expect(try kab.run(["verify"]).status == 0)
        let status = try kab.object("status")
        #expect(status["recovery"] == nil && status["missingFiles"] as? Int == 0, "\(status)")
        #expect(status["pendingChanges"] as? Int == 0, "\(status) (before: \(changes))")

        // The next write continues the office's sequence: accepted at the province and at KPU RI.
        let next = try kab.ok(["plan", "add", "--area", "4", "--activity", "Sesudah pemulihan"])
        let round = try kab.object("sync")
        #expect(round["pushed"] as? Int == 1 && (round["refused"] as? [Any])?.isEmpty == true, "\(round)")
        try d["32"].ok(["sync"])
        #expect(try d["00"].digest("32.17") == kab.digest("32.17"))
        #expect(try d["00"].ok(["plan", "show", next]).contains("Sesudah pemulihan"))
    }

    /// A plain `init` of an office that had synced: its first write forks its chain. The first
    /// round finds it, stops it writing, fetches the parent's chain and writes that change again on
    /// top, so nothing is refused and nothing is lost.
    @Test func aPlainReinitRefusesToForkAndRecovers() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        let (kab, plans, files) = try officeWithHistory(d)
        try FileManager.default.removeItem(at: kab.home)
        try kab.ok(["init", "--satker", "32.17", "--pki", d.pki, "--parent", d.daemons["32"]!.url])
        let fresh = try kab.ok(["plan", "add", "--area", "5", "--activity", "Ditulis sesudah instal ulang"])

        // Over a slow link the round finds the fork and starts fetching; it is stopped there.
        let slow = try FaultProxy(target: d.daemons["32"]!.port, rate: 60_000)
        defer { slow.close() }
        try kab.setParent("https://127.0.0.1:\(slow.port)")
        let round1 = try RunningProcess(
            CLI.binary.path, ["sync", "--home", kab.home.path], environment: CLI.environment, stdout: .discard,
            stderr: .discard)
        let found = waitUntil(60) { (try? recoveryReason(kab)) ?? nil != nil }
        round1.kill()
        _ = round1.wait()
        #expect(found, "the round found that the province holds 32.17's chain differently")
        let blocked = try kab.run(["plan", "add", "--area", "1", "--activity", "Tidak boleh"])
        #expect(blocked.status != 0, "no new change of its own while its chain is being fetched")
        #expect(blocked.stderr.contains("zisync sync"), "says what to run: \(blocked.stderr)")
        let status = try kab.object("status")
        let recovery = try #require(status["recovery"] as? [String: Any], "\(status)")
        #expect((recovery["reason"] as? String ?? "").contains("32.17"), "\(recovery)")
        #expect(try kab.ok(["status"]).contains("restoring"))

        // The link is back: the next round completes the restore and sends the change again.
        try kab.setParent(d.daemons["32"]!.url)
        let round = try kab.object("sync")
        #expect(round["rewritten"] as? Int == 1, "\(round)")
        #expect((round["refused"] as? [Any])?.isEmpty == true, "\(round)")
        #expect(try kab.digest("32.17") == d["32"].digest("32.17"))
        #expect(try d["32"].ok(["plan", "show", fresh]).contains("Ditulis sesudah instal ulang"))
        #expect(try kab.ok(["plan", "show", plans[1]]).contains("Rencana 2"))
        try expectFiles(kab, files, d)
        #expect(try kab.run(["plan", "add", "--area", "1", "--activity", "Boleh lagi"]).status == 0)
        #expect(try kab.run(["sync"]).status == 0 && kab.run(["verify"]).status == 0)
        #expect(try kab.digest("32.17") == d["32"].digest("32.17"))
    }

    /// An office that put back its own backup, older than its last sync, and wrote before syncing.
    @Test func aKabKotaRestoredFromItsOwnOlderBackupCatchesUp() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let old = try kab.ok(["plan", "add", "--area", "1", "--activity", "Lama"])
        try kab.ok(["sync"])
        let backup = d.dir.appendingPathComponent("cadangan-32.17")
        try kab.ok(["backup", "--out", backup.path])
        let later = try kab.ok(["plan", "add", "--area", "2", "--activity", "Sesudah cadangan"])
        try kab.ok(["plan", "set", old, "status=selesai"])
        try kab.ok(["sync"])

        try FileManager.default.removeItem(at: kab.home)
        try kab.ok(["restore", backup.path])
        let written = try kab.ok(["plan", "add", "--area", "3", "--activity", "Sesudah pemulihan cadangan"])
        let round = try kab.object("sync")
        #expect(round["rewritten"] as? Int == 1 && (round["refused"] as? [Any])?.isEmpty == true, "\(round)")
        #expect(try kab.ok(["plan", "show", later]).contains("Sesudah cadangan"))
        #expect(try kab.ok(["plan", "show", old]).contains("selesai"))
        #expect(try kab.digest("32.17") == d["32"].digest("32.17"))
        #expect(try d["32"].ok(["plan", "show", written]).contains("Sesudah pemulihan cadangan"))
        #expect(try kab.run(["verify"]).status == 0)
    }

    /// kill -9 while `init --restore` fetches its chain over a slow link: the same command again
    /// completes it.
    @Test func aRestoreKilledMidwayCompletesWhenRunAgain() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let sheet = d.dir.appendingPathComponent("rencana.csv")
        var rows = ["satker,area,kegiatan,target"]
        for i in 0..<6_000 { rows.append(",\(i % 6 + 1),Kegiatan nomor \(i) untuk pemulihan,\(i) dokumen") }
        try rows.joined(separator: "\n").write(to: sheet, atomically: true, encoding: .utf8)
        try kab.ok(["plan", "import", sheet.path])
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Dengan bukti"])
        let file = try d.file("besar.pdf", bytes: 900_000, seed: 4)
        let added = try kab.object("evidence", "add", "--plan", plan, file.path)
        try kab.ok(["sync"])
        let digest = try kab.digest("32.17")

        try FileManager.default.removeItem(at: kab.home)
        let slow = try FaultProxy(target: d.daemons["32"]!.port, rate: 250_000)
        defer { slow.close() }
        let args = restoreArgs(d, parent: "https://127.0.0.1:\(slow.port)") + ["--home", kab.home.path]
        let first = try RunningProcess(
            CLI.binary.path, args, environment: CLI.environment, stdout: .discard, stderr: .discard)
        // Killed once the first page is stored, before the rest and the file.
        let db = kab.home.appendingPathComponent("zisync.db").path
        let midway = waitUntil(120) {
            guard FileManager.default.fileExists(atPath: db), let queue = try? DatabaseQueue(path: db) else {
                return false
            }
            defer { try? queue.close() }
            let n = try? queue.read { try Int.fetchOne($0, sql: "SELECT restored_changes FROM sync_state") }
            return (n ?? 0) ?? 0 > 0
        }
        first.kill()
        _ = first.wait()
        #expect(midway, "the restore stored a first page")
        let status = try kab.object("status")
        #expect(status["recovery"] != nil, "killed before the restore ended: \(status)")

        let again = try kab.run(restoreArgs(d))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try kab.digest("32.17") == digest)
        try expectFiles(kab, [try #require(added["id"] as? String): file], d)
        #expect(try kab.run(["verify"]).status == 0)
    }
}
