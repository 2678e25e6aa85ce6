import Foundation
import ZISyncAuthenticity
import ZISyncCore
import ZISyncEngine
import ZISyncFaultProxy
import ZISyncProtocol
import ZISyncStore
import ZISyncTestSupport

/// Runs the release `zisync` binary that sits next to this benchmark (through the one process
/// runner, which drains both pipes while the program runs).
struct ZISyncProcess {
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("zisync")

    @discardableResult
    static func run(_ args: [String], timeout: Duration = .seconds(900)) throws -> String {
        try result(args, timeout: timeout).stdout
    }

    /// The whole result (status, output, time, its own peak memory); throws unless it exits 0.
    static func result(_ args: [String], timeout: Duration = .seconds(900)) throws -> ProcessResult {
        let r = try ProcessRunner.measured(binary.path, args, timeout: timeout)
        guard r.status == 0 else {
            throw ZISyncError("zisync \(args.joined(separator: " ")) (exit \(r.status)): \(r.stderr)")
        }
        return r
    }

    /// Starts `zisync daemon` and returns it with its port.
    static func daemon(_ home: URL) throws -> (RunningProcess, Int) {
        let p = try RunningProcess(binary.path, ["daemon", "--home", home.path], stderr: .discard)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let line = p.stdout.split(separator: "\n").first(where: { $0.hasPrefix("listening on") }),
                let port = Int(line.split(separator: ":").last ?? "")
            {
                return (p, port)
            }
            if !p.isRunning { break }
            usleep(20_000)
        }
        p.kill()
        throw ZISyncError("daemon for \(home.path) did not start: \(p.stdout)")
    }

    static func sync(_ home: URL) throws -> SyncReport {
        let json = try run(["sync", "--json", "--home", home.path])
        return try JSONDecoder().decode(SyncReport.self, from: Data(json.utf8))
    }
}

/// Changes per second applied at a new province store in push-sized batches (5000), with the
/// deployment's trust (every batch's signatures checked, one per origin's run) or without.
func inProcessApplyRate(_ changes: [Change], trust: DeploymentTrust?, certificate: [UInt8], cleanup: inout [URL])
    throws -> Double
{
    let home = tempHome("apply")
    cleanup.append(home)
    let store = try Store.initialize(home: Home(path: home.path), satker: "32")
    try store.useAuthenticity(signer: nil, trust: trust)
    let elapsed = try seconds {
        var i = 0
        while i < changes.count {
            let r = try store.ledger.receiveFromBelow(
                Array(changes[i..<min(i + 5000, changes.count)]), sender: "32.17", source: "bench",
                at: HybridClock.systemMilliseconds(), maxClockAhead: 300_000, recordChild: true,
                certificates: [certificate])
            guard r.refused.isEmpty else { throw ZISyncError("refused: \(r.refused[0].reason)") }
            i += 5000
        }
    }
    return Double(changes.count) / elapsed
}

/// A deployment for one benchmark: a folder with its CA, the daemons started in it (stopped, and
/// the folder removed, by `close()`).
final class BenchDeployment {
    let dir: URL
    let pki: String
    private var daemons: [RunningProcess] = []

    init(_ label: String, satkers: [String]) throws {
        dir = tempHome(label)
        pki = dir.appendingPathComponent("pki").path
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ZISyncProcess.run(["pki", "init-ca", "--dir", pki])
        for satker in satkers { try issue(satker) }
    }

    func issue(_ satker: String) throws { try ZISyncProcess.run(["pki", "issue", "--dir", pki, "--satker", satker]) }

    func home(_ satker: String) -> URL { dir.appendingPathComponent(satker) }

    /// Starts the daemon of `home`; its port.
    func daemon(_ home: URL) throws -> Int {
        let (process, port) = try ZISyncProcess.daemon(home)
        daemons.append(process)
        return port
    }

    func close() {
        for d in daemons {
            d.signal(SIGTERM)
            d.wait(timeout: .seconds(30))
        }
        try? FileManager.default.removeItem(at: dir)
    }
}

