import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ZISyncCore

/// The request context of the mutual-TLS server: it can name the satker of the client
/// certificate that TLS already verified against the deployment CA.
public struct PeerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    public var maxUploadSize: Int { 64 << 20 }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The satker named by the peer's certificate.
    public func peerSatker() async throws -> String {
        let channel = self.channel
        let der = try await channel.eventLoop.submit { () -> [UInt8]? in
            let handler = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            return try handler.peerCertificate?.toDERBytes()
        }.get()
        guard let der else { throw ZISyncError("no client certificate") }
        return try DeploymentPKI.satker(ofDER: der)
    }
}

public enum MutualTLSServer {
    /// Server TLS: this node's certificate, and a client certificate from the deployment CA
    /// required on every connection (no certificate or another CA: the handshake fails).
    public static func tlsConfiguration(caFile: String, certificateFile: String, keyFile: String) throws
        -> TLSConfiguration
    {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)))
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        tls.certificateVerification = .noHostnameVerification
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    /// An application serving `router` over mutual TLS on host:port.
    public static func application(
        router: Router<PeerRequestContext>, host: String, port: Int, tls: TLSConfiguration, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: "zisync"),
            onServerRunning: onServerRunning, logger: logger)
    }
}
