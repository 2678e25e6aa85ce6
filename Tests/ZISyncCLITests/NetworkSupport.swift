import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Testing
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol
import ZISyncTestSupport
import ZISyncTransport

/// A running `zisync daemon` process on 127.0.0.1 (a real process, real TLS), started through
/// the one process runner; what it logs is kept.
final class Daemon: @unchecked Sendable {
    let node: CLI
    let process: RunningProcess
    private(set) var port = 0

    /// What the daemon logged on standard error (so far).
    var log: Log { Log(text: process.stderr) }

    struct Log {
        let text: String
    }
    var pid: Int32 { process.pid }
    var isRunning: Bool { process.isRunning }

    /// `prefix` runs the daemon under another program, e.g. `FakeClock.ahead("+1d")`.
    init(_ node: CLI, prefix: [String] = []) throws {
        self.node = node
        process = try RunningProcess(
            "/usr/bin/env", prefix + [CLI.binary.path, "daemon", "--home", node.home.path], environment: CLI.environment
        )
        // A deadline for the event, not its expected time: a loaded machine starts processes slowly.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let text = process.stdout
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on") }),
                let p = Int(line.split(separator: ":").last ?? "")
            {
                port = p
                return
            }
            if text.hasPrefix("syncing with") || text.hasPrefix("web app only") || text.hasPrefix("PortalRB's API only")
            {
                return
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        stop()
        throw DaemonError(message: "daemon for \(node.home.path) did not start: \(process.stdout) \(process.stderr)")
    }

    var url: String { "https://127.0.0.1:\(port)" }

    /// The web app's address, once the daemon prints `web on URL`.
    func webURL() throws -> String { try printed("web on ") }

    /// PortalRB's API address (KPU RI), once the daemon prints `portalrb on URL`.
    func portalRBURL() throws -> String { try printed("portalrb on ") }

    /// What follows `prefix` on the line the daemon prints it on, once it does.
    func printed(_ prefix: String) throws -> String {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let line = process.stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count))
            }
            usleep(20_000)
        }
        throw DaemonError(message: "the daemon printed no \(prefix)line: \(process.stdout) \(process.stderr)")
    }

    /// Sends a signal to the daemon (a wrapper's children too).
    func signal(_ sig: Int32) {
        for child in Daemon.children(of: pid) { kill(child, sig) }
        process.signal(sig)
    }

    /// SIGKILL: no chance to clean up, as in a power cut. A wrapper's children go first.
    func kill9() {
        if process.isRunning {
            for child in Daemon.children(of: pid) { kill(child, SIGKILL) }
        }
        process.kill()
    }

    static func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        let direct = text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return direct.flatMap { children(of: $0) + [$0] }
    }

    /// SIGTERM and wait (a graceful shutdown, which writes the coverage profile); SIGKILL after 30 s.
    @discardableResult
    func stop() -> ProcessResult {
        if process.isRunning { signal(SIGTERM) }
        return process.wait(timeout: .seconds(30))
    }
}

struct DaemonError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Polls `condition` every 200 ms for up to `seconds`: a deadline for an event, set well past its
/// expected time (a test waits on the event, and a loaded machine is slow).
func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(200_000)
    }
    return try condition()
}

/// A deployment on loopback: one CA, and nodes initialised with their certificates.
final class Deployment: @unchecked Sendable {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-net-\(UUID().uuidString)")
    var pki: String { dir.appendingPathComponent("pki").path }
    private(set) var nodes: [String: CLI] = [:]
    private(set) var daemons: [String: Daemon] = [:]

    /// Runs the `pki` commands under this prefix (e.g. `FakeClock.ahead("-30d")`: certificates
    /// issued a month ago, for nodes whose clocks run behind).
    let pkiClock: [String]

    init(pkiClock: [String] = []) throws {
        self.pkiClock = pkiClock
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try CLI.tool(["pki", "init-ca", "--dir", pki], prefix: pkiClock)
    }

