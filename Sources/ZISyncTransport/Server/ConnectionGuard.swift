import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// How much of a server one connection, one address and everyone together may hold, and how long.
public struct ConnectionLimits: Sendable, Equatable {
    /// A connection that has not finished its TLS handshake by then is closed.
    public var handshakeTimeoutSeconds = 10
    /// A connection with no request in progress for this long is closed (also a request's head
    /// that never completes: Hummingbird's idle timer counts whole request parts, so the bytes of
    /// an unfinished head, trickled however often, do not restart it).
    public var idleTimeoutSeconds = 120
    public var maxConnections = 1024
    /// Connections from one IP address at a time.
    public var maxConnectionsPerAddress = 32

    public init() {}
}

/// Counts the open connections, in all and per address, across the server's event loops.
final class ConnectionCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    private var perAddress: [String: Int] = [:]
    let limits: ConnectionLimits
    let logger: Logger

    init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    /// Takes a slot for a connection from `address`; false when a limit is reached.
    func open(_ address: String) -> Bool {
        lock.withLock {
            guard total < limits.maxConnections, perAddress[address, default: 0] < limits.maxConnectionsPerAddress
            else { return false }
            total += 1
            perAddress[address, default: 0] += 1
            return true
        }
    }

    func close(_ address: String) {
        lock.withLock {
            total -= 1
            let n = perAddress[address, default: 1] - 1
            perAddress[address] = n > 0 ? n : nil
        }
    }

    var open: Int { lock.withLock { total } }
}

/// First in every connection's pipeline: refuses a connection beyond the limits, and closes one
/// whose TLS handshake (or, in plain HTTP, whose first request head) does not finish in time: a
/// host that connects and says nothing, or trickles a byte at a time, would otherwise hold a
/// descriptor for good.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let counts: ConnectionCounts
    /// Plain HTTP: the deadline ends with the first request head (`\r\n\r\n` seen), not a handshake.
    let plain: Bool
    private var address: String?
    private var deadline: Scheduled<Void>?
    /// The last bytes seen, to find the end of a request head across reads.
    private var tail: [UInt8] = []

    init(counts: ConnectionCounts, plain: Bool = false) {
        self.counts = counts
        self.plain = plain
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if plain, deadline != nil {
            let bytes = tail + Array(unwrapInboundIn(data).readableBytesView)
            if bytes.windowsContain([13, 10, 13, 10]) {
                handshakeDone()
            } else {
                tail = Array(bytes.suffix(3))
            }
        }
        context.fireChannelRead(data)
    }

    func channelActive(context: ChannelHandlerContext) {
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        guard counts.open(address) else {
            counts.logger.warning(
                "refused a connection from \(address): at the limit (\(counts.limits.maxConnections) in all, \(counts.limits.maxConnectionsPerAddress) per address)"
            )
            context.close(promise: nil)
            return
        }
        self.address = address
        let seconds = counts.limits.handshakeTimeoutSeconds
        deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: .seconds(Int64(seconds))) {
            [logger = counts.logger, plain] in
            logger.notice(
                "closed a connection from \(address): \(plain ? "no request head" : "no TLS handshake") within \(seconds) s"
            )
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    /// The handshake completed (seen by `HandshakeDoneHandler` behind the TLS handler).
    func handshakeDone() {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if let address {
            counts.close(address)
            self.address = nil
        }
        context.fireChannelInactive()
    }
}

/// Behind the TLS handler: tells the guard when the handshake is done, then leaves the pipeline.
final class HandshakeDoneHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let guardHandler: ConnectionGuardHandler

    init(_ guardHandler: ConnectionGuardHandler) { self.guardHandler = guardHandler }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            guardHandler.handshakeDone()
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// A server child channel (TLS over HTTP/1.1) behind the connection guard.
struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let counts: ConnectionCounts

    /// Plain HTTP (the web app without a certificate): the deadline is for the first request head.
    var plain = false

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let guardHandler = ConnectionGuardHandler(counts: counts, plain: plain)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(guardHandler)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            if !plain {
                let tls = try channel.pipeline.syncOperations.context(handlerType: NIOSSLServerHandler.self)
                try channel.pipeline.syncOperations.addHandler(
                    HandshakeDoneHandler(guardHandler), position: .after(tls.handler))
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension GuardedChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes.
    func windowsContain(_ needle: [UInt8]) -> Bool {
        guard count >= needle.count else { return false }
        for i in 0...(count - needle.count) where self[i] == needle[0] && Array(self[i..<i + needle.count]) == needle {
            return true
        }
        return false
    }
}
