import Crypto
import Foundation
import Testing
import ZISyncCore
import ZISyncFaultProxy
import ZISyncTransport

/// Halaman kerja ZI over HTTP against real daemons (a province and its kab/kota, mutual TLS
/// between them, the web app on loopback): the login, the form token, the roles, escaping, the
/// form checks, the CSV import and the chunked upload cut in the middle.
@Suite(.serialized) struct WebAppTests {
    static let sheet = """
        area,kode_lke,kegiatan,output,target,tenggat,penanggung_jawab,status,progres
        1,A.I.1.i.a,Pembentukan Tim Kerja ZI,SK Tim Kerja,1 SK,2026-01-31,Sekretaris,selesai,100
        sdm,,Analisis beban kerja,Dokumen ABK,1 dokumen,31/12/2026,Kasubbag SDM,draft,0

        """

    @Test func pagesNeedALoginTheFormTokenAndTheRightRole() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        try net.node("32", serves: true, web: true)
        let kab = try net.node("32.17", parent: "32", web: true)
        try net.start("32.17")
        try kab.addUser("ani", role: "tim-zi")
        try kab.addUser("pak", role: "pimpinan")
        try kab.addUser("op", role: "operator")
        let web = try net.daemons["32.17"]!.webURL()
        #expect(web.hasPrefix("http://127.0.0.1:"))

        // Nobody signed in: a page sends the browser to the login form and back; a write is refused.
        let anonymous = WebClient(web)
        let redirect = try await anonymous.get("/lke?area=sdm")
        #expect(redirect.status == 303)
        #expect(redirect.location == "/masuk?ke=%2Flke%3Farea%3Dsdm")
        let blind = try await anonymous.post("/rencana-aksi", [("area", "sdm"), ("activity", "x")], csrf: false)
        #expect(blind.status == 401)
        let wrong = try await WebClient(web).login("ani", "bukan-sandinya")
        #expect(wrong.status == 401)
        #expect(wrong.body.contains("Nama pengguna atau kata sandi salah."))
        #expect(wrong.headers["set-cookie"]?.hasPrefix("zisync_sesi=") != true)

        // The whole office's pages answer for a tim-zi member; the province's pages do not exist here.
        let ani = WebClient(web)
        let signedIn = try await ani.login("ani", "kata-sandi-1")
        #expect(signedIn.status == 303)
        let cookie = try #require(signedIn.headers["set-cookie"])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
        for path in [
            "/", "/rencana-aksi", "/rencana-aksi/baru", "/bukti-dukung", "/lke", "/lke?area=hasil", "/konflik",
        ] {
            let page = try await ani.get(path)
            #expect(page.status == 200, "\(path): \(page.status)")
            #expect(page.body.contains("<html lang=\"id\">") && page.body.contains("ani · Tim ZI"), "\(path)")
        }
        for path in ["/satker", "/reviu", "/rekap"] { #expect(try await ani.get(path).status == 404, "\(path)") }
        #expect(try await ani.get("/pengguna").status == 403)
        #expect(try await ani.get("/static/app.css").status == 200)
        #expect(try await ani.get("/static/../zisync.toml").status == 404)

        // No form token: refused, nothing written.
        let forged = try await ani.post(
            "/rencana-aksi", [("area", "sdm"), ("activity", "Tanpa token")], csrf: false)
        #expect(forged.status == 403)
        let stale = try await ani.post(
            "/rencana-aksi",
            [("area", "sdm"), ("activity", "Token lain"), ("_csrf", String(repeating: "0", count: 64))],
            csrf: false)
        #expect(stale.status == 403)
        #expect(try kab.objects("plan", "list").isEmpty)

        // A field that breaks the rules: shown beside it, what was typed kept, nothing saved.
        let bad = try await ani.post(
            "/rencana-aksi",
            [("area", "sdm"), ("activity", "Analisis jabatan"), ("deadline", "31-12-2026"), ("progress", "150")])
        #expect(bad.status == 422)
        #expect(bad.body.contains("id=\"galat-deadline\">Tanggal harus berbentuk TTTT-BB-HH"))
        #expect(bad.body.contains("id=\"galat-progress\">Harus bilangan bulat 0–100."))
        #expect(bad.body.contains("value=\"31-12-2026\"") && bad.body.contains(">Analisis jabatan</textarea>"))
        #expect(try kab.objects("plan", "list").isEmpty)

        // A plan whose activity is a script: stored as typed, shown as text, written as the person.
        let script = "<script>alert(1)</script>"
        let added = try await ani.post(
            "/rencana-aksi", [("area", "sdm"), ("activity", script), ("deadline", "2020-01-31"), ("lke", "A.I.3.i.a")])
        #expect(added.status == 303)
        let planID = try #require(
            added.location?.split(separator: "/").last?.split(separator: "?").first.map(String.init))
        let list = try await ani.get("/rencana-aksi")
        #expect(list.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!list.body.contains(script))
        #expect(list.body.contains("lewat tenggat"), "a deadline in 2020 is overdue")
        let plans = try kab.objects("plan", "list")
        #expect(plans.count == 1 && plans.first?["activity"] as? String == script)
        let history = try kab.objects("history", planID)
        #expect(!history.isEmpty && history.allSatisfy { $0["actor"] as? String == "ani@32.17" }, "\(history)")
        // Editing writes only what changed.
        let edited = try await ani.post(
            "/rencana-aksi/\(planID)",
            [
                ("area", "sdm"), ("activity", script), ("deadline", "2020-01-31"), ("lke", "A.I.3.i.a"),
                ("status", "berjalan"),
            ])
        #expect(edited.status == 303)
        let fieldsWritten = try kab.objects("history", planID).filter {
            ($0["seq"] as? Int) == history.first?["seq"] as? Int
        }
        #expect(fieldsWritten.count == history.count)
        #expect(try kab.objects("history", planID).count == history.count + 1, "one field changed: status")
        // Emptying what the schema says a plan must have is refused by field, and nothing is written.
        let emptied = try await ani.post(
            "/rencana-aksi/\(planID)", [("area", "sdm"), ("activity", " "), ("status", "berjalan")])
        #expect(emptied.status == 422 && emptied.body.contains("wajib diisi"), "\(emptied.status)")
        #expect(try kab.objects("history", planID).count == history.count + 1)
        let riwayat = try await ani.get("/riwayat/\(planID)")
        #expect(riwayat.body.contains("ani@32.17") && riwayat.body.contains("berjalan"))

