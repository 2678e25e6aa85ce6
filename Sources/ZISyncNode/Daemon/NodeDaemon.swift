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
        guard config.listen != nil || config.parent != nil else {
            throw ZISyncError(
                "zisync.toml has neither 'listen' (children to serve) nor 'parent' (a parent to sync with)")
        }
        let notifier = SystemdNotifier()
        let loop = config.parent == nil ? nil : SyncLoop(store: store, config: config, home: home, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            if config.listen != nil {
                let (host, port) = try config.listenAddress()
                let tls = try MutualTLSServer.tlsConfiguration(
                    caFile: config.path(config.caFile, home: home),
                    certificateFile: config.path(config.certificateFile, home: home),
                    keyFile: config.path(config.keyFile, home: home))
                let service = ParentService(
                    store: store, logger: logger, maxClockAheadSeconds: config.clockSkewLimitSeconds)
                let app = try MutualTLSServer.application(
                    router: service.router(), host: host, port: port, tls: tls, logger: logger,
                    onServerRunning: { channel in
                        let bound = channel.localAddress?.port ?? port
                        notifier.send("READY=1\nSTATUS=serving children on \(host):\(bound)")
                        onListening(bound)
                    })
                // The server returns on SIGTERM/SIGINT after a graceful shutdown.
                group.addTask { try await app.runService() }
            } else {
                notifier.send("READY=1\nSTATUS=syncing with \(config.parent ?? "")")
                onListening(0)
                group.addTask { await Self.untilTerminated() }
            }
            if let loop { group.addTask { await loop.run() } }
            if let interval = notifier.watchdogInterval {
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        notifier.send("WATCHDOG=1")
                    }
                }
            }
            // The first task to end (the server, or the signal wait) ends the daemon.
            try await group.next()
            notifier.send("STOPPING=1")
            group.cancelAll()
        }
    }
}

extension NodeDaemon {
    /// Returns on SIGTERM or SIGINT (when no server is there to catch them).
    static func untilTerminated() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = OnceFlag()
            for sig in [SIGTERM, SIGINT] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig)
                source.setEventHandler { if once.claim() { continuation.resume() } }
                source.resume()
                SignalSources.keep(source)
            }
        }
    }
}

final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool {
        lock.withLock {
            defer { done = true }; return !done
        }
    }
}

/// Keeps signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
    static func keep(_ s: DispatchSourceSignal) { sources.append(s) }
}
