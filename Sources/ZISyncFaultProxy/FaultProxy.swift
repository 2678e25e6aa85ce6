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
    /// With `sharedLine`, the rate is the line's, shared by every connection through the proxy
    /// (one office's link, whatever it opens on it); else each connection has the rate to itself.
    public let sharedLine: Bool
    private let upLine = Pacer()
    private let downLine = Pacer()

    public init(target: Int, rate: Int = 0, delayMilliseconds: Int = 0, sharedLine: Bool = false) throws {
        self.sharedLine = sharedLine
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
        // Under the lock descriptors are closed under, so none is touched after it was recycled.
        lock.withLock {
            for fd in sockets {
                var l = linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
                shutdown(fd, Int32(SHUT_RDWR))
            }
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
            if client < 0 {
                // A connection reset while it waited in the backlog (ECONNABORTED), a signal:
                // keep accepting; stop only once closed.
                if lock.withLock({ closed }) { return }
                if errno == ECONNABORTED || errno == EINTR || errno == EPROTO { continue }
                usleep(1_000)
                continue
            }
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

    /// One direction: a reader stamps what arrives, a writer sends it once `delay` has passed,
    /// paced to `rate`; so latency adds to the time of each byte without lowering throughput.
    private func pump(from source: Int32, to sink: Int32, upstream: Bool) {
        let line = DelayLine()
        let writer = Thread { [weak self] in
            self?.drain(line, to: sink, upstream: upstream)
            line.finish()
        }
        writer.start()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let slice = rate > 0 ? max(1024, min(buffer.count, rate / 10)) : buffer.count
        while !line.isFinished {
            let n = recv(source, &buffer, slice, 0)
            if n <= 0 { break }
            line.push(Data(buffer[0..<n]), due: Date().addingTimeInterval(Double(delayMilliseconds) / 1000))
        }
        line.close()
        while !line.isFinished { usleep(10_000) }
        // Only descriptors still ours, under the lock they are closed under: the other direction
        // may have closed them already, and the numbers may belong to new sockets by now.
        lock.withLock {
            for fd in [sink, source] where sockets.contains(fd) { shutdown(fd, Int32(SHUT_RDWR)) }
            if sockets.remove(source) != nil { Glibc.close(source) }
            if sockets.remove(sink) != nil { Glibc.close(sink) }
        }
    }

    private func drain(_ line: DelayLine, to sink: Int32, upstream: Bool) {
        var paceStart = Date()
        var paced: Int64 = 0
        while let (data, due) = line.pop() {
            let wait = due.timeIntervalSinceNow
            if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            var allowed = data.count
            while true {
                let mode = lock.withLock { _mode }
                if mode == .stall {
                    usleep(50_000)
                    if lock.withLock({ closed }) || line.isClosed { return }
                    continue
                }
                if upstream, case .cutAfter(let remaining) = mode {
                    allowed = Int(min(Int64(data.count), remaining))
                    lock.withLock { _mode = .cutAfter(remaining - Int64(allowed)) }
                }
                break
            }
            var sent = 0
            while sent < allowed {
                let m = data.withUnsafeBytes { send(sink, $0.baseAddress! + sent, allowed - sent, Int32(MSG_NOSIGNAL)) }
                if m <= 0 { return }
                sent += m
            }
            lock.withLock {
                if upstream { _upstreamBytes += Int64(allowed) } else { _downstreamBytes += Int64(allowed) }
            }
            if allowed < data.count {
                resetAll()
                return
            }
            if rate > 0 && sharedLine {
                // The line is busy with these bytes for bytes/rate: the next ones, of any
                // connection in this direction, wait for it (an idle line banks no credit).
                let free = (upstream ? upLine : downLine).occupy(bytes: allowed, rate: rate)
                let wait = free.timeIntervalSinceNow
                if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            } else if rate > 0 {
                // Pace this connection to the rate; an idle link does not bank credit.
                if paceStart.timeIntervalSinceNow < -1 && paced == 0 { paceStart = Date() }
                paced += Int64(allowed)
                let ahead = Double(paced) / Double(rate) - Date().timeIntervalSince(paceStart)
                if ahead > 0 { usleep(useconds_t(ahead * 1_000_000)) }
                if line.isEmpty {
                    paced = 0
                    paceStart = Date()
                }
            }
        }
    }
}