        // A bad CSV: nothing imported, the line named; the good part alone imports.
        let refused = try await ani.post("/rencana-aksi/impor", [("csv", Self.sheet), ("nama_berkas", "ra.csv")])
        #expect(refused.status == 422)
        #expect(refused.body.contains("Tidak ada yang diimpor.") && refused.body.contains("line 3"), "\(refused.body)")
        #expect(refused.body.contains("31/12/2026"), "the sheet stays in the form")
        #expect(try kab.objects("plan", "list").count == 1)
        let good = Self.sheet.replacingOccurrences(of: "31/12/2026", with: "2026-12-31")
        let imported = try await ani.post("/rencana-aksi/impor", [("csv", good), ("nama_berkas", "ra.csv")])
        #expect(imported.status == 303)
        #expect(try kab.objects("plan", "list").count == 3)

        // The unit layer of the LKE: saved, scored; an answer of the wrong kind kept beside its question.
        let before = try await ani.get("/lke?area=manajemen-perubahan")
        #expect(before.body.contains("id=\"skor-total\">0,00<"))
        let answered = try await ani.post(
            "/lke/jawab",
            [
                ("satker", "32.17"), ("siklus", "2026"), ("area", "manajemen-perubahan"), ("kode", "A.I.1.i.a"),
                ("jawaban", "Ya"), ("catatan", "SK Tim <b>ZI</b>"),
            ])
        #expect(answered.status == 303)
        let after = try await ani.get("/lke?siklus=2026&area=manajemen-perubahan")
        #expect(!after.body.contains("id=\"skor-total\">0,00<"))
        #expect(after.body.contains("value=\"Ya\" checked") && after.body.contains("SK Tim &lt;b&gt;ZI&lt;/b&gt;"))
        let nonsense = try await ani.post(
            "/lke/jawab",
            [
                ("satker", "32.17"), ("siklus", "2026"), ("area", "manajemen-perubahan"), ("kode", "A.I.1.i.b"),
                ("jawaban", "Mungkin"), ("catatan", "coba"),
            ])
        #expect(nonsense.status == 422)
        #expect(nonsense.body.contains("id=\"galat-A.I.1.i.b\""), "the refusal beside its question")
        let unknown = try await ani.post(
            "/lke/jawab",
            [("satker", "32.17"), ("siklus", "2026"), ("area", "sdm"), ("kode", "Z.9.<b>"), ("jawaban", "Ya")])
        #expect(unknown.status == 422 && unknown.body.contains("id=\"galat-lke\">Z.9.&lt;b&gt;: "), "\(unknown.body)")
        let sheet = try #require(try kab.json("lke", "sheet", "--cycle", "2026") as? [[String: Any]])
        let row = try #require(sheet.first { $0["code"] as? String == "A.I.1.i.b" })
        #expect((row["answers"] as? [String: String])?.isEmpty == true, "nothing half-saved")

