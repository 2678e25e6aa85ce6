import Crypto
import Foundation
import GRDB
import Testing
import ZISyncCore
import ZISyncNode
import ZISyncTransport

/// How the daemon serves the web app (web_listen, [web] for HTTPS, what status says), the
/// accounts from the CLI, and the pages that resolve conflicts and review, against real daemons.
@Suite(.serialized) struct WebServingTests {
    @Test func webListenIsCheckedAndAPortAloneMeansThisMachine() throws {
        let dir = CLI.tempFile("web-config")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("zisync.toml")
        func check(_ text: String) throws -> (NodeConfig?, [String]) {
            try ("satker = \"32.17\"\n" + text).write(to: url, atomically: true, encoding: .utf8)
            return ConfigCheck.check(url: url)
        }
        let (local, ok) = try check("web_listen = \"8470\"\n")
        #expect(ok.isEmpty, "\(ok)")
        #expect(try local?.webAddress()?.host == "127.0.0.1" && local?.webIsLoopback == true)
        let (lan, _) = try check("web_listen = \"192.168.1.10:8470\"\n")
        #expect(try lan?.webAddress()?.port == 8470 && lan?.webIsLoopback == false)
        #expect(
            try check("web_listen = \"kantor\"\n").1.first?.contains("line 2: web_listen: must be HOST:PORT") == true)
        let (_, lonely) = try check("web_listen = \"8470\"\n[web]\ncertificate = \"web.crt\"\n")
        #expect(lonely.contains { $0.contains("web.certificate: file") && $0.contains("missing") }, "\(lonely)")
        #expect(lonely.contains { $0.contains("certificate and key go together") }, "\(lonely)")
        try "not a certificate".write(to: dir.appendingPathComponent("web.crt"), atomically: true, encoding: .utf8)
        try "not a key".write(to: dir.appendingPathComponent("web.key"), atomically: true, encoding: .utf8)
        let (_, garbage) = try check("web_listen = \"8470\"\n[web]\ncertificate = \"web.crt\"\nkey = \"web.key\"\n")
        #expect(
            garbage.contains { $0.contains("web.certificate") && $0.contains("not a PEM certificate") }, "\(garbage)")
        let (_, unused) = try check("[web]\ncertificate = \"web.crt\"\nkey = \"web.key\"\n")
        #expect(unused.contains { $0.contains("without web_listen") }, "\(unused)")
    }

    /// An office whose province is not set up yet (no parent, no children) runs its web app all the
    /// same: `config check` passes, and so does the daemon it describes.
    @Test func anOfficeWithOnlyItsWebAppRunsTheDaemon() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let kab = try net.node("32.17", web: true)
        try kab.ok("config", "check")
        try kab.addUser("ani", role: "tim-zi")
        let daemon = try net.start("32.17")
        #expect(daemon.process.stdout.contains("web app only (no parent, no children yet)"), "\(daemon.process.stdout)")
        let web = WebClient(try daemon.webURL())
        let signedIn = try await web.login("ani", "kata-sandi-1")
        #expect(signedIn.status == 303, "\(signedIn.status) \(signedIn.body)")
        let home = try await web.get("/")
        #expect(home.status == 200 && home.body.contains("ani"), "\(home.status)")
        let status = try kab.ok("status")
        #expect(status.contains("web:"), "\(status)")
    }

    /// An office-network address, made in a network namespace of the test's own (10.99.0.1 on its
    /// loopback interface, nothing reachable outside): the log warns, `status` says so.
    @Test(.enabled(if: BrowserTests.canIsolate, "needs a network namespace (root): unshare --net"))
    func aLANAddressIsSaidInTheLogAndInStatus() throws {
        let net = try Deployment()
        defer { net.cleanup() }
        try net.node("32", serves: true)
        let kab = try net.node("32.17", parent: "32")  // the province is out of reach in there: no matter
        try kab.config.set("web_listen", "10.99.0.1:0")
        try kab.ok("config", "check")
        let script = """
            ip link set lo up && ip addr add 10.99.0.1/32 dev lo || exit 3
            "$0" daemon --home "$1" > "$1/daemon.out" 2> "$1/daemon.err" &
            pid=$!
            for i in $(seq 100); do grep -q '^web on' "$1/daemon.out" && break; sleep 0.1; done
            "$0" status --home "$1"
            kill -TERM $pid; wait $pid
            """
        let r = try CLI.process(
            "unshare", ["--net", "--", "/bin/sh", "-c", script, CLI.binary.path, kab.home.path],
            environment: CLI.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let out = try String(contentsOf: kab.home.appendingPathComponent("daemon.out"), encoding: .utf8)
        let address = try #require(out.split(separator: "\n").first { $0.hasPrefix("web on ") }?.dropFirst(7))
        #expect(address.hasPrefix("http://10.99.0.1:"))
        #expect(
            r.stdout.contains(
                "web:       \(address) (on the office network: anyone who reaches it sees the login page)"))
        let log = try String(contentsOf: kab.home.appendingPathComponent("daemon.err"), encoding: .utf8)
        #expect(log.contains("web app on the office network at \(address)"), "\(log)")
        #expect(log.contains("passwords cross the network unencrypted"))
    }

    @Test func overHTTPSWithTheOfficesOwnCertificateTheCookieIsSecure() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        try net.node("32", serves: true)
        let kab = try net.node("32.17", parent: "32", web: true)
        // The office's own certificate for the web app (not the deployment CA's).
        let crt = kab.home.appendingPathComponent("web.crt").path
        let key = kab.home.appendingPathComponent("web.key").path
        try net.selfSignedCertificate(crt: crt, key: key)
        var toml = try String(contentsOf: kab.home.appendingPathComponent("zisync.toml"), encoding: .utf8)
        toml += "\n[web]\ncertificate = \"web.crt\"\nkey = \"web.key\"\n"
        try toml.write(to: kab.home.appendingPathComponent("zisync.toml"), atomically: true, encoding: .utf8)
        try kab.ok("config", "check")
        try kab.addUser("ani", role: "tim-zi")
        // A script enrols a team: passwords on standard input, one per line.
        let listed = try kab.objects("user", "list")
        #expect(listed.map { $0["name"] as? String } == ["ani"] && listed.first?["role"] as? String == "tim-zi")
        let daemon = try net.start("32.17")
        let web = try daemon.webURL()
        #expect(web.hasPrefix("https://127.0.0.1:"))
        let status = try kab.run(["status"]).stdout
        #expect(status.contains("web:       \(web) (this machine only)"), "\(status)")
        let state = try kab.object("status")
        #expect((state["daemon"] as? [String: Any])?["web"] as? String == web)

        let browser = CurlHTTPClient(
            configuration: HTTPClientConfiguration(caFile: crt, certificateFile: "", keyFile: ""))
        let page = try await browser.send(HTTPRequest(method: "GET", url: web + "/masuk"))
        #expect(page.status == 200)
        let ani = WebClient(web, client: browser)
        let signedIn = try await ani.login("ani", "kata-sandi-1")
        #expect(signedIn.status == 303)
        let cookie = try #require(signedIn.headers["set-cookie"])
        #expect(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        #expect(try await ani.get("/").status == 200)
        // Plain HTTP on the HTTPS port is no way in.
        let plain = try? await CurlHTTPClient(
            configuration: HTTPClientConfiguration(caFile: "", certificateFile: "", keyFile: "")
        ).send(HTTPRequest(method: "GET", url: web.replacingOccurrences(of: "https://", with: "http://") + "/"))
        #expect(plain == nil || plain!.status >= 400)

        // A new password ends the sessions; the old password stops working; a disabled account cannot sign in.
        let changed = try CLI.process(
            "/bin/sh",
            ["-c", "printf 'sandi-baru-99\\n' | \"$0\" user passwd ani --home \"$1\"", CLI.binary.path, kab.home.path],
            environment: CLI.environment)
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(try await ani.get("/").status == 303)
        #expect(try await WebClient(web, client: browser).login("ani", "kata-sandi-1").status == 401)
        #expect(try await WebClient(web, client: browser).login("ani", "sandi-baru-99").status == 303)
        try kab.ok("user", "disable", "ani")
        #expect(try await WebClient(web, client: browser).login("ani", "sandi-baru-99").status == 401)
        let short = try CLI.process(
            "/bin/sh",
            [
                "-c", "printf 'pendek\\n' | \"$0\" user add budi --role penilai --home \"$1\"", CLI.binary.path,
                kab.home.path,
            ],
            environment: CLI.environment)
        #expect(short.status != 0 && short.stderr.contains("at least 8 characters"))
        #expect(try kab.run(["user", "add", "Budi Santoso", "--role", "penilai"]).status != 0)
    }

    /// Every byte arrived but the store refused to write (the office is restoring): the upload
    /// stays, and an empty chunk at its end finishes it once the refusal is gone.
    @Test func anUploadRefusedAtTheEndIsKeptAndFinishedLater() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let ri = try net.node("00", serves: true, web: true)
        try ri.addUser("op", role: "operator")
        let plan = try ri.ok("plan", "add", "--area", "sdm", "--activity", "Penyusunan peta jabatan")
        let op = WebClient(try net.daemons["00"]!.webURL())
        try await op.login("op", "kata-sandi-1")
        let token = try #require(op.csrf)
        let content = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let sha = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
        let begun = try await op.post(
            "/bukti-dukung/unggah",
            [("rencana", plan), ("nama", "peta.pdf"), ("ukuran", String(content.count)), ("sha256", sha)])
        let id = try #require((try JSONSerialization.jsonObject(with: begun.data) as? [String: Any])?["id"] as? String)
        let db = try DatabaseQueue(path: ri.home.appendingPathComponent("zisync.db").path)
        try await db.write { try $0.execute(sql: "UPDATE sync_state SET recovery = 'test: restoring' WHERE id = 1") }
        let refused = try await op.send(
            "PATCH", "/bukti-dukung/unggah/\(id)", body: content,
            headers: [("Upload-Offset", "0"), ("X-CSRF-Token", token)])
        #expect(refused.status == 422 && refused.body.contains("Ditolak oleh aturan penyimpanan"), "\(refused.body)")
        let held = try await op.get("/bukti-dukung/unggah/\(id)")
        #expect(
            (try JSONSerialization.jsonObject(with: held.data) as? [String: Any])?["offset"] as? Int == content.count)
        #expect(try ri.objects("evidence", "list").isEmpty)
        try await db.write { try $0.execute(sql: "UPDATE sync_state SET recovery = NULL WHERE id = 1") }
        let finished = try await op.send(
            "PATCH", "/bukti-dukung/unggah/\(id)", body: Data(),
            headers: [("Upload-Offset", String(content.count)), ("X-CSRF-Token", token)])
        #expect(finished.status == 200, "\(finished.body)")
        #expect(try ri.objects("evidence", "list").first?["sha256"] as? String == sha)
        // Done: asked again, the upload answers what its finish did (a browser's retry makes no second one).
        let after = try await op.get("/bukti-dukung/unggah/\(id)")
        let first = try JSONSerialization.jsonObject(with: Data(finished.body.utf8)) as? [String: Any]
        let again = try JSONSerialization.jsonObject(with: after.data) as? [String: Any]
        #expect(after.status == 200 && again?["evidence"] as? String == first?["evidence"] as? String, "\(after.body)")
        #expect(try ri.objects("evidence", "list").count == 1)
    }

    @Test func aConflictIsResolvedFromTheWebAndAReviewGivenThere() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let prov = try net.node("32", serves: true, web: true)
        let kab = try net.node("32.17", parent: "32", web: true)
        let plan = try kab.ok("plan", "add", "--area", "sdm", "--activity", "Analisis beban kerja")
        try kab.ok("sync")
        // Both offices change the plan's status without seeing each other's change.
        try prov.ok("plan", "set", plan, "status=revisi")
        try kab.ok("plan", "set", plan, "status=selesai")
        try kab.ok("sync")
        let conflicts = try kab.objects("conflicts")
        #expect(conflicts.count == 1 && conflicts.first?["field"] as? String == "status", "\(conflicts)")
        try kab.addUser("ani", role: "tim-zi")
        try kab.addUser("pak", role: "pimpinan")
        let web = try net.start("32.17").webURL()

        let pak = WebClient(web)
        try await pak.login("pak", "kata-sandi-1")
        let page = try await pak.get("/konflik")
        #expect(page.body.contains("revisi") && page.body.contains("selesai") && page.body.contains("berlaku sekarang"))
        let values = try #require(conflicts.first?["values"] as? [[String: Any]])
        let revisi = try #require(values.firstIndex { $0["value"] as? String == "revisi" })
        #expect(
            try await pak.post("/konflik", [("id", plan), ("field", "status"), ("pilihan", String(revisi))]).status
                == 403)
        let ani = WebClient(web)
        try await ani.login("ani", "kata-sandi-1")
        let chosen = try await ani.post("/konflik", [("id", plan), ("field", "status"), ("pilihan", String(revisi))])
        #expect(chosen.status == 303)
        #expect(try kab.objects("conflicts").isEmpty)
        #expect(try kab.objects("plan", "list").first?["status"] as? String == "revisi")
        #expect(try kab.objects("history", plan).last?["actor"] as? String == "ani@32.17")
        let again = try await ani.post("/konflik", [("id", plan), ("field", "status"), ("pilihan", "0")])
        #expect(again.status == 422 && again.body.contains("sudah diselesaikan"))
        try kab.ok("sync")
        #expect(try prov.objects("conflicts").isEmpty, "the resolution resolves it at the province too")

        // The province's penilai reviews the plan from the review queue.
        try prov.addUser("rina", role: "penilai")
        let rina = WebClient(try net.daemons["32"]!.webURL())
        try await rina.login("rina", "kata-sandi-1")
        #expect(try await rina.get("/reviu").body.contains("Analisis beban kerja"))
        #expect(try await rina.post("/reviu", [("id", plan), ("jenis", "action_plan")]).status == 422, "no verdict")
        let reviewed = try await rina.post(
            "/reviu",
            [("id", plan), ("jenis", "action_plan"), ("putusan", "perlu-revisi"), ("catatan", "Lengkapi ABK")])
        #expect(reviewed.status == 303)
        #expect(!(try await rina.get("/reviu").body.contains("Analisis beban kerja")), "reviewed: out of the queue")
        try kab.ok("sync")
        let planPage = try await ani.get("/rencana-aksi/\(plan)")
        #expect(
            planPage.body.contains("Reviu terakhir: <strong>Perlu revisi</strong> oleh rina@32"), "\(planPage.body)")
    }
}
