import Foundation
import Testing
import ZISyncTestSupport

/// Runs the built `zisync` binary, as an operator would, through the one process runner
/// (with a time limit: a command that hangs fails its test instead of the whole suite).
struct CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        func json() throws -> Any {
            try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        }
    }

    static let binary: URL = {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = testBinary.deletingLastPathComponent()
        // .build/debug/zisyncPackageTests.xctest (a file on Linux, a bundle elsewhere)
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("zisync").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("zisync")
    }()

    /// Longest any one command may take in a test.
    static let timeLimit: Duration = .seconds(300)

    let home: URL

    /// A temporary home for one node; `cleanup()` removes it.
    init(_ label: String = "node") {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-cli-\(label)-\(UUID().uuidString)")
    }

    init(home: URL) { self.home = home }

    func cleanup() { try? FileManager.default.removeItem(at: home) }

    var config: ConfigFile { ConfigFile(home: home) }

    /// The environment commands run in: no ZISYNC_HOME of the caller's, a fixed actor.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ZISYNC_HOME")
        env["ZISYNC_ACTOR"] = "tester"
        return env
    }

    /// `zisync <args...> --home HOME`; `prefix` runs zisync under another program (through
    /// env), e.g. `FakeClock.ahead("+1d")`.
    @discardableResult
    func run(_ args: [String], home: Bool = true, prefix: [String] = []) throws -> Result {
        let full = args + (home ? ["--home", self.home.path] : [])
        return try Self.process(CLI.binary.path, full, prefix: prefix, environment: Self.environment)
    }

    /// Runs a program (through /usr/bin/env) and collects its exit status and output.
    static func process(
        _ program: String, _ args: [String], prefix: [String] = [], environment: [String: String],
        timeout: Duration = CLI.timeLimit
    ) throws -> Result {
        let r = try ProcessRunner.run(
            "/usr/bin/env", prefix + [program] + args, environment: environment, timeout: timeout)
        #expect(!r.timedOut, "\(r.command) ran longer than \(timeout) and was killed")
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// Runs and requires exit code 0; returns trimmed standard output.
    @discardableResult
    func ok(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try ok(args, sourceLocation: sourceLocation)
    }

    @discardableResult
    func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try run(args)
        #expect(r.status == 0, "zisync \(args.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func json(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let r = try run(args + ["--json"])
        #expect(r.status == 0, "zisync \(args.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return try r.json()
    }

    /// `--json` output that must be one object.
    func object(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let r = try run(args + ["--json"])
        #expect(r.status == 0, "zisync \(args.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return try #require(
            try r.json() as? [String: Any], "not a JSON object: \(r.stdout)", sourceLocation: sourceLocation)
    }

    /// `--json` output that must be an array of objects.
    func objects(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let r = try run(args + ["--json"])
        #expect(r.status == 0, "zisync \(args.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return try #require(
            try r.json() as? [[String: Any]], "not a JSON array of objects: \(r.stdout)", sourceLocation: sourceLocation
        )
    }

    static func tempFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("zisync-cli-\(UUID().uuidString)-\(name)")
    }
}

extension CLI.Result {
    /// Standard output as one JSON object, or a failed expectation.
    func object(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(try json() as? [String: Any], "not a JSON object: \(stdout)", sourceLocation: sourceLocation)
    }
}