        // Pimpinan reads everything and writes nothing.
        let pak = WebClient(web)
        try await pak.login("pak", "kata-sandi-1")
        #expect(try await pak.get("/").status == 200)
        #expect(try await pak.post("/rencana-aksi", [("area", "sdm"), ("activity", "Rapat")]).status == 403)
        #expect(try await pak.post("/rencana-aksi/\(planID)", [("area", "sdm"), ("activity", "Ubah")]).status == 403)
        let lkeByChief = try await pak.post(
            "/lke/jawab", [("satker", "32.17"), ("siklus", "2026"), ("kode", "A.I.1.i.b"), ("jawaban", "Ya")])
        #expect(lkeByChief.status == 403)
        #expect(lkeByChief.body.contains("Peran Pimpinan tidak boleh mengisi LKE lapis unit."))
        #expect(try await pak.post("/bukti-dukung/unggah", [("rencana", planID)]).status == 403)
        #expect(try kab.objects("plan", "list").count == 3)

        // The operator manages the accounts from the web too.
        let op = WebClient(web)
        try await op.login("op", "kata-sandi-1")
        #expect(
            try await op.post("/pengguna", [("nama", "Bad Name"), ("peran", "tim-zi"), ("sandi", "pendek")]).status
                == 422)
        #expect(
            try await op.post("/pengguna", [("nama", "sari"), ("peran", "tim-zi"), ("sandi", "sandi-sari-1")]).status
                == 303)
        #expect(try await WebClient(web).login("sari", "sandi-sari-1").status == 303)
        #expect(try await op.post("/pengguna/pak/status", [("nonaktif", "1")]).status == 303)
        #expect(try await pak.get("/").status == 303, "a disabled account's session ends")

        // Signing out ends the session on the server.
        #expect(try await ani.post("/keluar", []).status == 303)
        #expect(try await ani.get("/").status == 303)

        // Failed logins slow further attempts down, and the log says who and from where.
        let guesser = WebClient(web)
        for _ in 0..<3 { #expect(try await guesser.login("op", "tebakan-salah").status == 401) }
        // The wait doubles with every failure (2 s, 4 s, …): on a loaded machine a guess may come
        // after a short wait ended, never after all of them.
        var slowed = try await guesser.login("op", "tebakan-salah")
        for _ in 0..<5 where slowed.status != 429 { slowed = try await guesser.login("op", "tebakan-salah") }
        #expect(slowed.status == 429)
        #expect(slowed.body.contains("Terlalu banyak percobaan yang gagal"))
        #expect(try await guesser.login("op", "kata-sandi-1").status == 429, "the right password waits too")
        let log = net.daemons["32.17"]!.log.text
        #expect(log.contains("failed login for 'op' from 127.0.0.1 (3 in a row)"), "\(log)")
    }

    @Test func theProvincesPenilaiWritesItsLayerAndATimZIMemberMayNot() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let prov = try net.node("32", serves: true, web: true)
        try prov.addUser("budi", role: "tim-zi")
        try prov.addUser("rina", role: "penilai")
        // The province assesses a submitted LKE only.
        let kab = try net.node("32.17", parent: "32")
        try kab.ok(["lke", "answer", "A.I.1.i.a", "Ya", "--cycle", "2026"])
        try kab.ok(["lke", "submit", "--cycle", "2026"])
        try kab.ok(["sync"])
        let web = try net.daemons["32"]!.webURL()
        let budi = WebClient(web)
        try await budi.login("budi", "kata-sandi-1")
        let answer = [("satker", "32.17"), ("siklus", "2026"), ("area", "manajemen-perubahan"), ("kode", "A.I.1.i.a")]
        let refused = try await budi.post("/lke/jawab", answer + [("jawaban", "Ya")])
        #expect(refused.status == 403)
        #expect(refused.body.contains("Peran Tim ZI tidak boleh mengisi LKE lapis provinsi."))
        for path in ["/satker", "/reviu", "/rekap", "/lke?satker=32.17"] {
            #expect(try await budi.get(path).status == 200, "\(path)")
        }
        #expect(try await budi.get("/lke?satker=31.71").status == 404, "another province's kab/kota")

        let rina = WebClient(web)
        try await rina.login("rina", "kata-sandi-1")
        #expect(
            try await rina.post("/lke/jawab", answer + [("jawaban", "Tidak"), ("catatan", "SK belum ada")]).status
                == 303)
        let sheet = try #require(
            try prov.json("lke", "sheet", "--satker", "32.17", "--cycle", "2026") as? [[String: Any]])
        let row = try #require(sheet.first { $0["code"] as? String == "A.I.1.i.a" })
        #expect((row["answers"] as? [String: String])?["provinsi"] == "Tidak")
        #expect(
            try prov.objects("history", "jawaban:32.17:2026:provinsi:A.I.1.i.a").first?["actor"] as? String == "rina@32"
        )
        let rekap = try await rina.get("/rekap?lapis=provinsi&siklus=2026")
        #expect(rekap.body.contains("/lke?satker=32.17&amp;siklus=2026"), "the drill-down into the satker's sheet")
        // The province's own plans are the tim-zi member's; a review needs a penilai.
        #expect(
            try await rina.post("/reviu", [("id", "00000000-0000-4000-8000-000000000000"), ("putusan", "disetujui")])
                .status == 422)
        #expect(try await budi.post("/reviu", [("id", "x"), ("putusan", "disetujui")]).status == 403)
    }

    @Test func anUploadCutMidwayResumesFromWhatArrived() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        try net.node("32", serves: true)
        let kab = try net.node("32.17", parent: "32", web: true)
        // The province out of reach: the stored file waits for it, as the page must say (with the
        // province reachable, the daemon's round after the write would race the page).
        try kab.setParent("https://127.0.0.1:1")
        try net.start("32.17")
        try kab.addUser("ani", role: "tim-zi")
        try kab.addUser("sari", role: "tim-zi")
        let web = try net.daemons["32.17"]!.webURL()
        let port = try #require(Int(web.split(separator: ":").last ?? ""))
        let planID = try kab.ok(
            "plan", "add", "--area", "sdm", "--activity", "Analisis beban kerja", "--lke", "A.I.3.i.a")
        let ani = WebClient(web)
        try await ani.login("ani", "kata-sandi-1")
        let content = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let sha = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()

        // Announce it, then send it all through a link that drops after 1.2 MB.
        let begun = try await ani.post(
            "/bukti-dukung/unggah",
            [
                ("rencana", planID), ("judul", "Scan ABK"), ("jenis", "laporan"), ("nama", "C:\\scan\\abk.pdf"),
                ("ukuran", String(content.count)), ("sha256", sha),
            ])
        #expect(begun.status == 201, "\(begun.body)")
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(begun.body.utf8)) as? [String: Any])?["id"] as? String)
        let token = try #require(ani.csrf)
        let proxy = try FaultProxy(target: port)
        defer { proxy.close() }
        proxy.mode = .cutAfter(1_200_000)
        let cut = try? await ani.send(
            "PATCH", "/bukti-dukung/unggah/\(id)", body: content,
            headers: [("Upload-Offset", "0"), ("X-CSRF-Token", token), ("Content-Type", "application/octet-stream")],
            base: "http://127.0.0.1:\(proxy.port)")
        #expect(cut == nil || cut!.status >= 400, "the transfer was cut")
        #expect(try kab.objects("evidence", "list").isEmpty, "nothing stored before every byte is here")

        // The server says how far it got; the rest goes, and only the rest.
        var held = 0
        for _ in 0..<50 where held == 0 {
            let state = try await ani.get("/bukti-dukung/unggah/\(id)")
            held = (try JSONSerialization.jsonObject(with: state.data) as? [String: Any])?["offset"] as? Int ?? 0
            if held == 0 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(held > 0 && held <= 1_200_000, "\(held) bytes held")
        let rest = content.subdata(in: held..<content.count)
        let done = try await ani.send(
            "PATCH", "/bukti-dukung/unggah/\(id)", body: rest,
            headers: [
                ("Upload-Offset", String(held)), ("X-CSRF-Token", token), ("Content-Type", "application/octet-stream"),
            ])
        #expect(done.status == 200, "\(done.body)")
        #expect(proxy.upstreamBytes + Int64(rest.count) < Int64(content.count) + 1_300_000)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(done.body.utf8)) as? [String: Any])
        #expect(answer["sha256"] as? String == sha)
        let evidenceID = try #require(answer["evidence"] as? String)
        let listed = try kab.objects("evidence", "list")
        #expect(
            listed.count == 1 && listed[0]["file_name"] as? String == "abk.pdf"
                && listed[0]["title"] as? String == "Scan ABK")
        #expect(try kab.objects("history", evidenceID).first?["actor"] as? String == "ani@32.17")
        let page = try await ani.get("/bukti-dukung")
        #expect(page.body.contains("Scan ABK") && page.body.contains("belum terkirim ke induk"))
        let download = try await ani.send("GET", "/bukti-dukung/\(evidenceID)/unduh")
        #expect(download.status == 200 && download.data == content)
        #expect(download.headers["content-disposition"]?.contains("filename=\"abk.pdf\"") == true)

        // A Wi-Fi that dies without a word: the server still holds the old request open, waiting
        // for bytes that never come. The browser's retry takes over at once instead of waiting.
        let photo = Data((0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) })
        let photoSHA = SHA256.hash(data: photo).map { String(format: "%02x", $0) }.joined()
        let second = try await ani.post(
            "/bukti-dukung/unggah",
            [("rencana", planID), ("nama", "foto.jpg"), ("ukuran", String(photo.count)), ("sha256", photoSHA)])
        let secondID = try #require(
            (try JSONSerialization.jsonObject(with: second.data) as? [String: Any])?["id"] as? String)
        let silent = try Self.openPatch(
            port: port, path: "/bukti-dukung/unggah/\(secondID)", session: try #require(ani.session), token: token,
            announced: photo.count, body: photo.prefix(700_000))
        defer { silent.close() }
        var arrived = 0
        for _ in 0..<50 where arrived < 700_000 {
            let state = try await ani.get("/bukti-dukung/unggah/\(secondID)")
            arrived = (try JSONSerialization.jsonObject(with: state.data) as? [String: Any])?["offset"] as? Int ?? 0
            if arrived < 700_000 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(arrived == 700_000)
        let takeover = try await ani.send(
            "PATCH", "/bukti-dukung/unggah/\(secondID)", body: photo.subdata(in: arrived..<photo.count),
            headers: [("Upload-Offset", String(arrived)), ("X-CSRF-Token", token)])
        #expect(takeover.status == 200, "\(takeover.body)")
        #expect(
            (try JSONSerialization.jsonObject(with: takeover.data) as? [String: Any])?["sha256"] as? String == photoSHA)
        #expect(try kab.objects("evidence", "list").count == 2)

        // Bytes that do not hash to what was announced are discarded, never stored.
        let other = try await ani.post(
            "/bukti-dukung/unggah",
            [("rencana", planID), ("nama", "foto.jpg"), ("ukuran", "1000"), ("sha256", sha)])
        let otherID = try #require(
            (try JSONSerialization.jsonObject(with: Data(other.body.utf8)) as? [String: Any])?["id"] as? String)
        // Another person cannot continue it, nor anyone without the form token.
        let sari = WebClient(web)
        try await sari.login("sari", "kata-sandi-1")
        let stolen = try await sari.send(
            "PATCH", "/bukti-dukung/unggah/\(otherID)", body: Data(count: 1000),
            headers: [("Upload-Offset", "0"), ("X-CSRF-Token", sari.csrf ?? "")])
        #expect(stolen.status == 404)
        let tokenless = try await ani.send(
            "PATCH", "/bukti-dukung/unggah/\(otherID)", body: Data(count: 1000), headers: [("Upload-Offset", "0")])
        #expect(tokenless.status == 403)
        let spoiled = try await ani.send(
            "PATCH", "/bukti-dukung/unggah/\(otherID)", body: Data(count: 1000),
            headers: [("Upload-Offset", "0"), ("X-CSRF-Token", token)])
        #expect(spoiled.status == 422 && spoiled.body.contains("SHA-256 tidak cocok"))
        let tooLong = try await ani.post(
            "/bukti-dukung/unggah", [("rencana", planID), ("nama", "besar.pdf"), ("ukuran", String(Int64(3) << 30))])
        #expect(tooLong.status == 422)
        #expect(try kab.objects("evidence", "list").count == 2)
    }

    /// A PATCH written by hand on a connection of its own, `body` sent and the rest never: the
    /// connection stays open, as one whose Wi-Fi died does on the server's side.
    static func openPatch(port: Int, path: String, session: String, token: String, announced: Int, body: Data) throws
        -> RawConnection
    {
        let connection = try RawConnection(port: port)
        let head =
            "PATCH \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: zisync_sesi=\(session)\r\nX-CSRF-Token: \(token)\r\n"
            + "Upload-Offset: 0\r\nContent-Type: application/octet-stream\r\nContent-Length: \(announced)\r\n\r\n"
        try connection.send(Array(head.utf8) + Array(body))
        return connection
    }
}
