import Foundation
import Hummingbird
import Logging
import ZISyncCore
import ZISyncPortalRB
import ZISyncStore
import ZISyncTransport

/// The daemon's PortalRB listener (`portalrb_listen`, KPU RI only): the API router over HTTPS
/// with the certificate KPU RI provides, behind the same connection guard as every listener.
enum PortalRBService {
    static func application(
        store: Store, config: NodeConfig, live: LiveState, logger: Logger,
        onListening: @escaping @Sendable (String) -> Void
    ) async throws -> (any ApplicationProtocol)? {
        guard let listen = config.portalRBListen, let cert = config.portalRBCertificateFile,
            let key = config.portalRBKeyFile
        else { return nil }
        let (host, port) = try NodeConfig.hostPort(listen)
        let tls = try WebServer.tlsConfiguration(
            certificateFile: config.path(cert, home: store.home), keyFile: config.path(key, home: store.home))
        let configured = config.portalRBPublicURL
        let site = PortalRBSite(store: store, requestsPerMinute: config.portalRBRequestsPerMinute, logger: logger) {
            if let configured { return configured }
            return await live.portalRBAddress ?? "https://\(host):\(port)"
        }
        return try WebServer.application(
            router: site.router(), host: host, port: port, tls: tls, limits: config.connectionLimits, logger: logger,
            onServerRunning: { channel in
                let address = "https://\(host):\(channel.localAddress?.port ?? port)"
                await live.portalRB(address)
                onListening(address)
            })
    }
}
