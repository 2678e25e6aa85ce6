import Foundation
import ZISyncCore
import ZISyncEngine
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

/// A deployment for one benchmark: a folder with its CA and every office's home, the daemons
/// started in it; `close()` stops the daemons and removes the folder and the scratch stores.
final class BenchDeployment {
    let dir: URL
    let pki: String
    /// Removed by `close()` besides the folder: the scratch stores of in-process measurements.
    var cleanup: [URL] = []
    private var daemons: [RunningProcess] = []

    init(_ label: String, satkers: [String] = []) throws {
        dir = tempHome(label)
        pki = dir.appendingPathComponent("pki").path
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ZISyncProcess.run(["pki", "init-ca", "--dir", pki])
        for satker in satkers { try issue(satker) }
    }

    func issue(_ satker: String) throws { try ZISyncProcess.run(["pki", "issue", "--dir", pki, "--satker", satker]) }

    func home(_ satker: String) -> URL { dir.appendingPathComponent(satker) }

    /// Issues the office's certificate and initialises its home, under its parent and listening or not.
    func node(_ satker: String, parentPort: Int?, listen: Bool) throws -> URL {
        try issue(satker)
        let home = home(satker)
        var args = ["init", "--home", home.path, "--satker", satker, "--pki", pki]
        if let parentPort { args += ["--parent", "https://127.0.0.1:\(parentPort)"] }
        if listen { args += ["--listen", "127.0.0.1:0"] }
        try ZISyncProcess.run(args)
        return home
    }

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
        for u in cleanup + [dir] { try? FileManager.default.removeItem(at: u) }
    }
}

/// Writes a file of `bytes` random bytes (nothing for gzip to save, like a scan).
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