    /// The deployment most tests start from: KPU RI and KPU Provinsi Jawa Barat serving (their
    /// daemons running), and KPU Kabupaten Bandung Barat (32.17) under the province, without a daemon.
    static func threeOffices() throws -> Deployment {
        let d = try Deployment()
        do {
            try d.node("00", serves: true)
            try d.node("32", parent: "00", serves: true)
            try d.node("32.17", parent: "32")
        } catch {
            d.cleanup()
            throw error
        }
        return d
    }

    /// Creates a node; when it has a parent here, it points at the parent's daemon. A node that
    /// `serves` listens (on `listen`, any free port unless given) and has its daemon started.
    @discardableResult
    func node(
        _ satker: String, parent: String? = nil, serves: Bool = false, listen: String = "127.0.0.1:0",
        web: Bool = false,
        start: Bool = true
    ) throws -> CLI {
        try CLI.tool(["pki", "issue", "--dir", pki, "--satker", satker], prefix: pkiClock)
        let cli = CLI(satker, in: dir)
        var args = ["init", "--satker", satker, "--pki", pki]
        if let parent { args += ["--parent", daemons[parent]!.url] }
        if serves { args += ["--listen", listen] }
        if web { args += ["--web-listen", "127.0.0.1:0"] }
        try cli.ok(args)
        nodes[satker] = cli
        if serves && start { daemons[satker] = try Daemon(cli) }
        return cli
    }

    subscript(_ satker: String) -> CLI { nodes[satker]! }

    /// The office's signing key (its certificate's), as issued in this deployment's PKI folder.
    func key(_ satker: String) throws -> OriginKey {
        try OriginKey(certificateFile: "\(pki)/\(satker).crt", keyFile: "\(pki)/\(satker).key")
    }

    /// `change` signed by `satker` (the origin itself, or an office pretending to be it).
    func signed(_ change: Change, by satker: String? = nil) throws -> Change {
        change.signed(try key(satker ?? change.origin).sign(hash: change.hash))
    }

    /// A push of `changes` (their wire forms as given) by `satker` to `parent`'s daemon, with certificates.
    func push(as satker: String, to parent: String, _ changes: [Change], certificates: [[UInt8]]) async throws
        -> PushAnswer
    {
        let r = try await client(satker).send(
            ZISyncTransport.HTTPRequest(
                method: "POST", url: daemons[parent]!.url + Route.push,
                headers: [(SyncProtocol.header, SyncProtocol.version), ("Content-Type", "application/json")],
                body: PushRequest.encode(from: satker, wire: changes.map(\.wireJSON), certificates: certificates)))
        guard r.status == 200 else {
            throw DaemonError(message: "push answered \(r.status): \(String(decoding: r.body, as: UTF8.self))")
        }
        return try JSONDecoder().decode(PushAnswer.self, from: r.body)
    }

    /// A self-signed certificate for 127.0.0.1 and its key, as an office's IT would provide one for
    /// a listener browsers or PortalRB reach (not the deployment CA's), written to `crt` and `key`.
    func selfSignedCertificate(crt: String, key: String) throws {
        let made = try CLI.process(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ], environment: CLI.environment)
        #expect(made.status == 0, "\(made.stderr)")
    }

    /// The DER certificates of these offices, as a push carries them.
    func certificates(_ satkers: String...) throws -> [[UInt8]] { try satkers.map { try key($0).certificateDER } }

    /// Keeps a daemon the test started itself (with a prefix of its own), stopped by `cleanup()`.
    func adopt(_ satker: String, _ daemon: Daemon) { daemons[satker] = daemon }

    /// Starts the daemon of a node that serves no children (an office with its web app).
    @discardableResult
    func start(_ satker: String) throws -> Daemon {
        let daemon = try Daemon(nodes[satker]!)
        daemons[satker] = daemon
        return daemon
    }

    /// Restarts a node's daemon (after a kill) and points its children at the new port.
    func restart(_ satker: String, prefix: [String] = []) throws {
        daemons[satker]?.kill9()
        daemons[satker] = try Daemon(nodes[satker]!, prefix: prefix)
        for (code, cli) in nodes
        where code.hasPrefix(satker + ".") || (satker == "00" && !code.contains(".") && code != "00") {
            try cli.setParent(daemons[satker]!.url)
        }
    }

    /// An HTTPS client holding `satker`'s certificate from the deployment's PKI (or another one).
    func client(_ satker: String, pki: String? = nil) -> CurlHTTPClient {
        let dir = pki ?? self.pki
        return CurlHTTPClient(
            configuration: HTTPClientConfiguration(
                caFile: self.pki + "/ca.crt", certificateFile: "\(dir)/\(satker).crt", keyFile: "\(dir)/\(satker).key"))
    }

    /// A file of `bytes` patterned bytes in the deployment's directory (`seed` varies the content).
    func file(_ name: String, bytes: Int, seed: Int = 7) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data((0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* seed &+ seed) }).write(to: url)
        return url
    }

    func cleanup() {
        // SIGTERM: daemons shut down gracefully (and write their coverage profiles).
        for d in daemons.values { d.stop() }
        try? FileManager.default.removeItem(at: dir)
    }
}

