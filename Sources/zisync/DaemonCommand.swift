import ArgumentParser
import Foundation
import Logging
import ZISyncCore
import ZISyncNode

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Serve this node's children over mutual TLS on its listen address.",
        discussion: "Prints `listening on HOST:PORT` when ready. Stops on SIGTERM or SIGINT.")

    @OptionGroup var node: NodeOptions

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let home = Home(path: try node.homePath)
        let config = try node.loadConfig()
        var logger = Logger(label: "zisync")
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .notice
        let host = (try? config.listenAddress().host) ?? "?"
        try await NodeDaemon.run(home: home, config: config, logger: logger) { port in
            FileHandle.standardOutput.write(Data("listening on \(host):\(port)\n".utf8))
        }
    }
}
