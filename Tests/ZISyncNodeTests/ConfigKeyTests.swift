import Foundation
import Testing

@testable import ZISyncNode

/// The one key table: what `zisync init` writes reads back the same, every key's range is held
/// at both ends, and the docs show the table as it is.
@Suite struct ConfigKeyTests {
    /// A directory with the `[tls]` files a node with `listen` names (their content is not read
    /// without the identity check).
    func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("tls"), withIntermediateDirectories: true)
        for f in ["ca.crt", "node.crt", "node.key"] {
            try Data("x".utf8).write(to: dir.appendingPathComponent("tls/\(f)"))
        }
        return dir
    }

    func check(_ text: String, in dir: URL) throws -> (NodeConfig?, [String]) {
        let url = dir.appendingPathComponent("zisync.toml")
        try Data(text.utf8).write(to: url)
        return ConfigCheck.check(url: url, checkIdentity: false)
    }

    @Test func everyKeyWrittenReadsBackTheSame() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = NodeConfig(satker: "32", parent: "https://127.0.0.1:7443", listen: "127.0.0.1:8443")
        config.metricsListen = "127.0.0.1:9464"
        config.webListen = "8470"
        config.logLevel = "info"
        // Every whole-number key at the top of its range, none at its default.
        for key in ConfigKey.all {
            if case .integer(let range) = key.kind {
                key.write(&config, .number(range.upperBound))
            }
        }
        config.directory = dir.appendingPathComponent("zisync.toml").deletingLastPathComponent()
        let (read, problems) = try check(config.toml, in: dir)
        #expect(problems.isEmpty, "\(problems)")
        #expect(read == config)
        for key in ConfigKey.all where key.section == "serve" { #expect(config.toml.contains("\n\(key.leaf) = ")) }

        // Without listen there is no [serve] section, and the defaults read back as defaults.
        var plain = NodeConfig(satker: "32.17")
        plain.directory = dir.appendingPathComponent("zisync.toml").deletingLastPathComponent()
        #expect(!plain.toml.contains("[serve]") && !plain.toml.contains("[web]"))
        #expect(try check(plain.toml, in: dir).0 == plain)
    }

    @Test(arguments: ConfigKey.all.filter { if case .integer = $0.kind { true } else { false } })
    func aWholeNumberOutsideItsRangeIsNamed(key: ConfigKey) throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        guard case .integer(let range) = key.kind, let section = key.section else { return }
        let head =
            "satker = \"32\"\nlisten = \"127.0.0.1:1\"\n[tls]\nca = \"tls/ca.crt\"\ncertificate = \"tls/node.crt\"\n"
            + "key = \"tls/node.key\"\n[\(section)]\n"
        let (_, above) = try check(head + "\(key.leaf) = \(range.upperBound + 1)\n", in: dir)
        #expect(
            above.contains {
                $0.hasSuffix(
                    "line 8: \(key.name): must be \(range.lowerBound)–\(range.upperBound), got \(range.upperBound + 1)")
            },
            "\(above)")
        let (_, below) = try check(head + "\(key.leaf) = \(range.lowerBound - 1)\n", in: dir)
        #expect(below.count == 1 && below[0].contains("got \(range.lowerBound - 1)"), "\(below)")
        let (atBottom, none) = try check(head + "\(key.leaf) = \(range.lowerBound)\n", in: dir)
        #expect(none.isEmpty && atBottom != nil, "\(none)")
    }

    @Test func anUnknownKeyListsTheKnownOnesOfItsSection() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, problems) = try check("satker = \"32\"\n[sync]\nretry = 3\n", in: dir)
        let known = ConfigKey.all.filter { $0.section == "sync" }.map(\.name).sorted().joined(separator: ", ")
        #expect(problems == ["\(dir.path)/zisync.toml line 3: sync.retry: unknown key (known: \(known))"])
    }

    @Test func theDocsShowTheTableAsItIs() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/operations.md").standardizedFileURL
        let text = try String(contentsOf: docs, encoding: .utf8)
        #expect(
            text.contains(ConfigKey.markdownTable + "\n"), "run `zisync config keys --markdown` into docs/operations.md"
        )
    }
}
