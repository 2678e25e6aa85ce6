import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol
import ZISyncTestSupport
import ZISyncTransport

/// Hostile people and faulty peers, round three (issue 20), against real daemons on loopback.
@Suite(.timeLimit(.minutes(10))) struct HostileRoundThreeTests {
    /// A child's report speaks for its own subtree only: a kab/kota listing another province's
    /// kab/kota among the offices below it is refused, and the province shows nothing of it.
    @Test func aReportCannotSpeakForOfficesOutsideTheSubtree() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let report = ChildReport(
            pendingChanges: 0, pendingFiles: 0, pendingBytes: 0, oldestPending: nil, problem: nil,
            below: .init(
                attention: [.init(satker: "33.01", state: .failing, lagSeconds: 60, problem: nil)], ok: 0,
                neverSeen: 0))
        let r = try await d.client("32.17").send(
            HTTPRequest(
                method: "POST", url: d.daemons["32"]!.url + Route.report,
                headers: [(SyncProtocol.header, SyncProtocol.version), ("Content-Type", SyncProtocol.jsonType)],
                body: report.encoded()))
        #expect(r.status == 403)
        #expect(String(decoding: r.body, as: UTF8.self).contains("lists 33.01, which is not below 32.17"))
        let children = try #require(try d["32"].object("status")["children"] as? [[String: Any]])
        let kab = try #require(children.first { $0["satker"] as? String == "32.17" })
        #expect(kab["below"] == nil, "\(kab)")
        #expect(!(try d["32"].ok(["status"])).contains("33.01"))
        // The genuine report of the same office is still taken.
        try d["32.17"].ok(["sync"])
        let after = try #require(try d["32"].object("status")["children"] as? [[String: Any]])
        #expect(after.first { $0["satker"] as? String == "32.17" }?["state"] as? String == "ok")
    }

    /// After a correct login the app goes where `ke` says only if a browser would stay on this
    /// site: `/<tab>/evil.example/` is `//evil.example/` to a browser.
    @Test func theLoginRedirectsOnlyToThisSite() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let kab = try net.node("32.17", web: true)
        try kab.addUser("ani", role: "tim-zi")
        let web = try net.start("32.17").webURL()
        for hostile in ["/\t/evil.example/", "/\n/evil.example/", "/\\evil.example/", "//evil.example/"] {
            let r = try await WebClient(web).login("ani", "kata-sandi-1", next: hostile)
            #expect(r.status == 303 && r.location == "/", "\(hostile.debugDescription): \(r.location ?? "-")")
        }
        let r = try await WebClient(web).login("ani", "kata-sandi-1", next: "/lke?area=sdm")
        #expect(r.status == 303 && r.location == "/lke?area=sdm", "\(r.location ?? "-")")
    }

    /// Guesses sent at once for one name meet the throttle before bcrypt: no more than the three
    /// free attempts are checked, the rest wait (429), whether or not the right password is among them.
    @Test func guessesSentAtOnceAreThrottledBeforeBcrypt() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let kab = try net.node("32.17", web: true)
        try kab.addUser("ani", role: "tim-zi")
        let web = try net.start("32.17").webURL()
        var clients: [(WebClient, (token: String, cookie: String))] = []
        for _ in 0..<30 {
            let client = WebClient(web)
            clients.append((client, try await client.loginForm()))
        }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for (i, (client, form)) in clients.enumerated() {
                let password = i == 29 ? "kata-sandi-1" : "tebakan-\(i)"
                group.addTask { try await client.submitLogin(form, "ani", password).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        let checked = statuses.filter { $0 != 429 }
        #expect(checked.count <= 3, "\(statuses.sorted())")
        #expect(statuses.filter { $0 == 429 }.count >= 27, "\(statuses.sorted())")
    }

    /// A log line that cannot be written (its disk full: here /dev/full under standard error) is
    /// dropped and counted; the daemon goes on serving. Before, the first warning killed it.
    @Test func aLogThatCannotBeWrittenDoesNotStopTheDaemon() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let kab = try net.node("32.17", web: true)
        try kab.addUser("ani", role: "tim-zi")
        try kab.config.set("metrics_listen", "127.0.0.1:0")
        let daemon = try Daemon(kab, prefix: ["sh", "-c", "exec \"$0\" \"$@\" 2>/dev/full"])
        net.adopt("32.17", daemon)
        let web = try daemon.webURL()
        // Failed logins are logged as warnings: every one of them a write that fails.
        for _ in 0..<2 { #expect(try await WebClient(web).login("ani", "salah-sandi").status == 401) }
        #expect(daemon.isRunning)
        #expect(try await WebClient(web).login("ani", "kata-sandi-1").status == 303, "still serving")
        let state = try #require(try kab.object("status")["daemon"] as? [String: Any])
        let address = try #require(state["metrics"] as? String)
        let metrics = try await CurlHTTPClient(
            configuration: HTTPClientConfiguration(caFile: "", certificateFile: "", keyFile: "")
        ).send(HTTPRequest(method: "GET", url: "http://\(address)/metrics"))
        let text = String(decoding: metrics.body, as: UTF8.self)
        let dropped = text.split(separator: "\n").first { $0.hasPrefix("zisync_log_lines_dropped_total ") }
        #expect(Int(dropped?.split(separator: " ").last ?? "0") ?? 0 >= 2, "\(dropped ?? "no counter")")
    }
}
