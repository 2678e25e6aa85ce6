import ArgumentParser
import Foundation
import Logging
import ZISyncCore
import ZISyncNode
import ZISyncStore

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Serve this node's children (listen) and sync with its parent (parent), until stopped.",
        discussion: """
            Rounds with the parent run every interval_seconds, a few seconds after a local write, \
            when an operator runs `zisync sync`, and after a failure with exponential backoff. \
            Prints `listening on HOST:PORT` (or `syncing with URL` on a node without children, or `web \
            app only …` on one with neither, `PortalRB's API only …` at a KPU RI serving only that) when ready, and `web on URL` once the web app (web_listen) serves. The CLI reaches it through control.sock in the home; Prometheus metrics are at \
            /metrics there and on metrics_listen. SIGHUP reloads the config and the certificate \
            (a bad file or pair is refused and the running one stays); SIGTERM or SIGINT stops it, abandoning a transfer in \
            flight, which the next start resumes. Logs go to standard error (journald-ready).
            """)

    @OptionGroup var node: NodeOptions

    func run() async throws {
        let home = Home(path: try node.homePath)
        let config = try node.loadConfig()
        let level = DaemonLogHandler.Level(Logger.Level(rawValue: config.logLevel) ?? .notice)
        LoggingSystem.bootstrap { DaemonLogHandler(label: $0, level: level) }
        let logger = Logger(label: "zisync")
        let host = (try? config.listenAddress().host) ?? "?"
        let options = NodeDaemon.Options(
            home: home, config: config, configFile: node.configPath, logger: logger, logLevel: level)
        try await NodeDaemon.run(options) { port in
            let line =
                config.listen != nil
                ? "listening on \(host):\(port)"
                : config.parent.map { "syncing with \($0)" }
                    ?? (config.webListen != nil
                        ? "web app only (no parent, no children yet)"
                        : "PortalRB's API only (no parent, no children, no web app)")
            DaemonLogHandler.write(line + "\n", to: .standardOutput)
        } onWeb: { address in
            DaemonLogHandler.write("web on \(address)\n", to: .standardOutput)
        } onPortalRB: { address in
            DaemonLogHandler.write("portalrb on \(address)\n", to: .standardOutput)
        }
    }
}
