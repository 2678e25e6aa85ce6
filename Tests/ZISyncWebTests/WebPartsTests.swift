import Foundation
import Hummingbird
import Testing
import ZISyncCore
import ZISyncProtocol

@testable import ZISyncWeb

/// The web app's small parts that every page leans on: form decoding, field checks in words,
/// file names and redirect targets from the browser, times and figures in Bahasa Indonesia, the
/// template values, the login throttle.
@Suite struct WebPartsTests {
    @Test func formsDecodeAsBrowsersEncodeThem() {
        let f = Form(urlencoded: "nama=Ani+Wulandari&catatan=50%25+selesai&bukti=a&bukti=b&kosong=&rusak=%ZZ&tanpa")
        #expect(f["nama"] == "Ani Wulandari" && f["catatan"] == "50% selesai")
        #expect(f.all("bukti") == ["a", "b"] && f["kosong"] == "" && f.text("kosong") == nil)
        #expect(f["rusak"] == "%ZZ", "a malformed escape is kept as typed")
        #expect(f["tanpa"] == "" && f["hilang"] == nil)
    }

    /// A form with a file (the LKE page's workbook upload), as MultipartKit reads it; what a
    /// broken or hostile browser sends is refused in words, never trapped on.
    @Test func multipartFormsGiveTheirFieldsAndFilesOrARefusal() throws {
        func body(_ parts: [(String, String?, String)], boundary: String = "batas") -> ByteBuffer {
            var text = ""
            for (name, file, value) in parts {
                let filename = file.map { "; filename=\"\($0)\"" } ?? ""
                text +=
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\(filename)\r\n\r\n\(value)\r\n"
            }
            return ByteBuffer(string: text + "--\(boundary)--\r\n")
        }
        let type = "multipart/form-data; boundary=batas"
        let (form, files) = try Form.multipart(
            body([("siklus", nil, "2026"), ("_csrf", nil, "t"), ("berkas", "lke.xlsx", "PK\u{3}\u{4}isi")]),
            contentType: type)
        #expect(form["siklus"] == "2026" && form["_csrf"] == "t" && form["berkas"] == nil)
        #expect(files["berkas"]?.fileName == "lke.xlsx" && files["berkas"]?.data == Data("PK\u{3}\u{4}isi".utf8))
        #expect(Form.parameter("boundary", in: "multipart/form-data; boundary=\"a b\"") == "a b")

        func refused(_ buffer: ByteBuffer, _ contentType: String) -> String? {
            do {
                _ = try Form.multipart(buffer, contentType: contentType)
                return nil
            } catch let e as WebRefusal {
                return e.status == .badRequest ? e.message : "status \(e.status)"
            } catch {
                return "\(error)"
            }
        }
        #expect(refused(body([("a", nil, "1")]), "multipart/form-data")?.contains("boundary") == true)
        #expect(
            refused(body([("a", nil, "1")]), "multipart/form-data; boundary=\(String(repeating: "x", count: 71))")?
                .contains("boundary") == true)
        #expect(
            refused(ByteBuffer(string: "--batas\r\nContent-Disposition: form-data; name=\"a\"\r\ntanpa akhir"), type)
                != nil, "a body cut short")
        // Text without a boundary line is a preamble to MultipartKit: no field, so no form token
        // either, and `CSRFCheck` refuses the request.
        let none = try Form.multipart(ByteBuffer(string: "bukan multipart sama sekali"), contentType: type)
        #expect(none.form["_csrf"] == nil && none.files.isEmpty)
        let many = (0...Form.maxParts).map { ("f\($0)", String?.none, "x") }
        #expect(refused(body(many), type)?.contains("lebih dari \(Form.maxParts) bagian") == true)
    }

    @Test func fieldProblemsAreInWordsAndAreTheSchemasOwn() {
        let plan = RecordType.actionPlan.schema
        func problem(_ field: String, _ text: String) -> String? {
            FieldWords.problem(plan, field, text: text, lkeCodeExists: { $0 == "A.I.1.i.a" })
        }
        #expect(problem("deadline", "2026-02-30") != nil, "no 30 February")
        #expect(problem("deadline", "2026-12-31") == nil && problem("deadline", "") == nil, "empty clears it")
        #expect(problem("deadline", "31/12/2026")?.contains("TTTT-BB-HH") == true)
        #expect(problem("progress", "50%") == nil)
        #expect(problem("progress", "101") == "Harus bilangan bulat 0–100.")
        #expect(problem("progress", "banyak") == "Harus bilangan bulat 0–100.")
        // The schema counts bytes: 1,000 two-byte letters are 2,000 bytes, one more is too many.
        #expect(problem("activity", String(repeating: "é", count: 1000)) == nil)
        #expect(problem("activity", String(repeating: "é", count: 1001)) == "Terlalu panjang: paling banyak 2000 byte.")
        #expect(problem("activity", "Rapat\u{1B}[2J")?.contains("karakter kendali") == true)
        #expect(problem("status", "hampir")?.hasPrefix("Pilih salah satu: draft, diajukan") == true)
        #expect(problem("status", "Selesai") == nil, "the schema's own leniency")
        #expect(problem("lke", "A.I.1.i.a, Z.1") == "Kode LKE tidak dikenal: Z.1.")
        #expect(problem("nope", "x") == "Isian tidak dikenal.")
    }

    @Test func namesAndTargetsFromTheBrowserAreCleaned() {
        #expect(WebSite.fileName("C:\\Users\\ani\\scan SK.pdf") == "scan SK.pdf")
        #expect(WebSite.fileName("../../etc/passwd") == "passwd")
        #expect(WebSite.fileName("a\u{0}b\u{7f}.pdf") == "ab.pdf")
        #expect(WebSite.fileName("..") == nil && WebSite.fileName("  ") == nil)
        #expect(WebSite.fileName(String(repeating: "x", count: 256)) == nil)
        #expect(WebSite.localPath("/lke?area=sdm") == "/lke?area=sdm")
        for bad in [
            "//evil.example/", "https://evil.example/", "/\\evil", "/a\r\nSet-Cookie: x", "lke", nil,
            "/\t/evil.example/",
            "/\n/evil.example", "/ /evil", "/\u{0B}/evil", "/é",
        ] {
            #expect(WebSite.localPath(bad) == nil, "\(bad ?? "nil")")
        }
        #expect(
            WebSite.seeOther("/lke?area=sdm#q-A.I.1.i.a", notice: "Tersimpan.").headers[.location]
                == "/lke?area=sdm&pesan=Tersimpan%2E&tanda=\(WebSite.noticeTag("Tersimpan."))#q-A.I.1.i.a")
        #expect(
            WebSite.noticeTag("Tersimpan.").count == 32
                && WebSite.noticeTag("Tersimpan") != WebSite.noticeTag("Tersimpan."))
    }

    @Test func timesFiguresAndProblemsReadAsAnOfficeSaysThem() {
        let now: Int64 = 1_800_000_000_000
        #expect(Words.ago(nil, now: now) == "belum pernah")
        #expect(Words.ago(now - 30_000, now: now) == "baru saja")
        #expect(Words.ago(now - 180_000, now: now) == "3 menit lalu")
        #expect(Words.ago(now - 7_200_000, now: now) == "2 jam lalu")
        #expect(Words.ago(now - 5 * 86_400_000, now: now) == "5 hari lalu")
        #expect(Words.ago(now + 60_000, now: now) == "baru saja", "a clock ahead is not the future")
        #expect(Words.bytes(512) == "512 B" && Words.bytes(5 << 20) == "5,0 MB" && Words.bytes(3 << 30) == "3,0 GB")
        #expect(Words.bytes(2048) == "2 KB")
        #expect(Words.figure(75) == "75,00" && Words.figure(3.125) == "3,13")
        for cause in SyncProblem.Cause.allCases {
            let (what, todo) = Words.problem(cause)
            #expect(what.hasSuffix(".") && !todo.isEmpty, "\(cause)")
        }
        #expect(Words.problem(.unreachable).0 == "Koneksi ke kantor induk terputus.")
        for state in ChildState.allCases { #expect(!Words.childState(state).isEmpty) }
        #expect(Set(Words.areaNames.keys) == Set(Area.allCases.map(\.rawValue)))
        #expect(Set(Words.areaShort.keys) == Set(Area.allCases.map(\.rawValue)))
        #expect(Set(Words.statusNames.keys) == Set(RecordSchema.planStatuses))
        #expect(Set(Words.verdictNames.keys) == Set(RecordSchema.verdicts))
    }

    @Test func absentValuesLeaveTheTemplateAndPresentOnesAreUnwrapped() throws {
        let none: String? = nil
        let some: String? = "ada"
        let value = Templates.present(
            [
                "a": none as Any, "b": some as Any, "rows": [["c": none as Any, "d": 1]],
                "list": [some as Any, none as Any],
            ] as [String: Any])
        let d = try #require(value as? [String: Any])
        #expect(d["a"] == nil && d["b"] as? String == "ada")
        #expect((d["rows"] as? [[String: Any]])?.first?.keys.sorted() == ["d"])
        #expect((d["list"] as? [Any])?.count == 1)
        let templates = Templates(library: .init(templates: [:]))
        #expect(throws: WebSetupError.self) { try templates.render("tidak-ada", [:]) }
    }

    @Test func failedLoginsSlowTheNextOnesDownAndASuccessForgives() async {
        let throttle = LoginThrottle()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let keys = ["user:ani", "addr:10.0.0.7"]
        for _ in 0..<2 { await throttle.failed(keys, now: t0) }
        #expect(await throttle.wait(keys, now: t0) == 0, "two failures are free")
        #expect(await throttle.failed(keys, now: t0) == 3)
        #expect(await throttle.wait(keys, now: t0) == 2)
        #expect(await throttle.wait(["addr:10.0.0.7"], now: t0) == 2, "the address too")
        await throttle.failed(keys, now: t0)
        #expect(await throttle.wait(keys, now: t0) == 4, "each next one waits twice as long")
        for _ in 0..<20 { await throttle.failed(keys, now: t0) }
        #expect(await throttle.wait(keys, now: t0) == 300, "at most five minutes")
        #expect(await throttle.wait(keys, now: t0.addingTimeInterval(301)) == 0)
        await throttle.succeeded(keys)
        #expect(await throttle.wait(keys, now: t0) == 0)
        // Attempts count from their start: three go, the fourth sent at once waits.
        var waits: [Int] = []
        for _ in 1...4 { waits.append(await throttle.attempt(keys, now: t0).wait) }
        #expect(waits == [0, 0, 0, 2], "\(waits)")
    }

    @Test func passwordsAreHashedAndCheckedWithTheirRules() async {
        #expect(Passwords.problem("pendek") != nil && Passwords.problem(String(repeating: "x", count: 73)) != nil)
        #expect(Passwords.problem("cukup-panjang") == nil)
        let hash = Passwords.hash("cukup-panjang")
        #expect(hash.hasPrefix("$2") && !hash.contains("cukup"))
        #expect(await Passwords.verify("cukup-panjang", hash: hash))
        #expect(!(await Passwords.verify("Cukup-panjang", hash: hash)))
        #expect(!(await Passwords.verify("cukup-panjang", hash: "not a hash")))
    }

    @Test func tokensCompareWhole() {
        #expect(constantTimeEqual("abc", "abc") && !constantTimeEqual("abc", "abd") && !constantTimeEqual("abc", "ab"))
    }
}