func randomFile(_ url: URL, bytes: Int) throws {
    var data = Data(count: bytes)
    data.withUnsafeMutableBytes { raw in
        var rng = SystemRandomNumberGenerator()
        for i in stride(from: 0, to: raw.count - 8, by: 8) {
            raw.storeBytes(of: rng.next(), toByteOffset: i, as: UInt64.self)
        }
    }
    try data.write(to: url)
}

func runSyncBench(total: Int, pushOnly: Bool = false) async throws {
    let dir = tempHome("sync")
    var cleanup = [dir]
    var daemons: [RunningProcess] = []
    defer {
        for d in daemons {
            d.signal(SIGTERM)
            d.wait(timeout: .seconds(30))
        }
        for u in cleanup { try? FileManager.default.removeItem(at: u) }
    }
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let pki = dir.appendingPathComponent("pki").path
    try ZISyncProcess.run(["pki", "init-ca", "--dir", pki])
    func node(_ satker: String, parentPort: Int?, listen: Bool) throws -> URL {
        try ZISyncProcess.run(["pki", "issue", "--dir", pki, "--satker", satker])
        let home = dir.appendingPathComponent(satker)
        var args = ["init", "--home", home.path, "--satker", satker, "--pki", pki]
        if let parentPort { args += ["--parent", "https://127.0.0.1:\(parentPort)"] }
        if listen { args += ["--listen", "127.0.0.1:0"] }
        try ZISyncProcess.run(args)
        return home
    }
    let ri = try node("00", parentPort: nil, listen: true)
    let (riDaemon, riPort) = try ZISyncProcess.daemon(ri)
    daemons.append(riDaemon)
    let prov = try node("32", parentPort: riPort, listen: true)
    let (provDaemon, provPort) = try ZISyncProcess.daemon(prov)
    daemons.append(provDaemon)

    // 1. Push + apply of `total` changes through HTTPS, counting the bytes on the wire.
    let counting = try FaultProxy(target: provPort)
    let kab = try node("32.17", parentPort: counting.port, listen: false)
    // Signed by 32.17's key as its own writes are; the signing is timed on its own.
    let key = try OriginKey(certificateFile: "\(pki)/32.17.crt", keyFile: "\(pki)/32.17.key")
    var changes = makeChanges(total: total, origin: "32.17")
    let signSeconds = seconds { changes = changes.map { $0.signed(key.sign(hash: $0.hash)) } }
    do {
        let store = try Store.open(home: Home(path: kab.path))
        var i = 0
        while i < changes.count {
            _ = try store.receive(Array(changes[i..<min(i + 5000, changes.count)]), sender: nil, source: "bench")
            i += 5000
        }
    }
    var canonical = Data()
    for c in changes {
        canonical.append(contentsOf: c.wireJSON.utf8)
        canonical.append(0x0A)
    }
    let gzipped = try SyncProtocol.gzip(canonical).count
    counting.resetCounters()
    let pushReport = try ZISyncProcess.sync(kab)
    guard pushReport.pushed == total else { throw ZISyncError("pushed \(pushReport.pushed) of \(total)") }
    let wire = counting.upstreamBytes
    var scratch: [URL] = []
    let bareRate = try bareInsertRate(changes, batchSize: 5000, cleanup: &scratch)
    cleanup += scratch
    let pushRate = Double(total) / pushReport.pushSeconds
    // The same changes applied in-process at a province store, checking signatures or not.
    let trust = try DeploymentTrust(caFile: "\(pki)/ca.crt")
    let unchecked = try inProcessApplyRate(changes, trust: nil, certificate: key.certificateDER, cleanup: &scratch)
    let checked = try inProcessApplyRate(changes, trust: trust, certificate: key.certificateDER, cleanup: &scratch)
    cleanup += scratch.suffix(2)
    print("changes pushed:                   \(total) from 32.17 to 32 over HTTPS (batches of 5000, gzip)")
    print(
        String(
            format: "push + apply at the parent:       %8.0f changes/s  (%.2f s; round %.2f s)", pushRate,
            pushReport.pushSeconds, pushReport.seconds))
    print(String(format: "bare SQLite insert, same rows:    %8.0f rows/s", bareRate))
    print(
        String(
            format: "signing at the origin (P-256):    %8.0f changes/s  (%.2f s for %d)", Double(total) / signSeconds,
            signSeconds, total))
    print(
        String(
            format: "apply in-process, no signature check: %8.0f changes/s  (%.2fx bare)", unchecked,
            unchecked / bareRate))
    print(
        String(
            format: "apply in-process, signatures checked: %8.0f changes/s  (%.2fx bare, %.2fx unchecked)", checked,
            checked / bareRate, checked / unchecked))
    print(
        String(
            format: "push+apply / bare ratio:          %8.2f          (target >= 0.30; >= 20000 changes/s)",
            pushRate / bareRate))
    print(
        String(
            format: "wire bytes per change (upstream): %8.1f          (%d bytes, TLS and HTTP included)",
            Double(wire) / Double(total), wire))
    print(
        String(
            format: "gzip of canonical JSON per change:%8.1f          (%d bytes)", Double(gzipped) / Double(total),
            gzipped))
    print(
        String(
            format: "wire / gzip:                      %8.3f          (target <= 1.15)", Double(wire) / Double(gzipped))
    )
    if pushOnly { return }

    // 2. A 2 MB file through a throttled link: 64 KB/s each way, 300 ms one-way delay.
    let rate = 64 * 1024
    let fileSize = 2 * 1024 * 1024
    let slow = try FaultProxy(target: provPort, rate: rate, delayMilliseconds: 300)
    let slowKab = try node("32.18", parentPort: slow.port, listen: false)
    let plan = try ZISyncProcess.run([
        "plan", "add", "--home", slowKab.path, "--area", "1", "--activity", "Berkas besar",
    ])
    .trimmingCharacters(in: .whitespacesAndNewlines)
    let scan = dir.appendingPathComponent("scan.pdf")
    try randomFile(scan, bytes: fileSize)
    try ZISyncProcess.run(["evidence", "add", "--home", slowKab.path, "--plan", plan, scan.path])
    let started = Date()
    let slowReport = try ZISyncProcess.sync(slowKab)
    let slowRound = Date().timeIntervalSince(started)
    let ideal = Double(fileSize) / Double(rate)

    // 3. Bytes re-sent after a cut at 50 %: the same upload with and without a cut.
    let cutSize = 4 * 1024 * 1024
    func upload(_ satker: String, cutAt: Int64?) throws -> Int64 {
        let proxy = try FaultProxy(target: provPort)
        let home = try node(satker, parentPort: proxy.port, listen: false)
        let plan = try ZISyncProcess.run(["plan", "add", "--home", home.path, "--area", "2", "--activity", "Potong"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let file = dir.appendingPathComponent("\(satker).pdf")
        try randomFile(file, bytes: cutSize)
        try ZISyncProcess.run(["evidence", "add", "--home", home.path, "--plan", plan, file.path])
        proxy.resetCounters()
        if let cutAt { proxy.mode = .cutAfter(cutAt) }
        let p = try RunningProcess(ZISyncProcess.binary.path, ["sync", "--home", home.path], stdout: .discard)
        if cutAt != nil {
            while proxy.mode != .cutAfter(0), p.isRunning { usleep(2_000) }
            proxy.mode = .forward
        }
        let result = p.wait(timeout: .seconds(600))
        guard result.status == 0 else {
            throw ZISyncError("sync of \(satker) (cut at \(cutAt.map(String.init) ?? "none")) failed: \(result.stderr)")
        }
        return proxy.upstreamBytes
    }
    let uncut = try upload("32.01", cutAt: nil)
    let cut = try upload("32.02", cutAt: Int64(cutSize / 2))

    print(
        String(
            format: "2 MB at 64 KB/s, 300 ms: upload   %8.2f s        (size/rate %.2f s: %.3fx, target <= 1.10)",
            slowReport.uploadSeconds, ideal, slowReport.uploadSeconds / ideal))
    print(String(format: "  whole sync round incl. TLS and push/pull: %.2f s (%.3fx)", slowRound, slowRound / ideal))
    print(
        "cut at 50 % of a 4 MiB upload:    \(cut - uncut) bytes re-sent (uncut \(uncut), cut \(cut); chunk \(SyncProtocol.chunkBytes))"
    )
}
