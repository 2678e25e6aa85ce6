import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// The people's web server: plain HTTP on the office's own address, or HTTPS with a certificate
/// the office provides (browsers do not hold the deployment CA, so it is not that one).
public enum WebServer {
    /// A server TLS configuration from a PEM certificate (chain) and its key; throws naming the file.
    public static func tlsConfiguration(certificateFile: String, keyFile: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw PKIError("\(certificateFile): not a PEM certificate (\(error))")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw PKIError("\(keyFile): not a PEM private key (\(error))")
        }
        guard !chain.isEmpty else { throw PKIError("\(certificateFile): no certificate in the file") }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    /// An application serving `router` on host:port, over TLS when `tls` is given, each connection
    /// behind the same guard as the children's port (`limits`: a deadline for the handshake or the
    /// first request head, the idle timeout, caps in all and per address), with counts of its own.
    public static func application<Context: RequestContext>(
        router: Router<Context>, host: String, port: Int, tls: TLSConfiguration?, limits: ConnectionLimits = .init(),
        logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> any ApplicationProtocol where Context.Source == ApplicationRequestContextSource {
        let counts = ConnectionCounts(limits: limits, logger: logger)
        let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(limits.idleTimeoutSeconds)))
        let configuration = ApplicationConfiguration(
            address: .hostname(host, port: port), serverName: "zisync-web")
        if let tls {
            let server = HTTPServerBuilder { responder in
                GuardedChannel(
                    base: try TLSChannel(
                        HTTP1Channel(responder: responder, configuration: http1), tlsConfiguration: tls),
                    counts: counts)
            }
            return Application(
                router: router, server: server, configuration: configuration, onServerRunning: onServerRunning,
                logger: logger)
        }
        let server = HTTPServerBuilder { responder in
            GuardedChannel(
                base: HTTP1Channel(responder: responder, configuration: http1), counts: counts, plain: true)
        }
        return Application(
            router: router, server: server, configuration: configuration, onServerRunning: onServerRunning,
            logger: logger)
    }
}
