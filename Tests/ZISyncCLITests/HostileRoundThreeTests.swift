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

    /// A refusal caused only by order is not final (case 2). The kab/kota's plan reaches KPU RI
    /// first, on a USB stick; RI reviews it; the province pulls RI's review before it has the plan.
    /// The review waits at the province (`status` says for what), is applied when the kab/kota's
    /// plan arrives, and then reaches the kab/kota. Before, the province refused it for good.
    @Test func aReviewThatArrivesBeforeItsSubjectWaitsForIt() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let plan = try d["32.17"].ok(["plan", "add", "--area", "1", "--activity", "SK Tim Kerja"])
        let stick = d.dir.appendingPathComponent("32.17.zisync").path
        try d["32.17"].ok(["bundle", "export", "--out", stick])
        try d["00"].ok(["bundle", "import", stick])
        let review = try d["00"].ok(["review", "plan", plan, "--verdict", "perlu-revisi", "--note", "lengkapi SK"])
        try d["32"].ok(["sync"])
        func outcomes(_ node: String) throws -> [String] {
            try #require(try d[node].json("history", review) as? [[String: Any]]).compactMap {
                $0["outcome"] as? String
            }
        }
        #expect(Set(try outcomes("32")) == ["waiting"])
        let status = try d["32"].object("status")
        #expect(status["refusedHere"] as? Int == 0, "\(status)")
        let waiting = try #require(status["waiting"] as? [[String: Any]])
        #expect(waiting.contains { $0["reason"] as? String == "record" && "\($0["releasedBy"] ?? "")".contains(plan) })
        #expect(try d["32"].ok(["status"]).contains("which is not here yet"))

        try d["32.17"].ok(["sync"])
        #expect(Set(try outcomes("32")) == ["current"], "applied once its subject arrived")
        #expect((try d["32"].object("status")["waiting"] as? [Any])?.isEmpty == true)
        try d["32.17"].ok(["sync"])
        #expect(Set(try outcomes("32.17")) == ["current"], "and it reaches the kab/kota")
    }

    /// Held changes leave in the order the outbox sent them (case 2), with real processes and
    /// libfaketime: a skew limit of 60 s, KPU RI on true time, the province 30 s ahead and the
    /// kab/kota 85 s ahead (each within its parent's limit). The kab/kota's plan and the
    /// province's review of it reach RI by USB stick; RI holds both; when its clock reaches
    /// them, the plan goes first and the review is applied after it, without having to wait.
    @Test func heldChangesLeaveDeepestFirstAcrossRealProcesses() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        let (ri, prov, kab) = (try d.node("00"), try d.node("32"), try d.node("32.17"))
        for node in [ri, prov, kab] { try node.config.set("sync.clock_skew_limit_seconds", 60) }
        func run(_ node: CLI, _ args: [String], ahead: String) throws -> String {
            let r = try node.run(args, prefix: FakeClock.ahead(ahead))
            #expect(r.status == 0, "zisync \(args.joined(separator: " ")): \(r.stderr)")
            return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let stick = d.dir.appendingPathComponent("stick")
        try FileManager.default.createDirectory(at: stick, withIntermediateDirectories: true)
        let (kabBundle, provBundle) = (
            stick.appendingPathComponent("32.17").path, stick.appendingPathComponent("32").path
        )
        let plan = try run(kab, ["plan", "add", "--area", "1", "--activity", "SK Tim Kerja"], ahead: "+85s")
        _ = try run(kab, ["bundle", "export", "--out", kabBundle], ahead: "+85s")
        let atProv =
            try JSONSerialization.jsonObject(
                with: Data(try run(prov, ["bundle", "import", kabBundle, "--json"], ahead: "+30s").utf8))
            as? [String: Any]
        #expect(atProv?["applied"] as? Int == 1 && atProv?["held"] as? Int == 0, "\(atProv ?? [:])")
        let review = try run(prov, ["review", "plan", plan, "--verdict", "disetujui"], ahead: "+30s")
        _ = try run(prov, ["bundle", "export", "--out", provBundle], ahead: "+30s")

        let held = try ri.object("bundle", "import", provBundle)
        #expect(held["applied"] as? Int == 0 && held["held"] as? Int == 2, "both ahead of RI's clock: \(held)")
        let released =
            try JSONSerialization.jsonObject(
                with: Data(try run(ri, ["bundle", "import", provBundle, "--json"], ahead: "+120s").utf8))
            as? [String: Any]
        #expect(released?["applied"] as? Int == 2, "\(released ?? [:])")
        #expect(released?["released"] as? Int == 0, "the plan went first: the review did not have to wait")
        #expect((released?["refused"] as? [Any])?.isEmpty == true, "\(released ?? [:])")
        let history = try #require(try ri.json("history", review) as? [[String: Any]])
        #expect(Set(history.compactMap { $0["outcome"] as? String }) == ["current"], "\(history)")
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
        // Thirty clients each keep a connection of their own, and a loaded machine closes the old
        // ones late: this test is about the throttle, not the per-address cap (32 by default).
        try kab.config.set("serve.max_connections_per_address", 200)
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

    /// A bukti dukung's upload: a name the store would refuse is refused when announced; uploads
    /// announced at once stay within the person's 64 unfinished (the one `UploadLimits`); a finish asked again while it runs (the
    /// browser's retry of the empty last chunk) makes one bukti dukung, and its answer is the same.
    @Test func anUploadIsCheckedWhenAnnouncedBoundedAndFinishedOnce() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let kab = try net.node("32.17", web: true)
        try kab.addUser("ani", role: "tim-zi")
        try kab.addUser("sari", role: "tim-zi")
        // Eighty requests at once from one address: more than the web port's guard lets one address hold.
        try kab.config.set("serve.max_connections_per_address", 200)
        let web = try net.start("32.17").webURL()
        let planID = try kab.ok("plan", "add", "--area", "sdm", "--activity", "Unggah")
        func announce(_ c: WebClient, _ name: String, _ size: Int) async throws -> WebClient.Page {
            try await c.post("/bukti-dukung/unggah", [("rencana", planID), ("nama", name), ("ukuran", String(size))])
        }
        let ani = WebClient(web)
        try await ani.login("ani", "kata-sandi-1")
        for bad in ["laporan\u{200F}.pdf", "foto\u{202E}fdp.exe", "a\u{0085}b.pdf"] {
            let r = try await announce(ani, bad, 10)
            #expect(r.status == 422 && r.body.contains("berkas"), "\(bad.debugDescription): \(r.status) \(r.body)")
        }
        let twins = (0..<80).map { _ in ani.twin() }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for t in twins { group.addTask { try await announce(t, "rapat.pdf", 10).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 64, "\(statuses.sorted())")
        #expect(statuses.filter { $0 == 429 }.count == 16, "\(statuses.sorted())")

        let sari = WebClient(web)
        try await sari.login("sari", "kata-sandi-1")
        let content = Data((0..<(24 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) })
        let begun = try await announce(sari, "besar.pdf", content.count)
        let id = try #require(
            (try JSONSerialization.jsonObject(with: begun.data) as? [String: Any])?["id"] as? String, "\(begun.body)")
        let path = "/bukti-dukung/unggah/\(id)"
        let token = try #require(sari.csrf)
        func patch(_ c: WebClient, at offset: Int, _ body: Data) async throws -> [String: Any] {
            let r = try await c.send(
                "PATCH", path, body: body,
                headers: [
                    ("Upload-Offset", String(offset)), ("X-CSRF-Token", token),
                    ("Content-Type", "application/octet-stream"),
                ])
            return (try? JSONSerialization.jsonObject(with: r.data) as? [String: Any]) ?? [:]
        }
        let sent = Flag()
        let retries = (0..<3).map { _ in sari.twin() }
        let evidence = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                defer { sent.set() }
                return [try await patch(sari, at: 0, content)["evidence"] as? String ?? "none"]
            }
            for c in retries {
                group.addTask {
                    var seen: [String] = []
                    for _ in 0..<5_000 where !sent.isSet {
                        if let e = try await patch(c, at: content.count, Data())["evidence"] as? String {
                            seen.append(e)
                        }
                    }
                    return seen
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        // Whichever request finished it (the whole body's or a retry's), there is one answer:
        // the others were told to wait (409) or given that same answer.
        let ids = Set(evidence.filter { $0 != "none" })
        #expect(ids.count == 1, "\(evidence)")
        #expect(try kab.objects("evidence", "list").count == 1, "one bukti dukung for one file")
        let again = try await patch(sari, at: content.count, Data())
        #expect(again["evidence"] as? String == ids.first, "a later retry gets the same answer")
    }

    /// The web port has the children's port's guard: silent connections and one that trickles a
    /// byte at a time are closed when no request head has come by the deadline, one address holds
    /// at most its share, and the login page is answered meanwhile.
    @Test func theWebPortHasTheSameConnectionGuard() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let kab = try net.node("32.17", web: true)
        try kab.config.set("serve.handshake_timeout_seconds", 2)
        try kab.config.set("serve.max_connections_per_address", 6)
        let daemon = try net.start("32.17")
        let web = try daemon.webURL()
        let port = try #require(Int(web.split(separator: ":").last ?? ""))
        // Six silent connections fill what one address may hold; a seventh is turned away.
        let silent = try (0..<7).map { _ in try RawConnection(port: port) }
        defer { silent.forEach { $0.close() } }
        #expect(silent.allSatisfy { $0.closedByPeer(within: 60) }, "every silent connection closed")
        // A trickle of one byte a second never completes a request head: it is closed all the same.
        let trickle = try RawConnection(port: port)
        defer { trickle.close() }
        for byte in Array("GET /masuk HTTP/1.1\r\n".utf8).prefix(4) {
            try? trickle.send([byte])
            usleep(700_000)
        }
        #expect(trickle.closedByPeer(within: 60), "a trickle does not renew its time")
        let page = try await WebClient(web).get("/masuk")
        #expect(page.status == 200)
        let log = daemon.log.text
        #expect(log.contains("no request head within 2 s"), "\(log)")
        #expect(log.contains("refused a connection from 127.0.0.1"), "\(log)")
    }

    /// A keep-alive connection's next request head has a deadline too: after one answer, a client
    /// that trickles its next head a byte at a time is closed when the idle timeout ends, however
    /// often its bytes come (the idle timer counts whole request parts, not bytes).
    @Test func aKeepAliveConnectionCannotTrickleItsNextRequestHead() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let kab = try net.node("32.17", web: true)
        try kab.config.set("serve.idle_timeout_seconds", 5)
        let daemon = try net.start("32.17")
        let port = try #require(Int(try daemon.webURL().split(separator: ":").last ?? ""))
        let client = try RawConnection(port: port)
        defer { client.close() }
        try client.send(Array("GET /masuk HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        let answer = try #require(client.response(within: 30), "the first request is answered")
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(200))")
        // One byte every 0.7 s of a head that would take 40 s to finish.
        let head = Array("GET /masuk HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pelan: aaaaaaaa\r\n\r\n".utf8)
        let start = Date()
        var sent = 0
        while sent < head.count, (try? client.send([head[sent]])) != nil {
            sent += 1
            if client.closedByPeer(withinMilliseconds: 700) { break }
        }
        #expect(sent < head.count, "closed while the head trickled in (\(sent) bytes)")
        #expect(Date().timeIntervalSince(start) < 30, "by the idle timeout, not renewed by each byte")
    }

    /// Decided (docs/security.md): the web app answers a Host that is an IP address, localhost,
    /// this machine's name or a name in `[web] hosts`, and refuses any other name (421) before any
    /// page: a name an attacker points at the office's address (DNS rebinding) reaches nothing,
    /// not even the login form.
    @Test func theWebAppAnswersOnlyItsOwnNames() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let kab = try net.node("32.17", web: true)
        try kab.config.set("web.hosts", "zisync.kpu-bandungbarat.go.id, zi-kpu")
        let port = try #require(Int(try net.start("32.17").webURL().split(separator: ":").last ?? ""))
        func status(_ host: String) throws -> String {
            let c = try RawConnection(port: port)
            defer { c.close() }
            try c.send(Array("GET /masuk HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8))
            return try #require(c.response(within: 30), "\(host)")
        }
        for host in [
            "127.0.0.1:\(port)", "localhost:\(port)", "zisync.kpu-bandungbarat.go.id", "ZI-KPU:\(port)",
            "zisync.kpu-bandungbarat.go.id.:\(port)", "[::1]:\(port)", "192.168.10.5",
        ] {
            let answer = try status(host)
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(host): \(answer.prefix(120))")
        }
        for host in ["rebind.evil.example:\(port)", "zisync.kpu-bandungbarat.go.id.evil.example", "127.0.0.1.nip.io"] {
            let answer = try status(host)
            #expect(answer.hasPrefix("HTTP/1.1 421"), "\(host): \(answer.prefix(120))")
            #expect(answer.contains("tidak dikenal dengan nama") && !answer.contains("kata sandi"), "no login form")
        }
        // A name that is not a host name is refused by the check, saying which.
        try kab.config.set("web.hosts", "zisync.kpu.go.id, evil/x")
        let check = try kab.run(["config", "check"])
        #expect(
            check.status != 0 && check.stderr.contains("web.hosts") && check.stderr.contains("evil/x"),
            "\(check.stderr)")
    }

    /// Decided (docs/security.md): the conflicts page asks the same write rules as every write. A
    /// province's tim-zi may settle a conflict on a kab/kota's plan, as the store lets an office
    /// above correct a plan for an office below; the history names the person and the office, and
    /// the kab/kota receives the value. The unit layer of the LKE is the unit's alone since the
    /// evaluation cycle (issue 22): there is no conflict to settle there, the province is refused.
    @Test func aProvinceSettlesAKabKotasConflictUnderTheSameRules() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let prov = try net.node("32", serves: true, web: true)
        let kab = try net.node("32.17", parent: "32")
        let plan = try kab.ok("plan", "add", "--area", "sdm", "--activity", "Analisis beban kerja")
        try kab.ok("lke", "answer", "A.II.1.i.a.J1", "5")
        try kab.ok("sync")
        // Each office changes the plan's status, unaware of the other; the province cannot touch
        // 32.17's unit-layer answer.
        try prov.ok("plan", "set", plan, "status=revisi")
        let unit = try prov.run(["lke", "answer", "--satker", "32.17", "--layer", "unit", "A.II.1.i.a.J1", "7"])
        #expect(unit.status != 0 && unit.stderr.contains("only by 32.17 itself"), "\(unit.stderr)")
        try kab.ok("plan", "set", plan, "status=selesai")
        try kab.ok("lke", "answer", "A.II.1.i.a.J1", "6")
        try kab.ok("sync")
        let conflicts = try prov.objects("conflicts")
        let records = Set(conflicts.compactMap { $0["record"] as? String })
        #expect(records == [plan], "\(records)")
        try prov.addUser("rina", role: "tim-zi")
        let rina = WebClient(try net.daemons["32"]!.webURL())
        try await rina.login("rina", "kata-sandi-1")
        for c in conflicts {
            let id = try #require(c["record"] as? String)
            let field = try #require(c["field"] as? String)
            let values = try #require(c["values"] as? [[String: Any]])
            let chosen = try #require(values.firstIndex { $0["origin"] as? String == "32" })
            let r = try await rina.post("/konflik", [("id", id), ("field", field), ("pilihan", String(chosen))])
            #expect(r.status == 303, "\(id) \(field): \(r.status) \(r.body.prefix(300))")
            #expect(try prov.objects("history", id).last?["actor"] as? String == "rina@32")
        }
        #expect(try prov.objects("conflicts").isEmpty)
        try kab.ok("sync")
        #expect(try kab.objects("conflicts").isEmpty)
        #expect(try kab.object("plan", "show", plan)["status"] as? String == "revisi")
    }

    /// Decided: a page shows only the app's own notices. A link carrying text of someone else's
    /// in `?pesan=` shows nothing; the notice after a real action still shows.
    @Test func aLinkCannotPutWordsInTheAppsMouth() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let kab = try net.node("32.17", web: true)
        try kab.addUser("ani", role: "tim-zi")
        let ani = WebClient(try net.start("32.17").webURL())
        try await ani.login("ani", "kata-sandi-1")
        let forged = "Sistem dipindahkan; kirim kata sandi Anda ke admin-kpu@contoh.example"
        let encoded = forged.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        for path in ["/", "/rencana-aksi", "/bukti-dukung", "/lke", "/konflik"] {
            let page = try await ani.get(path + "?pesan=" + encoded + "&tanda=00000000000000000000000000000000")
            #expect(page.status == 200 && !page.body.contains("admin-kpu@contoh.example"), "\(path)")
        }
        let added = try await ani.post(
            "/rencana-aksi", [("area", "sdm"), ("activity", "Analisis beban kerja")])
        let location = try #require(added.location, "\(added.status) \(added.body.prefix(300))")
        #expect(location.contains("tanda="), "\(location)")
        let shown = try await ani.get(location)
        #expect(shown.body.contains("class=\"pesan\""), "the app's own notice is shown")
    }
}

/// A flag set once, read from several tasks.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