extension CLI {
    init(_ label: String, in dir: URL) {
        self.init(home: dir.appendingPathComponent("node-\(label)"))
    }

    /// Runs zisync without a home (pki commands); requires success.
    static func tool(_ args: [String], prefix: [String] = []) throws {
        let r = try CLI(home: URL(fileURLWithPath: "/nonexistent")).run(args, home: false, prefix: prefix)
        if r.status != 0 { throw DaemonError(message: "zisync \(args.joined(separator: " ")): \(r.stderr)") }
    }

    /// Rewrites `parent = …` in the node's zisync.toml.
    func setParent(_ url: String) throws { try config.set("parent", url) }

    func digest(_ satker: String) throws -> String { try ok(["digest", "--satker", satker]) }
}

/// Moves a process's wall clock with Debian's faketime, monotonic time untouched.
enum FakeClock {
    static func ahead(_ offset: String) -> [String] {
        ["DONT_FAKE_MONOTONIC=1", "faketime", "-f", offset]
    }
}

/// A server of the test's own on 127.0.0.1 over mutual TLS (a lying parent, a captive portal, a
/// server with another CA's certificate), answering every request with `middleware`; `cancel()`
/// shuts it down gracefully (a cancelled server task traps on a connection still open).
func startTLSServer<M: RouterMiddleware>(
    _ middleware: M, caFile: String, certificateFile: String, keyFile: String
) async throws -> (port: Int, server: TestServer) where M.Context == BasicRequestContext {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: middleware)
    let tls = try MutualTLSServer.tlsConfiguration(
        caFile: caFile, identity: ServerIdentity(certificateFile: certificateFile, keyFile: keyFile))
    let (started, ready) = AsyncStream<Int>.makeStream()
    let logger = Logger(label: "test-server")
    let app = try MutualTLSServer.application(
        router: router, host: "127.0.0.1", port: 0, tls: tls, logger: logger,
        onServerRunning: { ready.yield($0.localAddress?.port ?? 0) })
    let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
    // On a thread of its own: the test that started it may hold a cooperative thread while it waits
    // for a `zisync` process that talks to this server, and so may another test beside it.
    let server = TestServer(
        group: group, task: Task(executorPreference: TestServerExecutor.shared) { try await group.run() })
    for await port in started { return (port, server) }
    server.cancel()
    throw DaemonError(message: "the test server did not start")
}

/// Runs the test servers' work on one thread of their own. Swift's cooperative pool has one
/// thread per core, and a process-level test holds one for as long as it waits on a `zisync`
/// process: on a 2-core machine two such tests leave nothing to answer with, and a server in this
/// test process then stalls the very process it serves (a curl low-speed timeout where a captive
/// portal or a lying parent should have answered).
final class TestServerExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = TestServerExecutor()
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "test-servers"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// A test's own server, stopped by a graceful shutdown.
struct TestServer: Sendable {
    let group: ServiceGroup
    let task: Task<Void, Error>

    func cancel() {
        let group = self.group
        Task { await group.triggerGracefulShutdown() }
    }
}
