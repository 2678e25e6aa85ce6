import Foundation
import ZISyncAuthenticity
import ZISyncCore
import ZISyncEngine
import ZISyncFaultProxy
import ZISyncProtocol
import ZISyncStore
import ZISyncTestSupport

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

/// The sync figures: KPU RI and a province with their daemons, then push + apply of `total` changes
/// (printed), and unless `pushOnly` a throttled upload and the bytes re-sent after a cut.
func runSyncBench(total: Int, pushOnly: Bool = false) async throws {
    let tree = try BenchDeployment("sync")
    defer { tree.close() }
    let ri = try tree.node("00", parentPort: nil, listen: true)
    let riPort = try tree.daemon(ri)
    let prov = try tree.node("32", parentPort: riPort, listen: true)
    let provPort = try tree.daemon(prov)

    // 1. Push + apply of `total` changes through HTTPS, counting the bytes on the wire.
    let pushed = try pushAndApply(tree, provPort: provPort, total: total)
    printPushFigures(pushed)
    if pushOnly { return }

    // 2. A 2 MB file through a throttled link: 64 KB/s each way, 300 ms one-way delay.
    let (slowReport, slowRound, ideal) = try throttledUpload(tree, provPort: provPort)

    // 3. Bytes re-sent after a cut at 50 %: the same upload with and without a cut.
    let (uncut, cut) = try resentAfterCut(tree, provPort: provPort)

    print(
        String(
            format: "2 MB at 64 KB/s, 300 ms: upload   %8.2f s        (size/rate %.2f s: %.3fx, target <= 1.10)",
            slowReport.uploadSeconds, ideal, slowReport.uploadSeconds / ideal))
    print(String(format: "  whole sync round incl. TLS and push/pull: %.2f s (%.3fx)", slowRound, slowRound / ideal))
    print(
        "cut at 50 % of a 4 MiB upload:    \(cut - uncut) bytes re-sent (uncut \(uncut), cut \(cut); chunk \(SyncProtocol.chunkBytes))"
    )
}

/// What the push phase measured, printed together once it is over.
private struct PushFigures {
    let total: Int
    let report: SyncReport
    let pushRate: Double
    let bareRate: Double
    let signSeconds: Double
    let unchecked: Double
    let checked: Double
    let wire: Int64
    let gzipped: Int
}

/// Phase 1: `total` changes signed at 32.17 and pushed to the province through a counting proxy, then
/// the same changes inserted bare and applied in-process (signatures checked or not) for comparison.
private func pushAndApply(_ tree: BenchDeployment, provPort: Int, total: Int) throws -> PushFigures {
    let counting = try FaultProxy(target: provPort)
    let kab = try tree.node("32.17", parentPort: counting.port, listen: false)
    // Signed by 32.17's key as its own writes are; the signing is timed on its own.
    let key = try OriginKey(certificateFile: "\(tree.pki)/32.17.crt", keyFile: "\(tree.pki)/32.17.key")
    var changes = makeChanges(total: total, origin: "32.17")
    let signSeconds = seconds { changes = changes.map { $0.signed(key.sign(hash: $0.hash)) } }
    try receiveAsOwn(changes, home: kab)
    let gzipped = try canonicalGzipSize(changes)
    counting.resetCounters()
    let pushReport = try ZISyncProcess.sync(kab)
    guard pushReport.pushed == total else { throw ZISyncError("pushed \(pushReport.pushed) of \(total)") }
    let wire = counting.upstreamBytes
    var scratch: [URL] = []
    let bareRate = try bareInsertRate(changes, batchSize: 5000, cleanup: &scratch)
    tree.cleanup += scratch
    let pushRate = Double(total) / pushReport.pushSeconds
    // The same changes applied in-process at a province store, checking signatures or not.
    let trust = try DeploymentTrust(caFile: "\(tree.pki)/ca.crt")
    let unchecked = try inProcessApplyRate(changes, trust: nil, certificate: key.certificateDER, cleanup: &scratch)
    let checked = try inProcessApplyRate(changes, trust: trust, certificate: key.certificateDER, cleanup: &scratch)
    tree.cleanup += scratch.suffix(2)
    return PushFigures(
        total: total, report: pushReport, pushRate: pushRate, bareRate: bareRate, signSeconds: signSeconds,
        unchecked: unchecked, checked: checked, wire: wire, gzipped: gzipped)
}

/// Stores the changes at the kab/kota in batches of 5000, as the pending work its sync pushes; the
/// store is closed on return, before `zisync sync` opens the home.
private func receiveAsOwn(_ changes: [Change], home: URL) throws {
    let store = try Store.open(home: Home(path: home.path))
    var i = 0
    while i < changes.count {
        _ = try store.receive(Array(changes[i..<min(i + 5000, changes.count)]), sender: nil, source: "bench")
        i += 5000
    }
}

