import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncNode
import ZISyncStore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "The node's configuration (zisync.toml).",
        subcommands: [Check.self, Keys.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a config: every key known, every value valid, certificate files present.",
            discussion: "Prints one line per problem, naming the key and its line; exit code 1 when there is any.")

        @Option(help: "The config file (default: zisync.toml in the node's home).") var config: String?
        @Option(help: "The node's home directory (default: $ZISYNC_HOME).") var home: String?

        func run() throws {
            let url: URL
            if let config {
                url = URL(fileURLWithPath: config)
            } else if let dir = home ?? ProcessInfo.processInfo.environment["ZISYNC_HOME"] {
                url = Home(path: dir).url.appendingPathComponent(NodeConfig.fileName)
            } else {
                throw ValidationError("give --config PATH or --home DIR (or set ZISYNC_HOME)")
            }
            let (_, problems) = ConfigCheck.check(url: url)
            if problems.isEmpty {
                print("ok: \(url.path)")
                return
            }
            for p in problems { FileHandle.standardError.write(Data((p + "\n").utf8)) }
            throw ExitCode(1)
        }
    }

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every key of zisync.toml: what it takes, its default, what it is for.",
            discussion: "The same table as docs/operations.md (--markdown prints it as there).")

        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print the markdown table of docs/operations.md.") var markdown = false

        func run() throws {
            if markdown {
                print(ConfigKey.markdownTable)
            } else if json {
                try printJSON(
                    ConfigKey.all.map { (key: ConfigKey) -> [String: Any] in
                        var row: [String: Any] = ["key": key.name, "takes": key.kind.words, "summary": key.summary]
                        if let d = key.defaultText { row["default"] = d }
                        return row
                    })
            } else {
                let rows = ConfigKey.all.map { [$0.name, $0.kind.words, $0.defaultText ?? "", $0.summary] }
                printTable(["KEY", "TAKES", "DEFAULT", "WHAT IT IS FOR"], rows)
            }
        }
    }
}
