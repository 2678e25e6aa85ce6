import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol
import ZISyncStore
import ZISyncTestSupport

/// The evaluation cycle inside KPU (issue 22) on the built binary, with KPU RI's and the
/// province's daemons running: a submission locks the unit layer here and at every office above,
/// even against a change crafted and pushed straight to the province; a return opens it again
/// with its notes; reviewers writing in the same stage at once converge; the windows refuse, and
/// an extension lets in what waited.
@Suite(.serialized, .timeLimit(.minutes(10))) struct EvaluationCycleTests {
    let year = String(CalendarDay.thisYear())

    func status(_ node: CLI, _ satker: String) throws -> [String: Any] {
        try node.object("lke", "status", "--satker", satker, "--json")
    }

    func unitAnswer(_ d: Deployment, _ node: CLI, code: String) throws -> String? {
        let sheet = try #require(try node.json("lke", "sheet", "--satker", "32.17") as? [[String: Any]])
        return (sheet.first { $0["code"] as? String == code }?["answers"] as? [String: String])?["unit"]
    }

    @Test func aSubmittedUnitCannotChangeItsAnswersEvenByACraftedPush() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        try kab.ok(["lke", "answer", "A.I.1.i.a", "Ya", "--actor", "ani"])
        let provinsiEarly = try d["32"].run([
            "lke", "answer", "A.I.1.i.a", "Tidak", "--satker", "32.17", "--layer", "provinsi",
        ])
        #expect(provinsiEarly.status != 0 && provinsiEarly.stderr.contains("32.17 has not submitted its LKE"))
        let submitted = try kab.object("lke", "submit", "--note", "siap dinilai", "--actor", "ani", "--json")
        #expect(submitted["n"] as? Int == 1 && submitted["answered"] as? Int == 1, "\(submitted)")
        try kab.ok(["sync"])
        try d["32"].ok(["sync"])

        // Read-only at the unit: its own command refuses, naming the submission.
        let locked = try kab.run(["lke", "answer", "A.I.1.i.a", "Tidak"])
        #expect(locked.status != 0 && locked.stderr.contains("read-only until the submission is returned"))
        #expect(try kab.run(["lke", "submit"]).stderr.contains("submitted its LKE for \(year) already"))

        // A change crafted by the unit and pushed straight to its province is not applied there.
        let tip = try #require(try Store.open(home: Home(path: kab.home.path)).outboxChanges(all: true).last)
        let crafted = try d.signed(
            Change(
                origin: "32.17", seq: tip.seq + 1, hlc: HLC(rawValue: tip.hlc.rawValue + 1), recordType: "lke_answer",
                recordID: "jawaban:32.17:\(year):unit:A.I.1.i.a", owner: "32.17",
                fields: ["answer": .string("Tidak")], base: [:], actor: "ani", prev: tip.hash))
        let pushed = try await d.push(as: "32.17", to: "32", [crafted], certificates: try d.certificates("32.17"))
        #expect(pushed.accepted == 0, "\(pushed)")
        #expect(try unitAnswer(d, d["32"], code: "A.I.1.i.a") == "Ya")
        let held = try d["32"].objects("history", "jawaban:32.17:\(year):unit:A.I.1.i.a")
        #expect(held.contains { $0["outcome"] as? String == "waiting" && $0["value"] as? String == "Tidak" }, "\(held)")

        // The province assesses and returns it with notes; the crafted change, stamped before the
        // return, is refused for good.
        try d["32"].ok([
            "lke", "answer", "A.I.1.i.a", "Tidak", "--satker", "32.17", "--note", "SK belum ditandatangani",
        ])
        let verdict = try d["32"].object(
            "lke", "verdict", "--satker", "32.17", "belum-layak", "--note", "bukti kurang", "--json")
        #expect(verdict["verdict"] as? String == "belum-layak")
        #expect(try d["00"].run(["lke", "verdict", "--satker", "32.17", "layak"]).stderr.contains("given by 32"))
        let back = try d["32"].object(
            "lke", "return", "--satker", "32.17", "--note", "Lengkapi SK tim", "--item", "A.I.1.i.b=isi jawaban",
            "--json")
        #expect(back["n"] as? Int == 1 && back["stage"] as? String == "penilaian-pendahuluan", "\(back)")
        let judged = try d["32"].objects("history", "jawaban:32.17:\(year):unit:A.I.1.i.a")
        #expect(
            judged.contains { $0["outcome"] as? String == "refused" && $0["value"] as? String == "Tidak" }, "\(judged)")
        #expect(try unitAnswer(d, d["32"], code: "A.I.1.i.a") == "Ya")

        // The return comes down: the unit sees why, answers again and submits revision 1.
        try d["32"].ok(["sync"])
        try kab.ok(["sync"])
        let mine = try status(kab, "32.17")
        #expect(mine["state"] as? String == "dikembalikan" && mine["revision"] as? Int == 1, "\(mine)")
        let returned = try #require((mine["returns"] as? [[String: Any]])?.first)
        #expect(returned["note"] as? String == "Lengkapi SK tim" && returned["items"] as? [String] == ["A.I.1.i.b"])
        let sheet = try #require(try kab.json("lke", "sheet") as? [[String: Any]])
        let noted = try #require(sheet.first { $0["code"] as? String == "A.I.1.i.b" })
        #expect((noted["notes"] as? [String: String])?["provinsi"] == "isi jawaban", "\(noted)")
        try kab.ok(["lke", "answer", "A.I.1.i.b", "A"])
        try kab.ok(["lke", "submit"])
        try kab.ok(["sync"])
        try d["32"].ok(["sync"])

        // Three levels agree on where it stands and on every record of 32.17.
        for node in [kab, d["32"], d["00"]] {
            let s = try status(node, "32.17")
            #expect(s["state"] as? String == "dikirim" && (s["submissions"] as? [Any])?.count == 2, "\(s)")
            #expect(s["answers_as_submitted"] as? Bool == true)
        }
        #expect(try kab.digest("32.17") == d["32"].digest("32.17"))
        #expect(try d["32"].digest("32.17") == d["00"].digest("32.17"))
        let queue = try #require(try d["32"].object("lke", "status", "--json")["units"] as? [[String: Any]])
        #expect(queue.map { $0["satker"] as? String } == ["32.17"])
    }

    @Test func reviewersWritingInTheSameStageAtOnceConverge() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        // The unit layer is the unit's alone: the province cannot enter it on its behalf.
        let behalf = try d["32"].run(["lke", "answer", "A.I.1.i.a", "Ya", "--satker", "32.17", "--layer", "unit"])
        #expect(behalf.status != 0 && behalf.stderr.contains("only by 32.17 itself"), "\(behalf.stderr)")
        try kab.ok(["lke", "answer", "A.I.1.i.a", "Ya"])
        try kab.ok(["lke", "submit"])
        try kab.ok(["sync"])
        try d["32"].ok(["sync"])
        // At once, offline from each other: the province assesses and finds it layak while KPU
        // RI's TPI already writes its layer on the same item.
        try d["32"].ok(["lke", "answer", "A.I.1.i.a", "Ya", "--satker", "32.17", "--note", "sesuai"])
        try d["32"].ok(["lke", "verdict", "--satker", "32.17", "layak", "--note", "lanjut ke TPI"])
        try d["00"].ok(["lke", "answer", "A.I.1.i.a", "Tidak", "--satker", "32.17", "--layer", "tpi"])
        let early = try d["00"].run(["lke", "return", "--satker", "32.17", "--note", "terlalu cepat"])
        #expect(early.status != 0 && early.stderr.contains("after its province's verdict"), "\(early.stderr)")
        try d["32"].ok(["sync"])
        // Layak: from now on only the TPI returns it.
        let province = try d["32"].run(["lke", "return", "--satker", "32.17", "--note", "juga"])
        #expect(province.status != 0 && province.stderr.contains("only KPU RI's TPI returns it"), "\(province.stderr)")
        try d["00"].ok([
            "lke", "return", "--satker", "32.17", "--note", "TPI: lengkapi", "--item", "A.I.1.i.a=SK kedaluwarsa",
        ])
        try d["32"].ok(["sync"])
        try kab.ok(["sync"])
        for node in [kab, d["32"], d["00"]] {
            let s = try status(node, "32.17")
            #expect(s["state"] as? String == "dikembalikan" && s["revision"] as? Int == 1, "\(s)")
            let back = (s["returns"] as? [[String: Any]])?.first
            #expect(back?["satker"] as? String == "00" && back?["stage"] as? String == "evaluasi-tpi", "\(s)")
        }
        let sheet = try #require(try kab.json("lke", "sheet") as? [[String: Any]])
        let row = try #require(sheet.first { $0["code"] as? String == "A.I.1.i.a" })
        #expect(row["notes"] as? [String: String] == ["provinsi": "sesuai", "tpi": "SK kedaluwarsa"], "\(row)")
        try kab.ok(["lke", "answer", "A.I.1.i.a", "Ya", "--note", "SK baru terlampir"])
        try kab.ok(["lke", "submit"])
        try kab.ok(["sync"])
        try d["32"].ok(["sync"])
        for node in [kab, d["32"], d["00"]] {
            let s = try status(node, "32.17")
            #expect(s["state"] as? String == "dikirim" && (s["submissions"] as? [Any])?.count == 2, "\(s)")
            #expect(s["verdict"] is NSNull, "submission 2 has no verdict yet: \(s)")
        }
        #expect(try kab.digest("32.17") == d["32"].digest("32.17"))
        #expect(try d["32"].digest("32.17") == d["00"].digest("32.17"))
    }

    /// A kab/kota that had not yet received the calendar answers after its window closed: its
    /// answer stands at home, waits at the province (shown as waiting, not refused), and goes in
    /// when KPU RI extends the window; every office ends with the same records.
    @Test func aStepOutsideItsWindowWaitsAtTheParentUntilAnExtension() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let yesterday = EvaluationCycle.day(
            of: HLC(milliseconds: HybridClock.systemMilliseconds() - 86_400_000, counter: 0))
        try d["00"].ok([
            "lke", "calendar", "set", "--stage", "penilaian-mandiri", "--from", "\(year)-01-01", "--to", yesterday,
        ])
        try d["32"].ok(["sync"])
        try kab.ok(["lke", "answer", "A.I.1.i.a", "Ya"])  // the calendar has not reached 32.17
        try kab.ok(["sync"])
        let id = "jawaban:32.17:\(year):unit:A.I.1.i.a"
        let waiting = try d["32"].objects("history", id)
        #expect(waiting.contains { $0["outcome"] as? String == "waiting" }, "\(waiting)")
        let shown = try #require(try d["32"].object("status")["waiting"] as? [[String: Any]])
        #expect(shown.contains { $0["origin"] as? String == "32.17" }, "status shows what waits: \(shown)")
        try d["00"].ok([
            "lke", "calendar", "set", "--stage", "penilaian-mandiri", "--from", "\(year)-01-01", "--to",
            EvaluationCycle.today(), "--reason", "perpanjangan",
        ])
        try d["32"].ok(["sync"])
        let released = try d["32"].objects("history", id)
        #expect(
            released.contains { $0["outcome"] as? String == "current" && $0["value"] as? String == "Ya" }, "\(released)"
        )
        try d["32"].ok(["sync"])
        try kab.ok(["sync"])
        #expect(try kab.digest("32.17") == d["32"].digest("32.17"))
        #expect(try d["32"].digest("32.17") == d["00"].digest("32.17"))
    }

    @Test func fromSubmissionToKPURIsProposalWithThePrerequisitesAndTheWBBMRule() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        try kab.ok(["lke", "answer", "A.I.1.i.a", "Ya"])
        try kab.ok(["lke", "submit"])
        try kab.ok(["sync"])
        try d["32"].ok(["sync"])
        // The TPI waits for the province's verdict; then concludes step by step.
        let early = try d["00"].run(["lke", "conclude", "--satker", "32.17", "memenuhi"])
        #expect(early.status != 0 && early.stderr.contains("no verdict on submission 1 yet"), "\(early.stderr)")
        try d["32"].ok(["lke", "verdict", "--satker", "32.17", "layak"])
        try d["32"].ok(["sync"])
        try d["00"].ok([
            "lke", "answer", "A.I.1.i.a", "Tidak", "--satker", "32.17", "--layer", "tpi", "--note", "SK belum disahkan",
        ])
        try d["00"].ok(["lke", "answer", "A.I.1.i.b", "C", "--satker", "32.17", "--layer", "tpi"])
        try d["00"].ok(["lke", "conclude", "--satker", "32.17", "memenuhi", "--step", "anggota"])
        let back = try d["00"].run(["lke", "conclude", "--satker", "32.17", "memenuhi", "--step", "anggota"])
        #expect(back.status == 0, "the same step again is no step back")
        let final = try d["00"].object("lke", "conclude", "--satker", "32.17", "memenuhi", "--note", "sesuai", "--json")
        #expect(final["final"] as? Bool == true && final["step"] as? String == "dalnis", "\(final)")
        #expect(
            try d["00"].run(["lke", "conclude", "--satker", "32.17", "belum-memenuhi"]).stderr.contains("is final"))

        // A proposal names every rule it fails: the tpi layer's thresholds and the prerequisites.
        let refused = try d["00"].run(["lke", "propose", "--satker", "32.17", "wbk"])
        #expect(refused.status != 0, "\(refused.stdout)")
        for rule in [
            "LKE threshold (tpi layer) total: required 75, actual", "prerequisite tlhp: required 100 %, actual 0 %",
            "prerequisite bpk: required WTP, actual -", "prerequisite sakip: required B or better, actual -",
        ] {
            #expect(refused.stderr.contains(rule), "\(rule): \(refused.stderr)")
        }
        #expect(try kab.run(["lke", "propose", "--satker", "32.17", "wbk"]).stderr.contains("by KPU RI"))
        // Prerequisites: the unit enters its own, KPU RI the agency's; a value of the wrong form is refused.
        for (item, value) in [
            ("tlhp", "100"), ("lhkpn", "100"), ("lhkasn", "100"), ("pencanangan", "2020-01-15"), ("sakip", "bb"),
        ] {
            try kab.ok(["lke", "prerequisite", "set", "--item", item, value])
        }
        #expect(try kab.run(["lke", "prerequisite", "set", "--item", "tlhp", "120"]).stderr.contains("a percentage"))
        #expect(try kab.run(["lke", "prerequisite", "set", "--item", "bpk", "WTP"]).stderr.contains("the agency's"))
        for (item, value) in [("bpk", "WTP"), ("sakip-instansi", "A"), ("indeks-rb", "BB"), ("spip", "3")] {
            try d["00"].ok(["lke", "prerequisite", "set", "--item", item, value])
        }
        try kab.ok(["sync"])
        try d["32"].ok(["sync"])
        let pre = try d["00"].object("lke", "prerequisite", "--satker", "32.17", "--json")
        #expect((pre["wbk"] as? [String: Any])?["meets"] as? Bool == true, "\(pre)")
        // Thresholds still fail: proposed with an override, shown as one; WBBM also needs the predikat.
        let wbbm = try d["00"].run(["lke", "propose", "--satker", "32.17", "wbbm"])
        #expect(wbbm.stderr.contains("predikat wbk: required 2 full years of Menuju WBK, actual 0"), "\(wbbm.stderr)")
        try d["00"].ok(["lke", "propose", "--satker", "32.17", "wbk", "--reason", "keputusan pimpinan"])
        let listed = try #require(try d["00"].object("lke", "proposals", "--json")["proposals"] as? [[String: Any]])
        #expect(listed.count == 1 && listed.first?["category"] as? String == "wbk", "\(listed)")
        #expect(
            (listed.first?["override"] as? String)?.hasPrefix("keputusan pimpinan [rules not met: LKE threshold")
                == true)
        // RI's queue shows the pipeline: verdict, the TPI's conclusion, the proposal.
        let queue = try d["00"].ok(["lke", "status"]).split(separator: "\n")
        #expect(
            queue.contains {
                $0.hasPrefix("32.17") && $0.contains("layak") && $0.contains("memenuhi") && $0.contains("WBK")
            },
            "\(queue)")
        // The evaluation report: the steps with who took them, the layers side by side, what differs.
        let lhe = d.dir.appendingPathComponent("lhe-32.17.html")
        try d["00"].ok(["lke", "lhe", "--satker", "32.17", "--html", lhe.path])
        let report = try String(contentsOf: lhe, encoding: .utf8)
        for text in [
            "Laporan Hasil Evaluasi Zona Integritas", "Pengiriman 1", "Penilaian pendahuluan (pengiriman 1)",
            "layak diusulkan", "Evaluasi TPI (pengiriman 1, pengendali teknis)", "memenuhi: sesuai", "Lapis provinsi",
            "Lapis tpi", "<strong>tpi:</strong> SK belum disahkan",
            "Menuju WBK, dengan pengecualian: keputusan pimpinan",
            "@page { size: A4", "Menuju WBBM: <span class=\"ok\">terpenuhi</span>", "1 butir dijawab berbeda",
        ] {
            #expect(report.contains(text), "\(text)")
        }
        #expect(
            try kab.run(["lke", "lhe", "--satker", "32.18", "--html", "-"]).stderr.contains("not in 32.17's subtree"))
        // The unit sees it was proposed.
        try d["32"].ok(["sync"])
        try kab.ok(["sync"])
        let mine = try status(kab, "32.17")
        #expect((mine["proposal"] as? [String: Any])?["category"] as? String == "wbk", "\(mine)")
        #expect((mine["conclusion"] as? [String: Any])?["conclusion"] as? String == "memenuhi")
        try d["00"].ok(["lke", "propose", "--satker", "32.17", "--withdraw"])
        #expect(try d["00"].ok(["lke", "proposals"]).contains("no unit proposed"))
        try d["32"].ok(["sync"])
        #expect(try d["32"].digest("32.17") == d["00"].digest("32.17"))
    }

    @Test func aStepOutsideItsWindowIsRefusedAndAnExtensionLetsItIn() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let today = EvaluationCycle.today()
        let yesterday = EvaluationCycle.day(
            of: HLC(milliseconds: HybridClock.systemMilliseconds() - 86_400_000, counter: 0))
        #expect(
            try d["32"].run([
                "lke", "calendar", "set", "--stage", "penilaian-mandiri", "--from", yesterday, "--to", yesterday,
            ])
            .stderr.contains("set by KPU RI"))
        try d["00"].ok([
            "lke", "calendar", "set", "--stage", "penilaian-mandiri", "--from", "\(year)-01-01", "--to", yesterday,
        ])
        try d["32"].ok(["sync"])
        try kab.ok(["sync"])
        let calendar = try kab.object("lke", "calendar", "--json")
        let window = try #require((calendar["windows"] as? [[String: Any]])?.first)
        #expect(window["to"] as? String == yesterday && window["open"] as? Bool == false, "\(calendar)")
        let late = try kab.run(["lke", "answer", "A.I.1.i.a", "Ya"])
        #expect(
            late.status != 0 && late.stderr.contains("outside the window of penilaian mandiri \(year)")
                && late.stderr.contains("written on \(today)"), "\(late.stderr)")
        let shorter = try d["00"].run([
            "lke", "calendar", "set", "--stage", "penilaian-mandiri", "--from", "\(year)-01-01", "--to", today,
        ])
        #expect(shorter.stderr.contains("needs --reason"), "\(shorter.stderr)")
        try d["00"].ok([
            "lke", "calendar", "set", "--stage", "penilaian-mandiri", "--from", "\(year)-01-01", "--to", today,
            "--reason", "perpanjangan karena banjir",
        ])
        try d["32"].ok(["sync"])
        try kab.ok(["sync"])
        try kab.ok(["lke", "answer", "A.I.1.i.a", "Ya"])
        let history = try kab.objects("history", EvaluationCycle.windowID(cycle: Int(year)!, stage: .mandiri))
        #expect(history.contains { $0["value"] as? String == "perpanjangan karena banjir" }, "\(history)")
    }
}

