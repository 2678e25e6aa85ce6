import Foundation
import Testing
import ZISyncNode
import ZISyncTestSupport
import ZISyncTransport

/// `ConfigCheck` in-process: every example passes, and what is wrong is named with its key and
/// line (the command's own exit codes and output: ZISyncCLITests/ConfigCommandTests).
@Suite struct ConfigCheckTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../config").standardizedFileURL

    static func tempDir(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("zisync-\(label)-\(UUID().uuidString)")
    }

    /// A directory holding `example` as zisync.toml with its certificates under tls/.
    func setUp(_ example: String, satker: String) throws -> URL {
        let dir = Self.tempDir("config")
        let pki = dir.appendingPathComponent("pki").path
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("tls"), withIntermediateDirectories: true)
        try DeploymentPKI.initCA(in: URL(fileURLWithPath: pki))
        _ = try DeploymentPKI.issue(in: URL(fileURLWithPath: pki), satker: satker)
        for (from, to) in [("ca.crt", "ca.crt"), ("\(satker).crt", "node.crt"), ("\(satker).key", "node.key")] {
            try FileManager.default.copyItem(
                atPath: "\(pki)/\(from)", toPath: dir.appendingPathComponent("tls/\(to)").path)
        }
        try FileManager.default.copyItem(
            at: Self.examples.appendingPathComponent(example), to: dir.appendingPathComponent("zisync.toml"))
        return dir
    }

    /// The problems `config check` would print, one per line.
    func check(_ dir: URL) -> [String] {
        ConfigCheck.check(url: dir.appendingPathComponent("zisync.toml")).1
    }

    func edit(_ dir: URL, _ change: (String) -> String) throws {
        let file = dir.appendingPathComponent("zisync.toml")
        try change(try String(contentsOf: file, encoding: .utf8)).write(to: file, atomically: true, encoding: .utf8)
    }

    @Test(arguments: [("ri.toml", "00"), ("provinsi.toml", "32"), ("kabkota.toml", "32.17")])
    func everyExampleConfigPasses(example: String, satker: String) throws {
        let dir = try setUp(example, satker: satker)
        defer { try? FileManager.default.removeItem(at: dir) }
        let problems = check(dir)
        #expect(problems.isEmpty, "\(example): \(problems)")
    }

    /// Found by FuzzConfig: a config naming only its satker was accepted, but the file zisync
    /// writes for it (with the default certificate paths) failed its own check.
    @Test func whatZisyncWritesForANodeWithoutLinksChecksAgain() throws {
        let dir = Self.tempDir("config-roundtrip")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("zisync.toml")
        try "satker = \"32\"\n".write(to: url, atomically: true, encoding: .utf8)
        let (config, problems) = ConfigCheck.check(url: url)
        #expect(problems.isEmpty, "\(problems)")
        try Data(try #require(config).toml.utf8).write(to: url)
        let (again, more) = ConfigCheck.check(url: url)
        #expect(more.isEmpty && again?.satker == "32", "\(more)")
        // With a parent, the certificate files are needed and their absence is named.
        try ConfigFile(url: url).set("parent", "https://prov.example:7443")
        let (_, missing) = ConfigCheck.check(url: url)
        #expect(missing.contains { $0.contains("tls.ca: file") && $0.contains("missing or unreadable") }, "\(missing)")
    }

    /// Found by FuzzConfig: a NUL in a table name made the TOML parser abort the process.
    @Test func controlCharactersAreRefusedBeforeTheTOMLParserSeesThem() throws {
        let dir = Self.tempDir("config-control")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("zisync.toml")
        for (text, line, code) in [
            ("# zisync\n\n[\u{0B}\u{00}nc]\nsatker = \"32\"\n", 3, "U+000B"),
            ("satker = \"32\u{1B}[2J\"\n", 1, "U+001B"),
        ] {
            try text.write(to: url, atomically: true, encoding: .utf8)
            let (config, problems) = ConfigCheck.check(url: url)
            #expect(config == nil)
            #expect(
                problems == [
                    "\(url.path) line \(line): not valid TOML: a control character (\(code)) is not allowed in TOML"
                ],
                "\(problems)")
        }
        // And the header that made the parser assert: `[#` (a comment where a name belongs).
        for (text, expected) in [
            ("# zisync\n[#   zisync config check\nsatker = \"32\"\n", "line 2: not valid TOML: a section header"),
            ("satker = \"32\"\n\"quoted\" = 1\n", "line 2: not valid TOML: '\"quoted\"' is not a key"),
            ("satker = \"32\"\njust words\n", "line 2: not valid TOML: expected key = value"),
        ] {
            try text.write(to: url, atomically: true, encoding: .utf8)
            let (config, problems) = ConfigCheck.check(url: url)
            #expect(config == nil && problems.first?.contains(expected) == true, "\(problems)")
        }
    }

    @Test func brokenConfigsNameTheKeyAndTheLine() throws {
        let dir = try setUp("kabkota.toml", satker: "32.17")
        defer { try? FileManager.default.removeItem(at: dir) }
        try edit(dir) {
            $0.replacingOccurrences(of: "retries = 6", with: "retries = 6\nbatch_chunks = 5")
                .replacingOccurrences(
                    of: "parent = \"https://zisync.jabar.kpu.go.id:7443\"", with: "parent = \"http://prov\""
                )
                .replacingOccurrences(of: "satker = \"32.17\"", with: "satker = \"99.99\"")
                .replacingOccurrences(of: "batch_changes = 1000", with: "batch_changes = 9000")
                .replacingOccurrences(of: "log_level = ", with: "metrics_listen = \"9464\"\nlog_level = ")
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("tls/node.key"))
        let text = try String(contentsOf: dir.appendingPathComponent("zisync.toml"), encoding: .utf8)
        func line(_ needle: String) -> Int {
            text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix(needle) }! + 1
        }
        let problems = check(dir)
        #expect(problems.count == 6, "\(problems)")
        #expect(problems.contains { $0.contains("line \(line("metrics_listen")): metrics_listen: must be HOST:PORT") })
        #expect(problems.contains { $0.contains("line \(line("batch_chunks")): sync.batch_chunks: unknown key") })
        #expect(problems.contains { $0.contains("line \(line("parent")): parent: must be https://HOST:PORT") })
        #expect(problems.contains { $0.contains("line \(line("satker")): satker: unknown satker code '99.99'") })
        #expect(
            problems.contains {
                $0.contains("line \(line("batch_changes")): sync.batch_changes: must be 1–5000, got 9000")
            })
        #expect(problems.contains { $0.contains("line \(line("key =")): tls.key: file") && $0.contains("missing") })
    }

    @Test func certificatesThatCannotWorkAreNamed() throws {
        let dir = try setUp("kabkota.toml", satker: "32.17")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pki = dir.appendingPathComponent("pki").path
        _ = try DeploymentPKI.issue(in: URL(fileURLWithPath: pki), satker: "32.18")
        let tls = dir.appendingPathComponent("tls")
        let text = try String(contentsOf: dir.appendingPathComponent("zisync.toml"), encoding: .utf8)
        func line(_ needle: String) -> Int {
            text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix(needle) }! + 1
        }
        func replace(_ name: String, with source: String) throws {
            try FileManager.default.removeItem(at: tls.appendingPathComponent(name))
            try FileManager.default.copyItem(atPath: source, toPath: tls.appendingPathComponent(name).path)
        }
        // Another office's key with this office's certificate.
        try replace("node.key", with: "\(pki)/32.18.key")
        var r = check(dir).joined(separator: "\n")
        #expect(r.contains("line \(line("key =")): tls.key:") && r.contains("is not the key of"), "\(r)")
        // Another office's certificate and key: a pair, but not this satker's.
        try replace("node.crt", with: "\(pki)/32.18.crt")
        r = check(dir).joined(separator: "\n")
        #expect(r.contains("line \(line("certificate =")): tls.certificate:"), "\(r)")
        #expect(r.contains("is for satker 32.18, not 32.17"))
        // This office's pair from a CA that is not the deployment's.
        let foreign = dir.appendingPathComponent("foreign").path
        try DeploymentPKI.initCA(in: URL(fileURLWithPath: foreign))
        _ = try DeploymentPKI.issue(in: URL(fileURLWithPath: foreign), satker: "32.17")
        try replace("node.crt", with: "\(foreign)/32.17.crt")
        try replace("node.key", with: "\(foreign)/32.17.key")
        r = check(dir).joined(separator: "\n")
        #expect(r.contains("not signed by the deployment CA"), "\(r)")
    }
}
