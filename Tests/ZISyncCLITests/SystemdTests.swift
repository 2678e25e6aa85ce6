import Foundation
import Testing
import ZISyncTestSupport

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized, .timeLimit(.minutes(10))) struct SystemdTests {
    static let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../systemd/zisync.service").standardizedFileURL

    @Test func theUnitPassesSystemdAnalyzeVerify() throws {
        // verify checks that ExecStart's binary exists: point it at the one just built.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
        #expect(text.contains("Type=notify") && text.contains("WatchdogSec=") && text.contains("ProtectSystem=strict"))
        #expect(text.contains("ExecReload=/bin/kill -HUP $MAINPID"))
        let copy = dir.appendingPathComponent("zisync.service")
        try text.replacingOccurrences(of: "/usr/local/bin/zisync", with: CLI.binary.path)
            .write(to: copy, atomically: true, encoding: .utf8)
        let r = try ProcessRunner.run("/usr/bin/env", ["systemd-analyze", "verify", copy.path], timeout: .seconds(60))
        #expect(r.status == 0, "systemd-analyze verify: \(r.stdout)\(r.stderr)")
    }

    @Test func theDaemonTellsSystemdItIsReadyAliveAndStopping() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try CLI.tool(["pki", "issue", "--dir", d.pki, "--satker", "32"])
        let served = CLI(home: d.dir.appendingPathComponent("served"))
        try served.ok(["init", "--satker", "32", "--pki", d.pki, "--listen", "127.0.0.1:0"])
        // A datagram socket standing in for systemd's NOTIFY_SOCKET.
        let path = d.dir.appendingPathComponent("notify.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        }
        let daemon = try Daemon(served, prefix: ["NOTIFY_SOCKET=\(path)", "WATCHDOG_USEC=400000"])
        #expect(receive().hasPrefix("READY=1"))
        #expect(receive() == "WATCHDOG=1")
        // SIGHUP (the unit's ExecReload): RELOADING=1 with its monotonic time, then READY=1.
        daemon.signal(SIGHUP)
        var reload: [String] = []
        while reload.count < 20 {
            let m = receive()
            if m.isEmpty { break }
            if m != "WATCHDOG=1" { reload.append(m) }
            if m == "READY=1" { break }
        }
        #expect(reload.first?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true, "\(reload)")
        #expect(reload.last == "READY=1", "\(reload)")
        let started = Date()
        daemon.stop()
        var messages: [String] = []
        while true {
            let m = receive()
            if m.isEmpty { break }
            messages.append(m)
            if m == "STOPPING=1" { break }
        }
        #expect(messages.contains("STOPPING=1"), "\(messages)")
        #expect(Date().timeIntervalSince(started) < 10, "SIGTERM stops the daemon within seconds")
    }

    @Test func underJournaldLogLinesCarryTheirPriorityAndNoTimestamp() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("00", serves: true)
        let kab = try d.node("32", parent: "00")
        d.daemons["00"]!.stop()  // its rounds fail: warnings
        let daemon = try Daemon(kab, prefix: ["JOURNAL_STREAM=8:4242"])
        defer { daemon.stop() }
        #expect(waitUntil(60) { daemon.log.text.contains("<4>sync failed") }, "\(daemon.log.text)")
        let lines = daemon.log.text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.first == "<" && $0.dropFirst(2).first == ">" }, "\(lines)")
        #expect(daemon.log.text.contains("could not connect to the parent"), "the cause in words")
    }
}
