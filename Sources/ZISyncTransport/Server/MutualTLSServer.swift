import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// The client certificate of a mutual-TLS connection, which TLS already verified against the
/// deployment CA.
public enum TLSPeer {
    /// The DER bytes of the peer's certificate, nil when it sent none.
    public static func certificateDER(of channel: any Channel) async throws -> [UInt8]? {
        try await channel.eventLoop.submit { () -> [UInt8]? in
            let handler = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            return try handler.peerCertificate?.toDERBytes()
        }.get()
    }

    /// The satker named by the peer's certificate.
    public static func satker(of channel: any Channel) async throws -> String {
        guard let der = try await certificateDER(of: channel) else { throw PKIError("no client certificate") }
        return try DeploymentPKI.satker(ofDER: der)
    }
}

/// The certificate and key the server presents, swappable while it runs (a rotation by
/// reload): every TLS handshake asks for the current pair.
public final class ServerIdentity: @unchecked Sendable {
    private let lock = NSLock()
    private var chain: [NIOSSLCertificateSource]
    private var key: NIOSSLPrivateKeySource

    public init(certificateFile: String, keyFile: String) throws {
        (chain, key) = try Self.load(certificateFile: certificateFile, keyFile: keyFile)
    }

    /// Loads a new pair; on any error the current one stays.
    public func reload(certificateFile: String, keyFile: String) throws {
        let (newChain, newKey) = try Self.load(certificateFile: certificateFile, keyFile: keyFile)
        lock.withLock { (chain, key) = (newChain, newKey) }
    }

    var current: NIOSSLContextConfigurationOverride {
        lock.withLock {
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = chain
            override.privateKey = key
            return override
        }
    }

    static func load(certificateFile: String, keyFile: String) throws -> (
        [NIOSSLCertificateSource], NIOSSLPrivateKeySource
    ) {
        (
            try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) },
            .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        )
    }
}

public enum MutualTLSServer {
    /// Server TLS: this node's certificate, and a client certificate from the deployment CA
    /// required on every connection (no certificate or another CA: the handshake fails).
    public static func tlsConfiguration(caFile: String, identity: ServerIdentity) throws -> TLSConfiguration {
        let first = identity.current
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: first.certificateChain ?? [], privateKey: first.privateKey!)
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        tls.certificateVerification = .noHostnameVerification
        tls.minimumTLSVersion = .tlsv12
        // Called once per client hello: the pair in `identity` now, so a reload rotates it.
        tls.sslContextCallback = { _, promise in promise.succeed(identity.current) }
        return tls
    }

    /// An application serving `router` over mutual TLS on host:port, each connection behind the
    /// guard of `limits` (handshake deadline, idle timeout, caps in all and per address).
    public static func application<Context: RequestContext>(
        router: Router<Context>, host: String, port: Int, tls: TLSConfiguration, limits: ConnectionLimits = .init(),
        logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol where Context.Source == ApplicationRequestContextSource {
        let counts = ConnectionCounts(limits: limits, logger: logger)
        let idle = TimeAmount.seconds(Int64(limits.idleTimeoutSeconds))
        let server = HTTPServerBuilder { responder in
            GuardedChannel(
                base: try TLSChannel(
                    HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idle)),
                    tlsConfiguration: tls),
                counts: counts)
        }
        return Application(
            router: router, server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "zisync"),
            onServerRunning: onServerRunning, logger: logger)
    }
}