/// The cycle in the web app, as people do it: the kab/kota's tim ZI sends its LKE ("Kirim LKE")
/// and finds it read-only; the province's penilai sees it in the assessment queue, returns it with
/// a note per item, then finds the revision layak; each page shows where the LKE stands.
@Suite(.serialized, .timeLimit(.minutes(10))) struct EvaluationCycleWebTests {
    let year = String(CalendarDay.thisYear())

    @Test func aUnitSubmitsAndItsProvinceReturnsAndJudgesInTheWebApp() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let prov = try net.node("32", serves: true, web: true)
        let kab = try net.node("32.17", parent: "32", web: true)
        try kab.addUser("ani", role: "tim-zi")
        try prov.addUser("rina", role: "penilai")
        try prov.addUser("budi", role: "tim-zi")
        let ani = WebClient(try net.start("32.17").webURL())
        let rina = WebClient(try net.daemons["32"]!.webURL())
        let budi = WebClient(try net.daemons["32"]!.webURL())
        try await ani.login("ani", "kata-sandi-1")
        try await rina.login("rina", "kata-sandi-1")
        try await budi.login("budi", "kata-sandi-1")
        func answer(_ client: WebClient, satker: String, _ code: String, _ value: String) async throws -> WebClient.Page
        {
            try await client.post(
                "/lke/jawab",
                [
                    ("satker", satker), ("siklus", year), ("area", "manajemen-perubahan"), ("kode", code),
                    ("jawaban", value),
                ])
        }

        #expect(try await answer(ani, satker: "32.17", "A.I.1.i.a", "Ya").status == 303)
        let draft = try await ani.get("/lke?siklus=\(year)")
        #expect(draft.body.contains("id=\"kirim-lke\"") && draft.body.contains("belum dikirim"))
        let sent = try await ani.post("/lke/kirim", [("siklus", year), ("catatan", "Siap dinilai")])
        #expect(sent.status == 303, "\(sent.status) \(sent.body.prefix(300))")
        let locked = try await ani.get(try #require(sent.location))
        #expect(locked.body.contains("LKE terkirim (pengiriman 1"), "the notice")
        #expect(
            locked.body.contains("hanya dapat dibaca sampai dikembalikan") && !locked.body.contains("id=\"kirim-lke\""))
        let refused = try await answer(ani, satker: "32.17", "A.I.1.i.a", "Tidak")
        #expect(refused.status == 422 && refused.body.contains("read-only until the submission is returned"))
        #expect(try await ani.get("/").body.contains("id=\"status-lke-beranda\">dikirim<"))
        // Prerequisites from the web: the unit's own; a value of the wrong form is refused by name.
        let tlhp = try await ani.post(
            "/lke/prasyarat", [("satker", "32.17"), ("siklus", year), ("butir", "tlhp"), ("nilai", "100")])
        #expect(tlhp.status == 303, "\(tlhp.status) \(tlhp.body.prefix(300))")
        let wrong = try await ani.post(
            "/lke/prasyarat", [("satker", "32.17"), ("siklus", year), ("butir", "sakip"), ("nilai", "Z")])
        #expect(wrong.status == 422 && wrong.body.contains("a grade"), "\(wrong.body.prefix(300))")
        #expect(try await ani.get("/lke?siklus=\(year)").body.contains("id=\"prasyarat-tlhp\">100<"))
        #expect(try await ani.get("/").body.contains("tlhp: disyaratkan") == false, "tlhp is met")
        try kab.ok(["sync"])

        // The province's queue: waiting for its assessment; the tim ZI there may not return it.
        let queue = try await rina.get("/penilaian?siklus=\(year)")
        #expect(queue.status == 200 && queue.body.contains("32.17") && queue.body.contains("id=\"jumlah-menunggu\">1<"))
        let notMine = try await budi.post("/lke/kembalikan", [("satker", "32.17"), ("siklus", year), ("catatan", "x")])
        #expect(notMine.status == 403)
        let lhkpn = [("satker", "32.17"), ("siklus", year), ("butir", "lhkpn"), ("nilai", "98,5")]
        #expect(try await budi.post("/lke/prasyarat", lhkpn).status == 403)
        #expect(try await rina.post("/lke/prasyarat", lhkpn).status == 303, "an office above enters it")
        #expect(try await rina.get("/lke?satker=32.17&siklus=\(year)").body.contains("id=\"prasyarat-lhkpn\">98.5<"))
        let badItems = try await rina.post(
            "/lke/kembalikan", [("satker", "32.17"), ("siklus", year), ("catatan", "x"), ("butir", "tanpa titik dua")])
        #expect(badItems.status == 422 && badItems.body.contains("KODE: catatan"), "\(badItems.body.prefix(300))")
        let back = try await rina.post(
            "/lke/kembalikan",
            [
                ("satker", "32.17"), ("siklus", year), ("catatan", "Lengkapi SK tim"),
                ("butir", "A.I.1.i.a: SK belum ditandatangani\n\n"),
            ])
        #expect(back.status == 303, "\(back.status) \(back.body.prefix(300))")
        #expect(try await rina.get(try #require(back.location)).body.contains("dikembalikan untuk revisi 1"))

        // Down at the kab/kota: the return, its note, the item marked; it answers and sends again.
        try kab.ok(["sync"])
        let returned = try await ani.get("/lke?siklus=\(year)")
        #expect(returned.body.contains("Lengkapi SK tim") && returned.body.contains("id=\"kirim-lke\""))
        #expect(returned.body.contains("soal dikembalikan\" id=\"q-A.I.1.i.a\""), "the returned item is marked")
        #expect(returned.body.contains("SK belum ditandatangani"), "the province's note on the item")
        #expect(try await answer(ani, satker: "32.17", "A.I.1.i.a", "Ya").status == 303)
        #expect(try await ani.post("/lke/kirim", [("siklus", year)]).status == 303)
        try kab.ok(["sync"])

        let verdict = try await rina.post(
            "/lke/putusan", [("satker", "32.17"), ("siklus", year), ("putusan", "layak"), ("catatan", "Lanjut")])
        #expect(verdict.status == 303, "\(verdict.status) \(verdict.body.prefix(300))")
        let lhe = try await rina.get("/lke/lhe?satker=32.17&siklus=\(year)")
        #expect(
            lhe.status == 200 && lhe.body.contains("Penilaian pendahuluan (pengiriman 2)"), "\(lhe.body.prefix(300))")
        #expect(lhe.body.contains("Dikembalikan (penilaian pendahuluan)") && lhe.body.contains("Lengkapi SK tim"))
        #expect(try await rina.get("/lke/lhe?satker=31.71").status == 404, "another province's kab/kota")
        let judged = try await rina.get("/penilaian?siklus=\(year)")
        #expect(judged.body.contains("id=\"jumlah-layak\">1<") && judged.body.contains("layak diusulkan"))
        let again = try await rina.post(
            "/lke/putusan", [("satker", "32.17"), ("siklus", year), ("putusan", "belum-layak")])
        #expect(again.status == 422 && again.body.contains("given already"), "\(again.body.prefix(300))")
        #expect(try prov.objects("history", "putusan:32.17:\(year):2").first?["actor"] as? String == "rina@32")
    }

    @Test func theTPIConcludesAndKPURIProposesInTheWebApp() async throws {
        let net = try Deployment()
        defer { net.cleanup() }
        let ri = try net.node("00", serves: true, web: true)
        try net.node("32", parent: "00", serves: true)
        let kab = try net.node("32.17", parent: "32")
        try ri.addUser("tia", role: "tpi")
        try ri.addUser("op", role: "operator")
        try kab.ok(["lke", "answer", "A.I.1.i.a", "Ya"])
        try kab.ok(["lke", "submit"])
        try kab.ok(["sync"])
        try net["32"].ok(["lke", "verdict", "--satker", "32.17", "layak"])
        try net["32"].ok(["sync"])
        let web = try net.daemons["00"]!.webURL()
        let tia = WebClient(web)
        let op = WebClient(web)
        try await tia.login("tia", "kata-sandi-1")
        try await op.login("op", "kata-sandi-1")
        let sheet = try await tia.get("/lke?satker=32.17&siklus=\(year)")
        #expect(sheet.body.contains("id=\"simpulan-kirim\"") && !sheet.body.contains("id=\"usulan-kirim\""))
        #expect(
            try await tia.post("/lke/usulan", [("satker", "32.17"), ("siklus", year), ("kategori", "wbk")]).status
                == 403)
        let concluded = try await tia.post(
            "/lke/simpulan",
            [
                ("satker", "32.17"), ("siklus", year), ("simpulan", "memenuhi"), ("tahap", "dalnis"),
                ("catatan", "sesuai"),
            ])
        #expect(concluded.status == 303, "\(concluded.status) \(concluded.body.prefix(300))")
        #expect(try ri.objects("history", "simpulan:32.17:\(year):1").first?["actor"] as? String == "tia@00")
        // The proposal names what is not met; an override with its reason is recorded as one.
        let refused = try await op.post("/lke/usulan", [("satker", "32.17"), ("siklus", year), ("kategori", "wbk")])
        #expect(refused.status == 422 && refused.body.contains("prerequisite tlhp"), "\(refused.body.prefix(400))")
        let proposed = try await op.post(
            "/lke/usulan", [("satker", "32.17"), ("siklus", year), ("kategori", "wbk"), ("alasan", "arahan pimpinan")])
        #expect(proposed.status == 303, "\(proposed.status) \(proposed.body.prefix(300))")
        let shown = try await op.get(try #require(proposed.location))
        #expect(shown.body.contains("Diusulkan untuk Menuju WBK") && shown.body.contains("dengan pengecualian"))
        #expect(shown.body.contains("Simpulan TPI: memenuhi (pengendali teknis, final"))
        // The calendar from the web: set, then a change without a reason refused, with one kept.
        let today = EvaluationCycle.today()
        let window = [("siklus", year), ("tahap", "usulan"), ("dari", "\(year)-01-01"), ("sampai", today)]
        #expect(try await op.post("/jadwal", window).status == 303)
        #expect(try await tia.post("/jadwal", window).status == 403, "the operator plans the cycle")
        let noReason = try await op.post("/jadwal", window.dropLast() + [("sampai", "\(year)-12-31")])
        #expect(noReason.status == 422 && noReason.body.contains("needs --reason"), "\(noReason.body.prefix(300))")
        let extended = try await op.post(
            "/jadwal", window.dropLast() + [("sampai", "\(year)-12-31"), ("alasan", "perpanjangan usulan")])
        #expect(extended.status == 303)
        let queue = try await op.get("/penilaian?siklus=\(year)")
        #expect(queue.body.contains("perpanjangan usulan") && queue.body.contains("\(year)-12-31"), "the windows shown")
        #expect(queue.status == 200 && queue.body.contains("32.17"))
        #expect(
            queue.body.contains("Menuju WBK</td>") && queue.body.contains("arahan pimpinan"), "the proposals listed")
        #expect(queue.body.contains("belum diambil"), "PortalRB has not fetched it yet")
    }
}
