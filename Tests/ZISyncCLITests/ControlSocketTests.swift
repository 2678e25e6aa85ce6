import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The running daemon as the CLI reaches it: `zisync sync` through the control socket,
/// SIGHUP reloads, one daemon per home, and Prometheus metrics.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ControlSocketTests {
    func daemonState(_ node: CLI) throws -> [String: Any]? {
        try node.object("status")["daemon"] as? [String: Any]
    }

    @Test func syncAsksTheRunningDaemonAndSighupReloads() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        try kab.config.set("sync.interval_seconds", 3600)
        let daemon = try Daemon(kab)
        defer { daemon.stop() }

        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Lewat daemon"])
        let synced = try kab.object("sync")
        #expect(synced["via"] as? String == "daemon")
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
        #expect(try d["32"].ok(["plan", "show", plan]).contains("Lewat daemon"))

        // A second daemon on the same home is refused, and the first goes on.
        let second = try kab.run(["daemon"])
        #expect(second.status != 0 && second.stderr.contains("already runs"), "\(second.stderr)")
        #expect(try daemonState(kab)?["intervalSeconds"] as? Int == 3600)

        // SIGHUP: a good file takes effect, a bad one is refused and the running config stays.
        try kab.config.set("sync.interval_seconds", 120)
        daemon.signal(SIGHUP)
        #expect(try waitUntil(60) { try daemonState(kab)?["intervalSeconds"] as? Int == 120 })
        try kab.config.set("sync.interval_seconds", 2)
        daemon.signal(SIGHUP)
        #expect(waitUntil(60) { daemon.log.text.contains("reload refused") }, "\(daemon.log.text)")
        #expect(daemon.log.text.contains("sync.interval_seconds"))
        #expect(daemon.isRunning)
        #expect(try daemonState(kab)?["intervalSeconds"] as? Int == 120)
        #expect(try daemonState(kab)?["reloadedAt"] != nil)
    }

    @Test func theDaemonServesPrometheusMetrics() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("00", serves: true)
        try d.node("32", parent: "00", serves: true)
        let prov = d["32"]
        d.daemons["32"]!.stop()
        try prov.config.set("metrics_listen", "127.0.0.1:0")
        try d.restart("32")
        let kab = try d.node("32.17", parent: "32")
        try kab.ok(["plan", "add", "--area", "1", "--activity", "Terukur"])
        try kab.ok(["sync"])
        try prov.ok(["sync"])

        let state = try prov.object("status")["daemon"] as? [String: Any]
        let address = try #require(state?["metrics"] as? String)
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://\(address)/metrics")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("zisync_child_last_seen_timestamp_seconds{child=\"32.17\"}"), "\(text)")
        #expect(text.contains("zisync_child_changes_received_total{child=\"32.17\"} 1"))
        #expect(text.contains("zisync_changes_pushed_total 1"), "the province relayed the change to RI")
        #expect(text.contains("zisync_sync_duration_seconds_count"))
        #expect(text.contains("zisync_certificate_expiry_timestamp_seconds"))
    }
}
