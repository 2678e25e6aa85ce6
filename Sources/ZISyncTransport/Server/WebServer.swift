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

    /// An application serving `router` on host:port, over TLS when `tls` is given.
    public static func application<Context: RequestContext>(
        router: Router<Context>, host: String, port: Int, tls: TLSConfiguration?, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> any ApplicationProtocol where Context.Source == ApplicationRequestContextSource {
        let http = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(120)))
        return Application(
            router: router, server: try tls.map { try .tls(http, tlsConfiguration: $0) } ?? http,
            configuration: .init(address: .hostname(host, port: port), serverName: "zisync-web"),
            onServerRunning: onServerRunning, logger: logger)
    }
}