/// The gzipped size of the changes as canonical JSON lines: the floor the wire bytes are held to.
private func canonicalGzipSize(_ changes: [Change]) throws -> Int {
    var canonical = Data()
    for c in changes {
        canonical.append(contentsOf: c.wireJSON.utf8)
        canonical.append(0x0A)
    }
    return try SyncProtocol.gzip(canonical).count
}

/// Prints phase 1's figures and their targets, in the order bench/sync.sh shows them.
private func printPushFigures(_ f: PushFigures) {
    let total = f.total
    print("changes pushed:                   \(total) from 32.17 to 32 over HTTPS (batches of 5000, gzip)")
    print(
        String(
            format: "push + apply at the parent:       %8.0f changes/s  (%.2f s; round %.2f s)", f.pushRate,
            f.report.pushSeconds, f.report.seconds))
    print(String(format: "bare SQLite insert, same rows:    %8.0f rows/s", f.bareRate))
    print(
        String(
            format: "signing at the origin (P-256):    %8.0f changes/s  (%.2f s for %d)", Double(total) / f.signSeconds,
            f.signSeconds, total))
    print(
        String(
            format: "apply in-process, no signature check: %8.0f changes/s  (%.2fx bare)", f.unchecked,
            f.unchecked / f.bareRate))
    print(
        String(
            format: "apply in-process, signatures checked: %8.0f changes/s  (%.2fx bare, %.2fx unchecked)", f.checked,
            f.checked / f.bareRate, f.checked / f.unchecked))
    print(
        String(
            format: "push+apply / bare ratio:          %8.2f          (target >= 0.30; >= 20000 changes/s)",
            f.pushRate / f.bareRate))
    print(
        String(
            format: "wire bytes per change (upstream): %8.1f          (%d bytes, TLS and HTTP included)",
            Double(f.wire) / Double(total), f.wire))
    print(
        String(
            format: "gzip of canonical JSON per change:%8.1f          (%d bytes)", Double(f.gzipped) / Double(total),
            f.gzipped))
    print(
        String(
            format: "wire / gzip:                      %8.3f          (target <= 1.15)",
            Double(f.wire) / Double(f.gzipped))
    )
}

/// Phase 2: one 2 MB scan uploaded by a kab/kota behind a 64 KB/s, 300 ms link. The round's report,
/// its wall time, and the time the size at that rate takes.
private func throttledUpload(_ tree: BenchDeployment, provPort: Int) throws -> (SyncReport, Double, Double) {
    let rate = 64 * 1024
    let fileSize = 2 * 1024 * 1024
    let slow = try FaultProxy(target: provPort, rate: rate, delayMilliseconds: 300)
    let slowKab = try tree.node("32.18", parentPort: slow.port, listen: false)
    let plan = try ZISyncProcess.run([
        "plan", "add", "--home", slowKab.path, "--area", "1", "--activity", "Berkas besar",
    ])
    .trimmingCharacters(in: .whitespacesAndNewlines)
    let scan = tree.dir.appendingPathComponent("scan.pdf")
    try randomFile(scan, bytes: fileSize)
    try ZISyncProcess.run(["evidence", "add", "--home", slowKab.path, "--plan", plan, scan.path])
    let started = Date()
    let slowReport = try ZISyncProcess.sync(slowKab)
    let slowRound = Date().timeIntervalSince(started)
    let ideal = Double(fileSize) / Double(rate)
    return (slowReport, slowRound, ideal)
}

/// Phase 3: the upstream bytes of a 4 MiB upload without a cut, then of another cut once at 50 %.
private func resentAfterCut(_ tree: BenchDeployment, provPort: Int) throws -> (Int64, Int64) {
    let cutSize = 4 * 1024 * 1024
    let uncut = try upload(tree, "32.01", provPort: provPort, bytes: cutSize, cutAt: nil)
    let cut = try upload(tree, "32.02", provPort: provPort, bytes: cutSize, cutAt: Int64(cutSize / 2))
    return (uncut, cut)
}

/// A new kab/kota behind its own proxy uploads a random file of `bytes`, the connection cut once after
/// `cutAt` bytes when given; the bytes the proxy carried upstream.
private func upload(_ tree: BenchDeployment, _ satker: String, provPort: Int, bytes: Int, cutAt: Int64?) throws -> Int64
{
    let proxy = try FaultProxy(target: provPort)
    let home = try tree.node(satker, parentPort: proxy.port, listen: false)
    let plan = try ZISyncProcess.run(["plan", "add", "--home", home.path, "--area", "2", "--activity", "Potong"])
        .trimmingCharacters(in: .whitespacesAndNewlines)
    let file = tree.dir.appendingPathComponent("\(satker).pdf")
    try randomFile(file, bytes: bytes)
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
