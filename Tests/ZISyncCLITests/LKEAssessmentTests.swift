import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol
import ZISyncStore
import ZISyncTestSupport
import ZISyncTransport

/// The LKE assessment on the built binary (issue 11): answers by command and from a CSV, the
/// worksheet, the score and the gaps; the layers' write rules at the parent; answers that meet
/// in the merge; a province's report over its kab/kota after sync.
@Suite(.serialized, .timeLimit(.minutes(10))) struct LKEAssessmentTests {
    let year = String(Calendar(identifier: .gregorian).component(.year, from: Date()))

    @Test func aZITeamFillsItsLKEAndSeesScoreAndGaps() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-lke-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let kab = CLI("32.17", in: dir)
        try kab.ok(["init", "--satker", "32.17"])
        func sheet(_ name: String, _ lines: [String]) throws -> String {
            let url = dir.appendingPathComponent(name)
            try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let fresh = try kab.object("lke", "score")["unanswered"] as? Int
        // A bad row: nothing imported, its line and column named.
        let bad = try sheet("salah.csv", ["code,answer,note", "A.I.1.i.a,Ya,", "A.II.1.i.a,0.5,persen"])
        let refused = try kab.run(["lke", "import", bad])
        #expect(refused.status != 0 && refused.stderr.contains("line 3, column code"), "\(refused.stderr)")
        #expect(try kab.object("lke", "score")["unanswered"] as? Int == fresh, "nothing was imported")
        let wrong = try sheet("huruf.csv", ["code;answer", "A.I.1.i.b;D"])
        #expect(try kab.run(["lke", "import", wrong]).stderr.contains("line 2, column answer"))

        let good = try sheet(
            "lke.csv",
            [
                "code,answer,note", "A.I.1.i.a,ya,Tim dibentuk dengan SK", "A.I.1.i.b,B,", "A.II.1.i.a.J1,4,",
                "A.II.1.i.a.J2,3,", "B.I.a,\"3,6\",survei BPS", "B.I.b,C,", "B.II.a,3.2,",
            ])
        #expect(try kab.object("lke", "import", good)["imported"] as? Int == 7)
        try kab.ok(["lke", "answer", "A.I.1.ii.a", "Tidak", "--note", "belum ada"])
        let persen = try kab.run(["lke", "answer", "A.II.1.i.a", "0.5"])
        #expect(persen.status != 0 && persen.stderr.contains("persen row"), "\(persen.stderr)")
        // A negative count reaches the answer check (not the option parser) and is refused by name.
        let negative = try kab.run(["lke", "answer", "A.II.1.i.a.J1", "-3"])
        #expect(
            negative.status != 0 && negative.stderr.contains("A.II.1.i.a.J1")
                && negative.stderr.contains("a whole number of 0 or more") && negative.stderr.contains("-3"),
            "\(negative.stderr)")
        let layer = try kab.run(["lke", "answer", "A.I.1.i.a", "Ya", "--layer", "tpi"])
        #expect(layer.status != 0 && layer.stderr.contains("only by KPU RI (00)"), "\(layer.stderr)")

        // The worksheet: a header and every catalogue row.
        let csv = try kab.ok(["lke", "sheet", "--csv"]).split(separator: "\n")
        #expect(csv.first?.hasPrefix("code,level,name,weight,answer_type,unit,unit_value,provinsi") == true)
        #expect(csv.count == 200, "header + 199 catalogue rows")
        #expect(csv.contains { $0.hasPrefix("A.I.1.i.a,pertanyaan,") && $0.contains(",Ya,1.0000,") })

        let score = try kab.object("lke", "score")
        // 0.50 × (1 + 0.5)/2 + 1.00 × (0 + 0 + 0)/3 + 2.00 × (3/4 + 0)/2 + 17.50 × 3.6/4 + 5.00 × 0.5 + 17.50 × 3.2/4
        let expected = 0.375 + 0 + 0.75 + 15.75 + 2.5 + 14
        #expect(score["unanswered"] as? Int == (fresh ?? 0) - 8, "\(score)")
        #expect(abs((score["total"] as? Double ?? 0) - expected) < 1e-9, "\(score)")
        #expect(score["satker"] as? String == "32.17" && score["layer"] as? String == "unit")
        #expect((score["areas"] as? [[String: Any]])?.count == 6 && (score["indicators"] as? [Any])?.count == 44)
        let readiness = try #require(score["readiness"] as? [String: Any])
        let wbk = try #require(readiness["wbk"] as? [String: Any])
        #expect(wbk["meets"] as? Bool == false)
        #expect((wbk["failed"] as? [[String: Any]])?.contains { $0["rule"] as? String == "ipak" } == false)
        #expect((wbk["failed"] as? [[String: Any]])?.contains { $0["rule"] as? String == "kinerja" } == false)

        let gaps = try #require(try kab.object("lke", "gaps", "--top", "3")["gaps"] as? [[String: Any]])
        // IPKP 3.2 → 4: 17.50 × 0.2 = 3.50, then A.II.5.ii.a (3.00), then the first of those worth
        // 2.50 in document order (A.II.5.i.a before kinerja C → A, 5.00 × 0.5).
        #expect(gaps.map { $0["code"] as? String } == ["B.II.a", "A.II.5.ii.a", "A.II.5.i.a"], "\(gaps)")
        let gains = gaps.compactMap { $0["gain"] as? Double }
        #expect(abs(gains[0] - 3.5) < 1e-9 && abs(gains[2] - 2.5) < 1e-9, "\(gains)")
    }

    /// Raw pushes with answers of a layer the sender may not write: refused with the reason, the
    /// rest of the batch applied; the province's layer reaches the kab/kota; its report lists both.
    @Test func layersAreCheckedAtTheParentAndFlowDownToTheirOffice() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let other = try d.node("32.18", parent: "32")
        try kab.ok(["lke", "answer", "A.I.1.i.a", "Ya"])
        try other.ok(["lke", "answer", "A.I.1.i.a", "Tidak"])
        // Submitted: the reviewers' layers follow a submission (EvaluationCycleTests).
        try kab.ok(["lke", "submit"])
        try other.ok(["lke", "submit"])
        try kab.ok(["sync"])
        try other.ok(["sync"])

        func answer(_ origin: String, seq: Int64, prev: String?, satker: String, layer: String, _ value: String)
            -> Change
        {
            Change(
                origin: origin, seq: seq, hlc: HLC(milliseconds: HybridClock.systemMilliseconds(), counter: 0),
                recordType: "lke_answer", recordID: "jawaban:\(satker):\(year):\(layer):A.I.1.i.b", owner: satker,
                fields: ["answer": .string(value), "code": .string("A.I.1.i.b"), "layer": .string(layer)], base: [:],
                actor: "uji", prev: prev)
        }
        let tip = try #require(try Store.open(home: Home(path: kab.home.path)).outboxChanges(all: true).last)
        let own = try d.signed(
            answer("32.17", seq: tip.seq + 1, prev: tip.hash, satker: "32.17", layer: "provinsi", "A"))
        let pushed = try await d.push(as: "32.17", to: "32", [own], certificates: try d.certificates("32.17"))
        #expect(pushed.accepted == 0 && pushed.refused.count == 1, "\(pushed)")
        #expect(
            pushed.refused.first?.reason.contains("layer provinsi of 32.17's LKE may be written only by 32") == true)

        // The province: tpi is KPU RI's, another province's kab/kota is not its own.
        #expect(
            try d["32"].run(["lke", "answer", "A.I.1.i.a", "Ya", "--satker", "32.17", "--layer", "tpi"]).status != 0)
        let foreign = try d["32"].run(["lke", "answer", "A.I.1.i.a", "Ya", "--satker", "33.01", "--layer", "provinsi"])
        #expect(foreign.status != 0 && foreign.stderr.contains("only by 33"), "\(foreign.stderr)")

        // Its penilaian pendahuluan of 32.17 comes down to 32.17 (and to no other office).
        try d["32"].ok(["lke", "answer", "A.I.1.i.a", "Tidak", "--satker", "32.17", "--note", "SK belum ada"])
        // KPU RI refuses the kab/kota's refused change again as the province relays its chain (by
        // this round or the daemon's own, whichever comes first).
        let relay = try d["32"].run(["sync"])
        #expect(relay.status == 0 || relay.stderr.contains("layer provinsi"), "\(relay.stderr)")
        #expect((try d["00"].object("status")["refusedHere"] as? Int ?? 0) >= 1)
        try kab.ok(["sync"])
        try other.ok(["sync"])
        let sheet = try kab.ok(["lke", "sheet", "--csv"]).split(separator: "\n")
        let row = try #require(sheet.first { $0.hasPrefix("A.I.1.i.a,") })
        #expect(row.contains(",Ya,1.0000,Tidak,0.0000,") && row.hasSuffix(",ya"), "unit Ya, provinsi Tidak: \(row)")
        #expect(!(try other.ok(["lke", "sheet", "--csv"]).contains("Tidak,0.0000,Tidak")))

        let report = try d["32"].ok(["lke", "report", "--json"])
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [[String: Any]])
        #expect(lines.map { $0["satker"] as? String } == ["32.18", "32.17"], "worst first: \(report)")
        #expect(try d["00"].ok(["lke", "report", "--csv"]).split(separator: "\n").count == 3)

        // At KPU RI, a province's batch: the tpi layer and another province's kab/kota refused with
        // the reason, its own penilaian applied.
        let pTip = try #require(try Store.open(home: Home(path: d["32"].home.path)).outboxChanges(all: true).last)
        let tpi = try d.signed(answer("32", seq: pTip.seq + 1, prev: pTip.hash, satker: "32.17", layer: "tpi", "A"))
        let far = try d.signed(answer("32", seq: pTip.seq + 2, prev: tpi.hash, satker: "33.01", layer: "provinsi", "A"))
        let mine = try d.signed(
            answer("32", seq: pTip.seq + 3, prev: far.hash, satker: "32.18", layer: "provinsi", "C"))
        let atRI = try await d.push(as: "32", to: "00", [tpi, far, mine], certificates: try d.certificates("32"))
        #expect(atRI.accepted == 1 && atRI.refused.count == 2, "\(atRI)")
        let why = atRI.refused.map(\.reason)
        #expect(why.contains { $0.contains("layer tpi of 32.17's LKE may be written only by KPU RI (00), not by 32") })
        #expect(why.contains { $0.contains("layer provinsi of 33.01's LKE may be written only by 33") }, "\(why)")
    }

    /// Bukti dukung per question: an answer names evidence of its own satker only; the sheet and
    /// the gaps count what is linked to each code. The predikat KPU RI grants opens the WBBM rule.
    @Test func evidencePerQuestionAndThePredikat() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let other = try d.node("32.18", parent: "32")
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Pembentukan tim", "--lke", "A.I.1.i.a"])
        let sk = try kab.object(
            "evidence", "add", "--plan", plan, "--lke", "A.I.1.i.a", "--title", "SK Tim ZI",
            try d.file("sk.pdf", bytes: 20_000, seed: 3).path)
        let skID = try #require(sk["id"] as? String)
        let theirPlan = try other.ok(["plan", "add", "--area", "1", "--activity", "Milik 32.18"])
        let theirs = try other.object("evidence", "add", "--plan", theirPlan, try d.file("x.pdf", bytes: 9_000).path)
        try other.ok(["sync"])
        try kab.ok(["sync"])

        try kab.ok(["lke", "answer", "A.I.1.i.a", "Tidak", "--evidence", skID])
        let foreign = try d["32"].run([
            "lke", "answer", "A.I.1.i.a", "Ya", "--satker", "32.17", "--layer", "provinsi", "--evidence",
            try #require(theirs["id"] as? String),
        ])
        #expect(foreign.status != 0 && foreign.stderr.contains("belongs to 32.18, not to 32.17"), "\(foreign.stderr)")
        let row = try #require(
            try kab.ok(["lke", "sheet", "--csv"]).split(separator: "\n").first { $0.hasPrefix("A.I.1.i.a,") })
        #expect(row.hasSuffix(",1,"), "the answer's bukti dukung is the one linked by code, counted once: \(row)")
        let items = try #require(try kab.object("lke", "score")["items"] as? [[String: Any]])
        #expect(items.first { $0["code"] as? String == "A.I.1.i.a" }?["evidence"] as? Int == 1, "\(items.prefix(2))")
        let gaps = try #require(try kab.object("lke", "gaps", "--top", "200")["gaps"] as? [[String: Any]])
        let b = try #require(gaps.first { $0["code"] as? String == "A.I.1.i.a" })
        #expect(b["plans"] as? [String] == ["Pembentukan tim"] && b["evidence"] as? [String] == ["SK Tim ZI"], "\(b)")

        // WBBM requires Menuju WBK: granted at KPU RI, it comes down and the rule is met.
        func predikatFailed() throws -> Bool {
            let wbbm = try #require(
                (try kab.object("lke", "score")["readiness"] as? [String: Any])?["wbbm"] as? [String: Any])
            return (wbbm["failed"] as? [[String: Any]] ?? []).contains { $0["rule"] as? String == "predikat wbk" }
        }
        #expect(try predikatFailed())
        #expect(
            try d["32"].run(["lke", "predikat", "--satker", "32.17", "--year", year, "wbk"]).status != 0, "only 00")
        // PortalRB wants two full years of WBK: this year's and last year's predikat do not open
        // WBBM, one from two years before does.
        let lastYear = String(Int(year)! - 1)
        try d["00"].ok(["lke", "predikat", "--satker", "32.17", "--year", year, "wbk"])
        try d["00"].ok(["lke", "predikat", "--satker", "32.17", "--year", lastYear, "wbk"])
        try d["32"].ok(["sync"])
        try kab.ok(["sync"])
        #expect(try predikatFailed())
        try d["00"].ok(["lke", "predikat", "--satker", "32.17", "--year", String(Int(year)! - 2), "wbk"])
        try d["32"].ok(["sync"])
        try kab.ok(["sync"])
        #expect(try !predikatFailed())
    }
}
