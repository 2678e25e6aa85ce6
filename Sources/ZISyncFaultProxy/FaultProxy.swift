import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP proxy on 127.0.0.1 for tests and benchmarks: it forwards to a target port and can
/// cut connections after a number of bytes, stall them silently, or throttle them to a rate
/// with a delay, while counting every byte sent upstream.
public final class FaultProxy: @unchecked Sendable {
    public enum Mode: Sendable, Equatable {
        case forward
        /// Forward this many more upstream bytes, then reset every connection.
        case cutAfter(Int64)
        /// Keep connections open but forward nothing (a silent dead link).
        case stall
    }

    public let port: Int
    private let target: Int
    private let listener: Int32
    private let lock = NSLock()
    private var _mode: Mode = .forward
    private var _upstreamBytes: Int64 = 0
    private var _downstreamBytes: Int64 = 0
    private var _connections = 0
    private var sockets: Set<Int32> = []
    private var closed = false
    /// Bytes per second per direction (0: unlimited) and one-way delay in milliseconds.
    public let rate: Int
    public let delayMilliseconds: Int

    public init(target: Int, rate: Int = 0, delayMilliseconds: Int = 0) throws {
        self.target = target
        self.rate = rate
        self.delayMilliseconds = delayMilliseconds
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = FaultProxy.loopback(port: 0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            Glibc.close(fd)
            throw ProxyError("cannot listen on 127.0.0.1")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread { [weak self] in self?.acceptLoop() }.start()
    }

    deinit { close() }

    public var mode: Mode {
        get { lock.withLock { _mode } }
        set {
            lock.withLock { _mode = newValue }
            if newValue == .cutAfter(0) { resetAll() }
        }
    }

    public var upstreamBytes: Int64 { lock.withLock { _upstreamBytes } }
    public var downstreamBytes: Int64 { lock.withLock { _downstreamBytes } }
    public var connections: Int { lock.withLock { _connections } }

    public func resetCounters() {
        lock.withLock {
            _upstreamBytes = 0
            _downstreamBytes = 0
        }
    }

    /// Resets every open connection (RST), as a cut link does.
    public func resetAll() {
        let open = lock.withLock { sockets }
        for fd in open {
            var l = linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
            shutdown(fd, Int32(SHUT_RDWR))
        }
    }

    public func close() {
        let already = lock.withLock { () -> Bool in
            defer { closed = true }
            return closed
        }
        if already { return }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        resetAll()
    }

    static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = FaultProxy.loopback(port: target)
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if ok != 0 {
                Glibc.close(client)
                Glibc.close(upstream)
                continue
            }
            lock.withLock {
                sockets.insert(client)
                sockets.insert(upstream)
                _connections += 1
            }
            Thread { [weak self] in self?.pump(from: client, to: upstream, upstream: true) }.start()
            Thread { [weak self] in self?.pump(from: upstream, to: client, upstream: false) }.start()
        }
    }

    private func pump(from source: Int32, to sink: Int32, upstream: Bool) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let slice = rate > 0 ? max(512, min(buffer.count, rate / 20)) : buffer.count
        defer {
            shutdown(sink, Int32(SHUT_RDWR))
            shutdown(source, Int32(SHUT_RDWR))
            lock.withLock {
                if sockets.remove(source) != nil { Glibc.close(source) }
                if sockets.remove(sink) != nil { Glibc.close(sink) }
            }
        }
        while true {
            let n = recv(source, &buffer, slice, 0)
            if n <= 0 { return }
            if delayMilliseconds > 0 { usleep(useconds_t(delayMilliseconds * 1000)) }
            var allowed = n
            while true {
                let mode = lock.withLock { _mode }
                if mode == .stall {
                    usleep(50_000)
                    if lock.withLock({ closed }) { return }
                    continue
                }
                if upstream, case .cutAfter(let remaining) = mode {
                    allowed = Int(min(Int64(n), remaining))
                    lock.withLock { _mode = .cutAfter(remaining - Int64(allowed)) }
                }
                break
            }
            if allowed > 0 {
                var sent = 0
                while sent < allowed {
                    let m = buffer.withUnsafeBytes {
                        send(sink, $0.baseAddress! + sent, allowed - sent, Int32(MSG_NOSIGNAL))
                    }
                    if m <= 0 { return }
                    sent += m
                }
                lock.withLock {
                    if upstream { _upstreamBytes += Int64(allowed) } else { _downstreamBytes += Int64(allowed) }
                }
                if rate > 0 { usleep(useconds_t(Double(allowed) / Double(rate) * 1_000_000)) }
            }
            if allowed < n {
                resetAll()
                return
            }
        }
    }
}

public struct ProxyError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
