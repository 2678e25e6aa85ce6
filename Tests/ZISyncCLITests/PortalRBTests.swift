import Foundation
import Testing
import ZISyncCore
import ZISyncStore
import ZISyncTestSupport
import ZISyncTransport

/// What KPU RI answers PortalRB (issue 23), after a three-level sync: the proposed units, and one
/// unit's answers keyed by PortalRB's soal ids with the kab/kota's and the TPI's values in
/// PortalRB's forms, as `zisync portalrb preview` prints them.
@Suite(.serialized, .timeLimit(.minutes(10))) struct PortalRBTests {
    let year = String(CalendarDay.thisYear())

    @Test func thePreviewGivesEverySoalFromTheSubmittedLayersInPortalRBsForms() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Pembentukan tim", "--lke", "A.I.1.i.a"])
        try kab.ok([
            "evidence", "add", "--plan", plan, "--lke", "A.I.1.i.a", "--title", "SK Tim ZI",
            try d.file("sk.pdf", bytes: 10_000, seed: 4).path,
        ])
        for (code, answer) in [
            ("A.I.1.i.a", "ya"), ("A.I.1.i.b", "b"), ("A.II.5.iii.i.a.J1", "12"), ("A.II.5.iii.i.a.J2", "10"),
            ("B.I.a", "3,62"),
        ] {
            try kab.ok(["lke", "answer", code, answer, "--note", "catatan \(code)"])
        }
        try kab.ok(["lke", "submit"])
        try kab.ok(["sync"])
        try d["32"].ok(["sync"])
        #expect(try d["00"].run(["portalrb", "preview", "--satker", "32.17"]).stderr.contains("would get 404"))
        try d["32"].ok(["lke", "verdict", "--satker", "32.17", "layak"])
        try d["32"].ok(["sync"])
        try d["00"].ok(["lke", "answer", "A.I.1.i.a", "Tidak", "--satker", "32.17", "--note", "SK kedaluwarsa"])
        try d["00"].ok(["lke", "conclude", "--satker", "32.17", "memenuhi"])
        try d["00"].ok(["lke", "propose", "--satker", "32.17", "wbk", "--reason", "uji"])

        func preview(_ args: String...) throws -> [String: Any] {
            let text = try d["00"].ok(["portalrb", "preview"] + args)
            return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
        }
        let listed = try preview("--list", "wbk")
        #expect(listed["tahun"] as? Int == Int(year))
        let units = try #require(listed["units"] as? [[String: Any]])
        #expect(units.count == 1 && units[0]["id"] as? String == "32.17" && units[0]["kategori"] as? String == "WBK")
        #expect(units[0]["nama"] as? String == "KPU Kabupaten Bandung Barat" && units[0]["afirmasi"] as? Bool == false)
        #expect((try preview("--list", "wbbm")["units"] as? [Any])?.isEmpty == true)

        let text = try d["00"].ok(["portalrb", "preview", "--satker", "32.17"])
        #expect(try d["00"].ok(["portalrb", "preview", "--satker", "32.17"]) == text, "the same bytes at every fetch")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(body["unit_id"] as? String == "32.17" && body["tahun"] as? Int == Int(year))
        let answers = try #require(body["answers"] as? [[String: Any]])
        #expect(answers.count == 127)
        let soal = try #require(try PortalRBSoal.master(year: 2026))
        func entry(_ code: String) throws -> [String: Any] {
            let id = try #require(soal.first { $0.code == code }?.id)
            return try #require(answers.first { $0["soal_id"] as? Int == id })
        }
        let first = try entry("A.I.1.i.a")
        #expect(first["jawaban_unit"] as? String == "Ya" && first["jawaban_tpi"] as? String == "Tidak")
        #expect(
            first["catatan_unit"] as? String == "catatan A.I.1.i.a"
                && first["catatan_tpi"] as? String == "SK kedaluwarsa")
        #expect(first["bukti_dukung_unit"] as? String == "SK Tim ZI")
        #expect(try entry("A.I.1.i.b")["jawaban_unit"] as? String == "B")
        #expect(try entry("B.I.a")["jawaban_unit"] as? String == "3.62")
        // The LHKPN total entered without its breakdown goes as the breakdown's "Lainnya".
        #expect(try entry("A.II.5.iii.i.a.J1.3")["jawaban_unit"] as? String == "12")
        #expect(try entry("A.II.5.iii.i.a.J1.1")["jawaban_unit"] is NSNull)
        #expect(try entry("A.II.5.iii.i.a.J2")["jawaban_unit"] as? String == "10")
        // Unanswered: every field there, null.
        let empty = try entry("A.I.2.i.a")
        #expect(
            Set(empty.keys) == [
                "soal_id", "jawaban_unit", "catatan_unit", "bukti_dukung_unit", "jawaban_tpi", "catatan_tpi",
            ])
        #expect(
            empty["jawaban_unit"] is NSNull && empty["jawaban_tpi"] is NSNull && empty["bukti_dukung_unit"] is NSNull)

        // Returned for revision, the LKE is no longer submitted: PortalRB gets 404 until the unit
        // submits again (one rule for "submitted", `UnitStatus.State`).
        try d["00"].ok(["lke", "return", "--satker", "32.17", "--note", "TPI: lengkapi SK"])
        #expect(try d["00"].run(["portalrb", "preview", "--satker", "32.17"]).stderr.contains("would get 404"))
    }

    static let client = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PortalRB/klien_portalrb.py")

    /// KPU RI's daemon serving PortalRB's API over HTTPS with a certificate of its own (made here
    /// with openssl, as an operator would get one), the province and a kab/kota under it.
    func deployment() throws -> (Deployment, crt: String) {
        let d = try Deployment()
        let ri = try d.node("00", serves: true, start: false)
        let crt = ri.home.appendingPathComponent("portalrb.crt").path
        let key = ri.home.appendingPathComponent("portalrb.key").path
        try d.selfSignedCertificate(crt: crt, key: key)
        try ri.config.set("portalrb_listen", "127.0.0.1:0")
        try ri.config.set("portalrb.certificate", "portalrb.crt")
        try ri.config.set("portalrb.key", "portalrb.key")
        try ri.config.set("portalrb.requests_per_minute", 6)
        try ri.ok(["config", "check"])
        _ = try d.start("00")
        try d.node("32", parent: "00", serves: true)
        try d.node("32.17", parent: "32")
        return (d, crt)
    }

    @Test func aClientWrittenFromTheGuideFetchesWhatTheKabKotaAndTheTPIEntered() async throws {
        let (d, crt) = try deployment()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Pembentukan tim", "--lke", "A.I.1.i.a"])
        let file = try d.file("sk-tim.pdf", bytes: 300_000, seed: 9)
        try kab.ok(["evidence", "add", "--plan", plan, "--lke", "A.I.1.i.a", "--title", "SK Tim ZI", file.path])
        let other = try d.node("32.18", parent: "32")
        let theirPlan = try other.ok(["plan", "add", "--area", "1", "--activity", "Milik 32.18"])
        let theirs = try other.object("evidence", "add", "--plan", theirPlan, try d.file("x.pdf", bytes: 9_000).path)
        try other.ok(["sync"])
        for (code, answer) in [("A.I.1.i.a", "Ya"), ("A.I.1.i.b", "C"), ("B.II.a", "3.41")] {
            try kab.ok(["lke", "answer", code, answer])
        }
        try kab.ok(["lke", "submit"])
        try kab.ok(["sync"])
        try d["32"].ok(["lke", "verdict", "--satker", "32.17", "layak"])
        try d["32"].ok(["sync"])
        try d["00"].ok(["lke", "answer", "A.I.1.i.b", "B", "--satker", "32.17", "--note", "SOP ada"])
        try d["00"].ok(["lke", "conclude", "--satker", "32.17", "memenuhi"])
        try d["00"].ok(["lke", "propose", "--satker", "32.17", "wbk", "--reason", "uji"])
        let token = try d["00"].ok(["portalrb", "token", "add", "portalrb-2026"]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("zrb_") && token.count > 40)
        let base = try d.daemons["00"]!.portalRBURL()
        #expect(base.hasPrefix("https://127.0.0.1:"))

        let r = try ProcessRunner.run(
            "/usr/bin/env", ["python3", Self.client.path, "--base", base, "--token", token, "--ca", crt],
            environment: CLI.environment, timeout: .seconds(120))
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let got = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let units = try #require(got["units"] as? [String: Any])
        #expect((units["/pengusulan/unit-wbk"] as? [[String: Any]])?.map { $0["id"] as? String } == ["32.17"])
        #expect((units["/pengusulan/unit-wbbm"] as? [Any])?.isEmpty == true)
        let answers = try #require((got["answers"] as? [String: Any])?["32.17"] as? [String: Any])
        let list = try #require(answers["answers"] as? [[String: Any]])
        let soal = try #require(try PortalRBSoal.master(year: 2026))
        func entry(_ code: String) throws -> [String: Any] {
            let id = try #require(soal.first { $0.code == code }?.id)
            return try #require(list.first { $0["soal_id"] as? Int == id })
        }
        #expect(list.count == 127)
        #expect(try entry("A.I.1.i.a")["jawaban_unit"] as? String == "Ya")
        #expect(
            try entry("A.I.1.i.b")["jawaban_unit"] as? String == "C"
                && entry("A.I.1.i.b")["jawaban_tpi"] as? String == "B")
        #expect(try entry("A.I.1.i.b")["catatan_tpi"] as? String == "SOP ada")
        #expect(try entry("B.II.a")["jawaban_unit"] as? String == "3.41")
        #expect(try entry("A.I.1.i.b")["bukti_dukung_unit"] is NSNull, "no bukti dukung, no link")

        // The evidence link opens that item's bukti dukung without an account, each file with Range.
        let client = CurlHTTPClient(
            configuration: HTTPClientConfiguration(caFile: crt, certificateFile: "", keyFile: ""))
        let link = try #require(try entry("A.I.1.i.a")["bukti_dukung_unit"] as? String)
        #expect(link.hasPrefix(base + "/bukti/") && link.hasSuffix("/32.17/\(year)/A.I.1.i.a"), "\(link)")
        let page = try await client.send(HTTPRequest(method: "GET", url: link))
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(page.status == 200 && html.contains("SK Tim ZI"), "\(page.status) \(html.prefix(300))")
        let href = try #require(html.components(separatedBy: "href=\"").dropFirst().first?.split(separator: "\"").first)
        var ranged = HTTPRequest(method: "GET", url: base + String(href))
        ranged.headers.append(("Range", "bytes=1000-1999"))
        let part = try await client.send(ranged)
        let original = try Data(contentsOf: file)
        #expect(part.status == 206 && part.body == original[1000..<2000], "\(part.status) \(part.body.count)")
        #expect(try await client.send(HTTPRequest(method: "GET", url: base + String(href))).body == original)
        // It opens nothing else: another unit's bukti dukung, another unit or year, a changed capability.
        let capability = link.components(separatedBy: "/bukti/")[1].split(separator: "/")[0]
        let foreign = try #require(theirs["id"] as? String)
        for other in [
            "/bukti/\(capability)/32.17/\(year)/berkas/\(foreign)", "/bukti/\(capability)/32.18/\(year)/A.I.1.i.a",
            "/bukti/\(capability)/32.17/\(Int(year)! - 1)/A.I.1.i.a",
            "/bukti/\(String(capability.reversed()))/32.17/\(year)/A.I.1.i.a",
        ] {
            #expect(try await client.send(HTTPRequest(method: "GET", url: base + other)).status == 404, "\(other)")
        }
        // Revoked: the old link opens nothing; the next fetch gives a new one.
        try d["00"].ok(["portalrb", "link", "revoke", "--satker", "32.17"])
        #expect(try await client.send(HTTPRequest(method: "GET", url: link)).status == 404)
        let again = try d["00"].ok(["portalrb", "preview", "--satker", "32.17"])
        #expect(again.contains("/bukti/") && !again.contains(String(capability)), "a new capability")
        // The log names the opened link's unit, never its capability.
        let opened = try d["00"].objects("portalrb", "log", "--limit", "1000")
        #expect(opened.contains { $0["route"] as? String == "/bukti" && $0["unit"] as? String == "32.17" })
        #expect(!opened.contains { ($0["route"] as? String ?? "").contains(String(capability)) })
        // Expired with the cycle's evaluasi-tpn window.
        let yesterday = EvaluationCycle.day(
            of: HLC(milliseconds: HybridClock.systemMilliseconds() - 86_400_000, counter: 0))
        try d["00"].ok([
            "lke", "calendar", "set", "--stage", "evaluasi-tpn", "--from", "\(year)-01-01", "--to", yesterday,
        ])
        let fresh = try #require(
            again.components(separatedBy: "\"bukti_dukung_unit\":\"").dropFirst().first?.split(separator: "\"").first)
        #expect(try await client.send(HTTPRequest(method: "GET", url: String(fresh))).status == 404, "expired")

        // What PortalRB holds of each proposed unit: fetched, and marked once the answers change.
        let fetched = try d["00"].objects("portalrb", "status")
        #expect(fetched.first?["fetched"] is String && fetched.first?["changed_since"] as? Bool == false, "\(fetched)")
        try d["00"].ok(["lke", "answer", "A.I.1.i.a", "Tidak", "--satker", "32.17", "--note", "dicek ulang"])
        #expect(try d["00"].objects("portalrb", "status").first?["changed_since"] as? Bool == true)
        #expect(try d["00"].ok(["portalrb", "status"]).contains("changed since"))
        // The log: every request, by the token's name; the token itself nowhere, not in the daemon's log either.
        let log = try d["00"].objects("portalrb", "log")
        #expect(
            log.contains {
                $0["route"] as? String == "/lke/jawaban-unit" && $0["unit"] as? String == "32.17"
                    && $0["status"] as? Int == 200 && $0["token"] as? String == "portalrb-2026"
            })
        #expect(log.contains { $0["status"] as? Int == 401 && $0["token"] as? String == "-" })
        #expect(log.contains { $0["status"] as? Int == 422 } && log.contains { $0["status"] as? Int == 404 })
        #expect(!d.daemons["00"]!.log.text.contains(token) && !d.daemons["00"]!.process.stdout.contains(token))

        #expect(try d["00"].ok(["status"]).contains("portalrb:  \(base), last request"))
        // Over the limit (6 a minute; the client above took 5): 429 with the error JSON and Retry-After.
        var statuses: [Int] = []
        var limited: ZISyncTransport.HTTPResponse?
        for _ in 0..<40 {
            let answer = try await client.send(
                HTTPRequest(
                    method: "GET", url: base + "/pengusulan/unit-wbk", headers: [("Authorization", "Bearer " + token)]))
            statuses.append(answer.status)
            if answer.status == 429 { limited = answer }
        }
        let over = try #require(limited, "\(statuses)")
        let body = try #require(try JSONSerialization.jsonObject(with: over.body) as? [String: Any])
        #expect(body["error"] as? Bool == true && body["code"] as? String == "RATE_LIMIT_EXCEEDED")
        #expect(over.headers["retry-after"] != nil)

        // A revoked token: 401 at once.
        try d["00"].ok(["portalrb", "token", "revoke", "portalrb-2026"])
        let revoked = try await client.send(
            HTTPRequest(
                method: "GET", url: base + "/pengusulan/unit-wbk", headers: [("Authorization", "Bearer " + token)]))
        #expect(revoked.status == 401)
        #expect((try d["00"].objects("portalrb", "token", "list")).first?["revoked"] is String)
    }

    /// KPU RI may run a daemon that serves PortalRB's API alone (no children, no parent, no web
    /// app): it starts, says so, and answers.
    @Test func aDaemonMayServePortalRBsAPIAlone() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        let ri = try d.node("00", start: false)
        let crt = ri.home.appendingPathComponent("portalrb.crt").path
        try d.selfSignedCertificate(crt: crt, key: ri.home.appendingPathComponent("portalrb.key").path)
        try ri.config.set("portalrb_listen", "127.0.0.1:0")
        try ri.config.set("portalrb.certificate", "portalrb.crt")
        try ri.config.set("portalrb.key", "portalrb.key")
        let token = try ri.ok(["portalrb", "token", "add", "portalrb"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let daemon = try d.start("00")
        #expect(daemon.process.stdout.hasPrefix("PortalRB's API only"))
        let client = CurlHTTPClient(
            configuration: HTTPClientConfiguration(caFile: crt, certificateFile: "", keyFile: ""))
        let answer = try await client.send(
            HTTPRequest(
                method: "GET", url: try daemon.portalRBURL() + "/pengusulan/unit-wbbm?tahun=2026",
                headers: [("Authorization", "Bearer " + token)]))
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"tahun":2026,"units":[]}"#)
    }
}
