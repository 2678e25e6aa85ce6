import Foundation
import Hummingbird
import Logging
import NIOCore
import ZISyncCore
import ZISyncTransport

/// `zisync daemon`: serves this node's children over mutual TLS on its `listen` address.
public enum NodeDaemon {
    /// Runs until SIGTERM or SIGINT. `onListening` receives the bound port (useful with port 0).
    public static func run(
        home: Home, config: NodeConfig, logger: Logger, onListening: @escaping @Sendable (Int) -> Void
    ) async throws {
        let store = try Store.open(home: home)
        guard config.satker == store.node else {
            throw ZISyncError("zisync.toml says satker \(config.satker) but the database belongs to \(store.node)")
        }
        guard config.listen != nil else {
            throw ZISyncError("no 'listen' address in zisync.toml: this node serves no children")
        }
        let (host, port) = try config.listenAddress()
        let tls = try MutualTLSServer.tlsConfiguration(
            caFile: config.path(config.caFile, home: home),
            certificateFile: config.path(config.certificateFile, home: home),
            keyFile: config.path(config.keyFile, home: home))
        let notifier = SystemdNotifier()
        let service = ParentService(store: store, logger: logger, maxClockAheadSeconds: config.clockSkewLimitSeconds)
        let app = try MutualTLSServer.application(
            router: service.router(), host: host, port: port, tls: tls, logger: logger,
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                notifier.send("READY=1\nSTATUS=serving children on \(host):\(bound)")
                onListening(bound)
            })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            if let interval = notifier.watchdogInterval {
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        notifier.send("WATCHDOG=1")
                    }
                }
            }
            // The server returns on SIGTERM/SIGINT after a graceful shutdown; stop the watchdog too.
            try await group.next()
            notifier.send("STOPPING=1")
            group.cancelAll()
        }
    }
}
