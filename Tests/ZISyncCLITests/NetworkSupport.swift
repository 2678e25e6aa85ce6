import Foundation
import Testing
import ZISyncTransport

/// A running `zisync daemon` process on 127.0.0.1 (a real process, real TLS).
final class Daemon: @unchecked Sendable {
    let node: CLI
    let process = Process()
    private let output = LockedData()
    /// What the daemon logged on standard error.
    let log = LockedData()
    private(set) var port = 0

    /// `prefix` runs the daemon under another program, e.g. `FakeClock.ahead("+1d")`.
    init(_ node: CLI, prefix: [String] = []) throws {
        self.node = node
        if prefix.isEmpty {
            process.executableURL = CLI.binary
            process.arguments = ["daemon", "--home", node.home.path]
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = prefix + [CLI.binary.path, "daemon", "--home", node.home.path]
        }
        let out = Pipe()
        process.standardOutput = out
        let err = Pipe()
        process.standardError = err
        try process.run()
        log.drain(err)
        let buffer = output
        buffer.drain(out)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let line = buffer.text.split(separator: "\n").first(where: { $0.hasPrefix("listening on") }),
                let p = Int(line.split(separator: ":").last ?? "")
            {
                port = p
                return
            }
            if buffer.text.hasPrefix("syncing with") { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        stop()
        throw DaemonError(message: "daemon for \(node.home.path) did not start: \(buffer.text)")
    }

    var url: String { "https://127.0.0.1:\(port)" }

    /// SIGKILL: no chance to clean up, as in a power cut. A wrapper's children go first.
    func kill9() {
        if process.isRunning {
            for child in Daemon.children(of: process.processIdentifier) { kill(child, SIGKILL) }
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    static func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        let direct = text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return direct.flatMap { children(of: $0) + [$0] }
    }

    func stop() {
        if process.isRunning {
            for child in Daemon.children(of: process.processIdentifier) { kill(child, SIGTERM) }
            process.terminate()
        }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill9() } }
}

struct DaemonError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ d: Data) { lock.withLock { data.append(d) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    /// Collects what a pipe delivers, on a thread of its own, until it closes.
    func drain(_ pipe: Pipe) {
        Thread {
            while true {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                self.append(chunk)
            }
        }.start()
    }
}

/// Polls `condition` every 200 ms for up to `seconds`.
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

    init() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try CLI.tool(["pki", "init-ca", "--dir", pki])
    }

    /// Creates a node; when it has a parent here, it points at the parent's daemon.
    @discardableResult
    func node(_ satker: String, parent: String? = nil, serves: Bool = false) throws -> CLI {
        try CLI.tool(["pki", "issue", "--dir", pki, "--satker", satker])
        let cli = CLI(satker, in: dir)
        var args = ["init", "--satker", satker, "--pki", pki]
        if let parent { args += ["--parent", daemons[parent]!.url] }
        if serves { args += ["--listen", "127.0.0.1:0"] }
        try cli.ok(args)
        nodes[satker] = cli
        if serves { daemons[satker] = try Daemon(cli) }
        return cli
    }

    subscript(_ satker: String) -> CLI { nodes[satker]! }

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
    static func tool(_ args: [String]) throws {
        let r = try CLI(home: URL(fileURLWithPath: "/nonexistent")).run(args, home: false)
        if r.status != 0 { throw DaemonError(message: "zisync \(args.joined(separator: " ")): \(r.stderr)") }
    }

    @discardableResult
    func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try run(args)
        #expect(r.status == 0, "zisync \(args.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Rewrites `parent = …` in the node's zisync.toml.
    func setParent(_ url: String) throws {
        let file = home.appendingPathComponent("zisync.toml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasPrefix("parent = ") ? "parent = \"\(url)\"" : String($0)
        }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    }

    func digest(_ satker: String) throws -> String { try ok(["digest", "--satker", satker]) }
}

/// Moves a process's wall clock with Debian's faketime, monotonic time untouched.
enum FakeClock {
    static func ahead(_ offset: String) -> [String] {
        ["DONT_FAKE_MONOTONIC=1", "faketime", "-f", offset]
    }
}
