import Foundation
import Testing
import ZISyncFaultProxy

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's own rounds with its parent: soon after a local write, backing off while the
/// parent is down and catching up when it returns, and stopping promptly on SIGTERM mid-transfer.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DaemonLoopTests {
    func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    @Test func syncsAfterALocalWriteBacksOffAndCatchesUp() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("00", serves: true)
        // The province on a fixed port, so that it can come back where the kab/kota expects it.
        let prov = try d.node("32", parent: "00", serves: true, listen: "127.0.0.1:\(freePort())")
        var provDaemon = d.daemons["32"]!
        let kab = try d.node("32.17", parent: "32")
        let kabDaemon = try d.start("32.17")
        defer { kabDaemon.stop(); provDaemon.stop() }

        try kab.ok(["plan", "add", "--area", "1", "--activity", "Disinkronkan sendiri"])
        #expect(try waitUntil(60) { try prov.digest("32.17") == kab.digest("32.17") }, "synced soon after the write")
        #expect(
            try waitUntil(60) { try d["00"].digest("32.17") == kab.digest("32.17") },
            "and relayed to RI by the province's daemon")

        provDaemon.kill9()
        try kab.ok(["plan", "add", "--area", "2", "--activity", "Saat provinsi mati"])
        #expect(
            try waitUntil(60) {
                let problem = try kab.object("status")["problem"] as? [String: Any]
                return (problem?["message"] as? String)?.contains("curl error") == true
            }, "the failure and its cause show in status")
        provDaemon = try Daemon(prov)
        #expect(
            try waitUntil(90) { try prov.digest("32.17") == kab.digest("32.17") }, "caught up once the parent returned")
        #expect(try waitUntil(60) { try kab.object("status")["problem"] == nil })
    }

    @Test func sigtermMidTransferStopsWithinSecondsAndLosesNothing() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let slow = try FaultProxy(target: d.daemons["32"]!.port, rate: 200_000)
        defer { slow.close() }
        try kab.setParent("https://127.0.0.1:\(slow.port)")
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Berkas besar"])
        let file = try d.file("besar.pdf", bytes: 4_000_000, seed: 17)
        try kab.ok(["evidence", "add", "--plan", plan, file.path])
        let daemon = try Daemon(kab)
        #expect(waitUntil(60) { slow.upstreamBytes > 500_000 }, "the upload is under way")
        let started = Date()
        let stopped = daemon.stop()
        #expect(
            Date().timeIntervalSince(started) < 15,
            "SIGTERM ended the daemon well before the upload (17 s more) would have")
        #expect(stopped.exit == .exited(0), "a clean exit, not a kill: \(stopped.exit)")
        try kab.setParent(d.daemons["32"]!.url)
        try kab.ok(["sync"])
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
        let evidence = try d["32"].objects("evidence", "list")
        #expect(evidence.count == 1 && evidence[0]["file_present"] as? Bool == true)
    }
}
