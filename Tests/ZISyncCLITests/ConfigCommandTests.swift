import Foundation
import Testing
import ZISyncTestSupport

/// `zisync config check` and the commands that read zisync.toml, as processes: exit codes, what
/// goes to which stream, the same message from every command (the checks themselves:
/// ZISyncNodeTests/ConfigCheckTests).
@Suite(.timeLimit(.minutes(10))) struct ConfigCommandTests {
    @Test func configCheckSaysOkOrNamesTheProblemAndExits1() throws {
        let node = CLI("config-ok")
        defer { node.cleanup() }
        try node.ok(["init", "--satker", "32.17"])
        let ok = try node.run(["config", "check"])
        #expect(ok.status == 0 && ok.stdout.hasPrefix("ok: "), "\(ok.stdout)\(ok.stderr)")
        // A control character: refused before the TOML parser sees it, exit 1, on stderr.
        let url = node.home.appendingPathComponent("zisync.toml")
        try "satker = \"32\u{1B}[2J\"\n".write(to: url, atomically: true, encoding: .utf8)
        let r = try CLI.process(
            CLI.binary.path, ["config", "check", "--config", url.path], environment: CLI.environment)
        #expect(r.status == 1 && r.stderr.contains("control character") && r.stdout.isEmpty, "\(r.stderr)")
    }

    @Test func commandsRefuseABrokenConfigWithTheSameMessage() throws {
        let node = CLI("config")
        defer { node.cleanup() }
        try node.ok(["init", "--satker", "32.17"])
        let file = node.home.appendingPathComponent("zisync.toml")
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
            of: "[sync]\n", with: "[sync]\ninterval = 5\n"
        )
        .write(to: file, atomically: true, encoding: .utf8)
        let r = try node.run(["sync"])
        #expect(r.status == 1 && r.stderr.contains("sync.interval: unknown key"), "\(r.stderr)")
        let syntax = try node.run(["config", "check"])
        #expect(syntax.status == 1)
        // --config names another file; its problems name that file.
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent(
            "zisync-\(UUID().uuidString).toml")
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        try "satker = \"32.17\"\nlog_level = \"loud\"\n".write(to: elsewhere, atomically: true, encoding: .utf8)
        let other = try node.run(["status", "--config", elsewhere.path])
        #expect(other.status == 0, "status works without a valid config: \(other.stderr)")
        let viaConfig = try node.run(["sync", "--config", elsewhere.path])
        #expect(
            viaConfig.status == 1 && viaConfig.stderr.contains("\(elsewhere.path) line 2: log_level"),
            "\(viaConfig.stderr)")
        try "satker = \"32.17\nlisten".write(to: file, atomically: true, encoding: .utf8)
        let broken = try node.run(["config", "check"])
        #expect(broken.status == 1 && broken.stderr.contains("not valid TOML"), "\(broken.stderr)")
    }
}
