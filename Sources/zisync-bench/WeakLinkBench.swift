import Foundation
import ZISyncCore
import ZISyncEngine
import ZISyncTestSupport

/// Evidence photos over a packet-level weak link (issue 21; bench/weaklink.sh, root): a release
/// province daemon in one network namespace, each kab/kota's `zisync sync` in another, joined by
/// `PacketLink`. The whole command is timed against the line-time floor (the files' bytes ÷ rate),
/// and the link says how busy its upstream wire was and how long it stood idle.
func runWeakLinkBench(only: Set<Int>) throws {
    guard getuid() == 0 else { throw ZISyncError("the packet-level bench needs root (network namespaces, TUN)") }
    let (nsProv, nsKab) = ("zsb-prov", "zsb-kab")
    let (addrProv, addrKab) = ("10.77.0.1", "10.77.0.2")
    let port = 8471
    for ns in [nsProv, nsKab] {
        _ = try? ProcessRunner.run("/usr/sbin/ip", ["netns", "del", ns])
        try shell("/usr/sbin/ip", ["netns", "add", ns])
        try shell("/usr/sbin/ip", ["-n", ns, "link", "set", "lo", "up"])
    }
    defer { for ns in [nsProv, nsKab] { _ = try? ProcessRunner.run("/usr/sbin/ip", ["netns", "del", ns]) } }
    let tree = try BenchDeployment("weaklink")
    var daemon: RunningProcess?
    defer {
        daemon?.signal(SIGTERM)
        _ = daemon?.wait(timeout: .seconds(30))
        tree.close()
    }
    try ZISyncProcess.run(["pki", "issue", "--dir", tree.pki, "--satker", "32", "--host", addrProv])
    let prov = tree.home("32")
    try ZISyncProcess.run([
        "init", "--home", prov.path, "--satker", "32", "--pki", tree.pki, "--listen", "0.0.0.0:\(port)",
    ])

    let cases: [(files: Int, bytes: Int, shape: LinkShape, syncthing: Double?)] = [
        (60, 50 * 1024, LinkShape(bitsPerSecond: 1_000_000, delaySeconds: 0.150, loss: 0), 27.8),
        (10, 2 * 1024 * 1024, LinkShape(bitsPerSecond: 1_000_000, delaySeconds: 0.050, loss: 0), 178.1),
        (10, 2 * 1024 * 1024, LinkShape(bitsPerSecond: 512_000, delaySeconds: 0.150, loss: 0.03), 357.4),
        // 2G-like: EDGE-class rate, a long delay and more loss.
        (20, 50 * 1024, LinkShape(bitsPerSecond: 128_000, delaySeconds: 0.300, loss: 0.05), nil),
    ]
    let congestion =
        (try? ProcessRunner.run(
            "/usr/sbin/ip", ["netns", "exec", nsKab, "sysctl", "-n", "net.ipv4.tcp_congestion_control"]))?
        .stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    print(
        "files up over a packet-level link between network namespaces (TCP end to end, \(congestion)); whole `zisync sync` timed"
    )
    for (i, c) in cases.enumerated() where only.isEmpty || only.contains(i + 1) {
        let satker = String(format: "32.%02d", i + 1)
        try tree.issue(satker)
        let home = tree.home(satker)
        try ZISyncProcess.run([
            "init", "--home", home.path, "--satker", satker, "--pki", tree.pki, "--parent",
            "https://\(addrProv):\(port)",
        ])
        let plan = try ZISyncProcess.run(["plan", "add", "--home", home.path, "--area", "1", "--activity", "Foto"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for f in 0..<c.files {
            let file = tree.dir.appendingPathComponent("foto-\(satker)-\(f).jpg")
            try randomFile(file, bytes: c.bytes)
            try ZISyncProcess.run(["evidence", "add", "--home", home.path, "--plan", plan, "--kind", "foto", file.path])
        }
        let link = try LinkThread(nsA: nsProv, nsB: nsKab, shape: c.shape)
        for (ns, dev, local, peer) in [(nsProv, "zsbA", addrProv, addrKab), (nsKab, "zsbB", addrKab, addrProv)] {
            try shell("/usr/sbin/ip", ["-n", ns, "addr", "add", local, "peer", peer, "dev", dev])
            try shell("/usr/sbin/ip", ["-n", ns, "link", "set", dev, "up"])
        }
        if daemon == nil { daemon = try startDaemon(prov, in: nsProv) }
        let start = PacketLink.now()
        let r = try ProcessRunner.run(
            "/usr/sbin/ip", ["netns", "exec", nsKab, ZISyncProcess.binary.path, "sync", "--json", "--home", home.path],
            timeout: .seconds(3600))
        let elapsed = PacketLink.now() - start
        let (down, up) = link.stop()
        guard r.status == 0 else { throw ZISyncError("sync of \(satker) failed: \(r.stderr)") }
        let report = try JSONDecoder().decode(SyncReport.self, from: Data(r.stdout.utf8))
        guard report.filesUploaded == c.files else {
            throw ZISyncError("\(satker): uploaded \(report.filesUploaded) of \(c.files)")
        }
        let floor = Double(c.files * c.bytes * 8) / c.shape.bitsPerSecond
        let versus = c.syncthing.map { String(format: "; Syncthing %.1f s (%.2fx)", $0, $0 / floor) } ?? ""
        print(
            String(
                format: "  %2d × %@ at %@: whole sync %6.1f s, floor %6.1f s: %.3fx%@", c.files,
                OperatorTextBytes(c.bytes), c.shape.description, elapsed, floor, elapsed / floor, versus))
        print("      \(up)")
        print("      \(down)")
    }
}

/// The link on a thread of its own (it enters the namespaces; the process's other threads stay).
final class LinkThread: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    private var result: (down: String, up: String)?
    private let done = DispatchSemaphore(value: 0)
    private var failure: Error?

    init(nsA: String, nsB: String, shape: LinkShape) throws {
        let ready = DispatchSemaphore(value: 0)
        Thread.detachNewThread { [self] in
            do {
                let link = try PacketLink(nsA: nsA, devA: "zsbA", nsB: nsB, devB: "zsbB", shape: shape)
                ready.signal()
                link.run { lock.withLock { stopping } }
                close(link.a)
                close(link.b)
                lock.withLock {
                    result = (
                        link.down.summary("down (province to kab/kota)"), link.up.summary("up (kab/kota to province)")
                    )
                }
            } catch {
                lock.withLock { failure = error }
                ready.signal()
            }
            done.signal()
        }
        ready.wait()
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    /// Stops the link (its TUN devices go with it); what each direction carried.
    func stop() -> (down: String, up: String) {
        lock.withLock { stopping = true }
        done.wait()
        return lock.withLock { result ?? ("", "") }
    }
}

/// Starts the province daemon inside `ns`; waits for it to listen.
private func startDaemon(_ home: URL, in ns: String) throws -> RunningProcess {
    let p = try RunningProcess(
        "/usr/sbin/ip", ["netns", "exec", ns, ZISyncProcess.binary.path, "daemon", "--home", home.path],
        stderr: .discard)
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
        if p.stdout.contains("listening on") { return p }
        guard p.isRunning else { break }
        usleep(20_000)
    }
    p.kill()
    throw ZISyncError("the province daemon did not start: \(p.stdout)")
}

private func shell(_ executable: String, _ args: [String]) throws {
    let r = try ProcessRunner.run(executable, args)
    guard r.status == 0 else { throw ZISyncError("\(executable) \(args.joined(separator: " ")): \(r.stderr)") }
}
