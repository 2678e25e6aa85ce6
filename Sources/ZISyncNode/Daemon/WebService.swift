import Foundation
import Hummingbird
import Logging
import NIOCore
import ZISyncCore
import ZISyncStore
import ZISyncTransport
import ZISyncWeb

/// The daemon's part of the web app: the server on `web_listen`, and the node's sync state
/// given to the pages in their terms.
enum WebService {
    static func application(
        store: Store, config: NodeConfig, live: LiveState, runner: SyncRunner?, logger: Logger,
        onListening: @escaping @Sendable (String) -> Void
    ) async throws -> (any ApplicationProtocol)? {
        guard let (host, port) = try config.webAddress() else { return nil }
        let tls = try config.webCertificateFile.flatMap { cert in
            try config.webKeyFile.map { key in
                try WebServer.tlsConfiguration(
                    certificateFile: config.path(cert, home: store.home), keyFile: config.path(key, home: store.home))
            }
        }
        let site = try await WebSite(
            store: store, secure: tls != nil, hosts: config.webHosts, logger: logger,
            uploadLimits: config.serveLimits.uploads
        ) {
            let daemon = await live.state(runner: runner)
            let status = try? NodeStatus.read(store: store, config: await live.config, daemon: daemon)
            return facts(status, store: store)
        }
        let scheme = tls == nil ? "http" : "https"
        let onLAN = !config.webIsLoopback
        return try WebServer.application(
            router: site.router(), host: host, port: port, tls: tls, limits: config.connectionLimits, logger: logger,
            onServerRunning: { channel in
                let address = "\(scheme)://\(host):\(channel.localAddress?.port ?? port)"
                if onLAN {
                    logger.warning(
                        "web app on the office network at \(address): anyone who reaches this address sees the login page\(tls == nil ? "; passwords cross the network unencrypted (set [web] certificate and key)" : "")"
                    )
                }
                await live.web(address)
                onListening(address)
            })
    }

    static func facts(_ s: NodeStatus?, store: Store) -> SyncFacts {
        guard let s else {
            return SyncFacts(
                parent: store.parent, parentName: nil, lastSync: nil, pendingChanges: 0, pendingFiles: 0,
                pendingBytes: 0,
                problem: nil, restoring: nil, daemonRunning: true, children: [])
        }
        return SyncFacts(
            parent: s.parent, parentName: s.parent.flatMap { store.registry[$0]?.name }, lastSync: s.lastSync,
            pendingChanges: s.pendingChanges, pendingFiles: s.pendingFiles, pendingBytes: s.pendingBytes,
            problem: s.problem, restoring: s.recovery?.reason, daemonRunning: s.daemon != nil,
            children: s.children)
    }
}
