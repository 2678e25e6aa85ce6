import Foundation
import Testing

/// Runs the built `zisync` binary, as an operator would.
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

    let home: URL

    /// A temporary home for one node; `cleanup()` removes it.
    init(_ label: String = "node") {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-cli-\(label)-\(UUID().uuidString)")
    }

    init(home: URL) { self.home = home }

    func cleanup() { try? FileManager.default.removeItem(at: home) }

    /// `zisync <args...> --home HOME`; `prefix` runs zisync under another program (through
    /// env), e.g. `FakeClock.ahead("+1d")`.
    @discardableResult
    func run(_ args: [String], home: Bool = true, prefix: [String] = []) throws -> Result {
        let full = args + (home ? ["--home", self.home.path] : [])
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ZISYNC_HOME")
        env["ZISYNC_ACTOR"] = "tester"
        return try Self.process(CLI.binary.path, full, prefix: prefix, environment: env)
    }

    /// Runs a program (through /usr/bin/env) and collects its exit status and output.
    static func process(_ program: String, _ args: [String], prefix: [String] = [], environment: [String: String])
        throws -> Result
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = prefix + [program] + args
        p.environment = environment
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes fully before waiting, so a large output cannot block the child.
        nonisolated(unsafe) var errData = Data()
        let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errReader.isFinished { usleep(1000) }
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs and requires exit code 0; returns trimmed standard output.
    @discardableResult
    func ok(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try run(args)
        #expect(r.status == 0, "zisync \(args.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func json(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let r = try run(args + ["--json"])
        #expect(r.status == 0, "zisync \(args.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return try r.json()
    }

    static func tempFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("zisync-cli-\(UUID().uuidString)-\(name)")
    }
}
