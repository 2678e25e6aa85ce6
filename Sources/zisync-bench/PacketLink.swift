import CPacketLink
import Foundation
import Glibc

/// What a weak link does to each packet, per direction: the bottleneck's rate (packets leave one
/// after another, each taking its length × 8 ÷ rate on the wire), a queue before it that drops what
/// would wait longer than `queueSeconds`, a one-way delay after it, and random loss.
struct LinkShape: CustomStringConvertible {
    var bitsPerSecond: Double
    var delaySeconds: Double
    var loss: Double
    var queueSeconds = 1.0

    var description: String {
        String(
            format: "%.0f kbit/s, %.0f ms one way, %.0f %% loss", bitsPerSecond / 1000, delaySeconds * 1000, loss * 100)
    }
}

/// A packet-level link between two network namespaces (root): a TUN device in each, and this
/// process moving every IP packet from one to the other through `LinkShape`. Unlike the fault
/// proxy, TCP runs end to end over it, so slow start, a window lost to idling, queueing at the
/// bottleneck and connections competing for it happen as on a real line. Records how busy the
/// upstream wire was (B to A: the kab/kota's uploads), so a bench can say where the time went.
final class PacketLink {
    /// One direction's queue: packets in the order they leave, each with its time of arrival.
    final class Direction {
        let shape: LinkShape
        let destination: Int32
        var queue: [(at: Double, packet: [UInt8])] = []
        var head = 0
        var wireFree = 0.0
        var packets = 0, bytes = 0, lost = 0, dropped = 0
        /// Busy spans of the wire, merged: how much of the time the line carried bytes.
        var busy = 0.0, firstBusy: Double?, lastBusy = 0.0
        /// Idle spans of the wire: when each began (since the first packet) and how long it lasted.
        var gaps: [(at: Double, length: Double)] = []

        init(shape: LinkShape, destination: Int32) {
            self.shape = shape
            self.destination = destination
        }

        func enqueue(_ packet: [UInt8], now: Double) {
            packets += 1
            bytes += packet.count
            if shape.loss > 0, Double.random(in: 0..<1) < shape.loss {
                lost += 1
                return
            }
            let start = max(now, wireFree)
            if start - now > shape.queueSeconds {
                dropped += 1
                return
            }
            let onWire = Double(packet.count * 8) / shape.bitsPerSecond
            if firstBusy == nil { firstBusy = start }
            if start > wireFree, wireFree > 0 {
                gaps.append((at: wireFree - (firstBusy ?? 0), length: start - wireFree))
            }
            wireFree = start + onWire
            busy += onWire
            lastBusy = wireFree
            queue.append((at: wireFree + shape.delaySeconds, packet: packet))
        }

        var nextDue: Double? { head < queue.count ? queue[head].at : nil }

        /// Writes the packets whose time has come.
        func deliver(now: Double) {
            while head < queue.count, queue[head].at <= now {
                let packet = queue[head].packet
                let n = packet.withUnsafeBytes { Glibc.write(destination, $0.baseAddress, $0.count) }
                if n < 0 && errno == EAGAIN { return }
                head += 1
            }
            if head > 4096 {
                queue.removeFirst(head)
                head = 0
            }
        }

        /// In words: packets, losses, and how busy the wire was between its first and last packet.
        func summary(_ name: String) -> String {
            let span = lastBusy - (firstBusy ?? lastBusy)
            let long = gaps.filter { $0.length >= 0.1 }.map(\.length)
            let listed =
                ProcessInfo.processInfo.environment["ZISYNC_LINK_GAPS"] == nil
                ? ""
                : "\n        gaps (at s: length ms): "
                    + gaps.filter { $0.length >= 0.1 }.map { String(format: "%.1f: %.0f", $0.at, $0.length * 1000) }
                    .joined(separator: ", ")
            return String(
                format:
                    "%@: %d packets, %d bytes, %d lost, %d dropped at the queue; wire busy %.1f s of %.1f s (%.0f %%); %d idle gaps of 100 ms or more, %.1f s in all",
                name, packets, bytes, lost, dropped, busy, span, span > 0 ? busy / span * 100 : 0, long.count,
                long.reduce(0, +)) + listed
        }
    }

    let a: Int32
    let b: Int32
    let down: Direction  // A to B
    let up: Direction  // B to A

    /// Opens the TUN devices `devA` in namespace `nsA` and `devB` in `nsB` (`ip netns add` first);
    /// the caller gives them addresses and brings them up.
    init(nsA: String, devA: String, nsB: String, devB: String, shape: LinkShape) throws {
        func open(_ ns: String, _ dev: String) throws -> Int32 {
            let entered = zs_enter_netns("/var/run/netns/\(ns)")
            guard entered == 0 else {
                throw LinkError("entering namespace \(ns): \(String(cString: strerror(-entered)))")
            }
            let fd = zs_open_tun(dev)
            guard fd >= 0 else { throw LinkError("opening TUN \(dev) in \(ns): \(String(cString: strerror(-fd)))") }
            return fd
        }
        a = try open(nsA, devA)
        b = try open(nsB, devB)
        down = Direction(shape: shape, destination: b)
        up = Direction(shape: shape, destination: a)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Moves packets until `stop()` returns true (checked at least every 50 ms).
    func run(until stop: () -> Bool) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !stop() {
            var now = Self.now()
            down.deliver(now: now)
            up.deliver(now: now)
            let due = [down.nextDue, up.nextDue].compactMap { $0 }.min()
            let wait = due.map { max(0, min(50, Int32(((($0 - now) * 1000)).rounded(.up)))) } ?? 50
            var fds = [
                pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&fds, 2, wait) >= 0 || errno == EINTR else { return }
            now = Self.now()
            for (fd, direction) in [(a, down), (b, up)] {
                while true {
                    let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                    guard n > 0 else { break }
                    direction.enqueue(Array(buffer[0..<n]), now: now)
                }
            }
        }
    }
}

struct LinkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
