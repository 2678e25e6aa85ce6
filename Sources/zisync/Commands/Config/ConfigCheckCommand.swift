import ArgumentParser
import Foundation
import ZISyncNode
import ZISyncStore

struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
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
