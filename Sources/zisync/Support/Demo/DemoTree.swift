import Foundation

/// The demo's offices: homes under one directory, `zisync` run as an operator would (each
/// command printed before it runs), daemons as child processes on loopback.
final class DemoTree {
    let dir: URL
    let zisync: URL
    private(set) var daemons: [(satker: String, process: Process)] = []
    /// The web app's address of each office that serves one.
    private(set) var web: [String: String] = [:]

    init(dir: URL) {
        self.dir = dir
        // This very binary: the demo shows the commands of the build it is part of.
        zisync = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `zisync ARGS` in the demo directory, printing the command; returns its output.
    @discardableResult
    func run(_ args: [String], show: Bool = true, quiet: Bool = false, input: String? = nil) throws -> String {
        if show {
            print("  $ " + (input == nil ? "" : "echo … | ") + "zisync " + args.map(Self.quoted).joined(separator: " "))
        }
        let p = Process()
        p.executableURL = zisync
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["ZISYNC_ACTOR"] = env["ZISYNC_ACTOR"] ?? "demo"
        env.removeValue(forKey: "ZISYNC_HOME")
        env.removeValue(forKey: "ZISYNC_CONFIG")
        p.environment = env
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let stdin = Pipe()
        if input != nil { p.standardInput = stdin }
        try p.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        nonisolated(unsafe) var errData = Data()
        let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        guard p.terminationStatus == 0 else {
            throw Failure(
                description:
                    "zisync \(args.joined(separator: " ")) failed (exit \(p.terminationStatus)): \(String(decoding: errData, as: UTF8.self))"
            )
        }
        if show && !quiet {
            for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropLast(
                output.hasSuffix("\n") ? 1 : 0)
            {
                print("    " + line)
            }
        }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `zisync daemon` for a home and waits for its first line ("listening on …" or
    /// "syncing with …"); returns that line. Its log goes to `SATKER.log`.
    /// With `web`, also waits for its `web on URL` line and keeps the URL in `web`.
    func startDaemon(_ satker: String, web expectWeb: Bool = false) throws -> String {
        print("  $ zisync daemon --home \(satker) &")
        let p = Process()
        p.executableURL = zisync
        p.arguments = ["daemon", "--home", satker]
        p.currentDirectoryURL = dir
        let log = dir.appendingPathComponent("\(satker).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        p.standardError = try FileHandle(forWritingTo: log)
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        daemons.append((satker, p))
        let reader = out.fileHandleForReading
        let deadline = Date().addingTimeInterval(30)
        func nextLine() -> String {
            var line = Data()
            while Date() < deadline {
                let byte = reader.readData(ofLength: 1)
                if byte.isEmpty || byte == Data("\n".utf8) { break }
                line.append(byte)
            }
            return String(decoding: line, as: UTF8.self)
        }
        // The web app and the children's server come up in either order.
        var lines = [nextLine()]
        if expectWeb { lines.append(nextLine()) }
        if let address = lines.first(where: { $0.hasPrefix("web on ") }) {
            web[satker] = String(address.dropFirst("web on ".count))
        }
        let text = lines.first { !$0.hasPrefix("web on ") } ?? ""
        guard text.hasPrefix("listening on") || text.hasPrefix("syncing with") else {
            let logText = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw Failure(description: "the daemon of \(satker) did not start: \(text) \(logText)")
        }
        print("    " + text)
        return text
    }

    /// SIGTERM to every daemon, then waits for each to exit.
    func stopDaemons() {
        for (_, p) in daemons where p.isRunning { p.terminate() }
        for (_, p) in daemons { p.waitUntilExit() }
        daemons = []
    }

    var pids: [Int32] { daemons.map { $0.process.processIdentifier } }

    static func quoted(_ arg: String) -> String {
        arg.contains(" ") || arg.contains("\"") ? "\"" + arg.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : arg
    }
}
