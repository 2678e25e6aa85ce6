import ArgumentParser
import Foundation
import Logging
import ZISyncCore
import ZISyncNode

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Serve this node's children (listen) and sync with its parent (parent), until stopped.",
        discussion: """
            Rounds with the parent run every interval_seconds, a few seconds after a local write, and \
            after a failure with exponential backoff. Prints `listening on HOST:PORT` (or `syncing with \
            URL` on a node without children) when ready. Stops on SIGTERM or SIGINT, abandoning a \
            transfer in flight; the next start resumes it.
            """)

    @OptionGroup var node: NodeOptions

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let home = Home(path: try node.homePath)
        let config = try node.loadConfig()
        var logger = Logger(label: "zisync")
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .notice
        let host = (try? config.listenAddress().host) ?? "?"
        try await NodeDaemon.run(home: home, config: config, logger: logger) { port in
            let line = config.listen == nil ? "syncing with \(config.parent ?? "")" : "listening on \(host):\(port)"
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }
}
