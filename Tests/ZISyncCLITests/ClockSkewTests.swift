import Foundation
import Testing

/// A node whose clock runs ahead cannot win every later conflict (brief §5.3): changes stamped
/// more than `clock_skew_limit_seconds` ahead of the parent's clock wait at the parent until its
/// clock reaches them; and once a sync has measured a node's skew, its new writes use the
/// parent's time. Clocks are moved with libfaketime (Debian's faketime), on real processes.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ClockSkewTests {
    static let dayAhead = FakeClock.ahead("+1d")

    /// A kab/kota whose clock runs a day ahead writes; its parent holds those changes rather than
    /// let them win every later conflict; the same round learns the parent's time, re-stamps its
    /// own changes (nobody accepted them yet) and sends them again: accepted, stamped now.
    @Test func changesStampedAheadAreReStampedAndAcceptedInTheSameRound() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let ahead = try kab.run(["plan", "add", "--area", "1", "--activity", "Jam salah"], prefix: Self.dayAhead)
        #expect(ahead.status == 0, "\(ahead.stderr) (is faketime installed? scripts/install-deps.sh)")
        #expect(
            try kab.run(["plan", "add", "--area", "2", "--activity", "Sesudahnya"], prefix: Self.dayAhead).status == 0)

        let round = try kab.run(["sync", "--json"], prefix: Self.dayAhead)
        let report = try round.object()
        #expect(report["restamped"] as? Int == 2, "\(round.stdout) \(round.stderr)")
        #expect(report["pushed"] as? Int == 2 && report["heldByParent"] as? Int == 0, "\(round.stdout)")
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
        #expect(try d["32"].digest("32.17").hasSuffix("(2 records)"))
        #expect(try d["32"].object("status")["heldChanges"] as? Int == 0, "nothing left waiting at the parent")
        // Stamped with the parent's time, not a day ahead: at the parent and here alike.
        for node in [kab, d["32"]] {
            for plan in try node.objects("plan", "list", "--satker", "32.17") {
                let updated = try #require(plan["updated"] as? String)
                let written = try #require(ISO8601DateFormatter().date(from: String(updated.prefix(19)) + "Z"))
                #expect(abs(written.timeIntervalSinceNow) < 600, "\(updated)")
            }
        }
        #expect(try kab.object("status")["pendingChanges"] as? Int == 0)
    }

    /// A province's clock jumps a month ahead while it writes a review; its kab/kota pulls the
    /// review and keeps it waiting (its own clock does not move, its own writes stay on time).
    /// The first change that passes through the province once its clock is right re-stamps the
    /// review, and the kab/kota applies the re-stamped one in place of the first.
    @Test func aChangeFromAboveStampedAheadWaitsWithoutMovingTheClock() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        // The province serves its kab/kota and has no rounds of its own: nothing else re-stamps.
        try d.node("32", serves: true)
        let kab = try d.node("32.17", parent: "32")
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Dinilai"])
        try kab.ok(["sync"])
        let review = try d["32"].run(
            ["review", "plan", plan, "--verdict", "disetujui"], prefix: FakeClock.ahead("+30d"))
        #expect(review.status == 0, "\(review.stderr)")

        let first = try kab.object("sync")
        #expect(first["heldHere"] as? Int == 1, "\(first)")
        let status = try kab.object("status")
        let waiting = try #require((status["waiting"] as? [[String: Any]])?.first)
        #expect(waiting["origin"] as? String == "32" && waiting["reason"] as? String == "clock")
        #expect((waiting["releasedBy"] as? String)?.contains("re-stamps") == true)
        let text = try kab.ok(["status"])
        #expect(text.contains("waiting:   1 change(s) of 32 here"), "\(text)")
        #expect(try kab.ok(["plan", "show", plan]).contains("disetujui") == false, "not applied")
        // Its own clock did not move: a new write is stamped now.
        let later = try kab.object("plan", "add", "--area", "2", "--activity", "Tepat waktu")
        let updated = try #require(later["updated"] as? String)
        let written = try #require(ISO8601DateFormatter().date(from: String(updated.prefix(19)) + "Z"))
        #expect(abs(written.timeIntervalSinceNow) < 600, "\(updated)")

        // Its push reaches the province, whose clock is right: the review is re-stamped there and
        // pulled in the same round, in place of the one waiting.
        let second = try kab.object("sync")
        #expect(second["pushed"] as? Int == 1 && second["heldByParent"] as? Int == 0, "\(second)")
        #expect(second["heldHere"] as? Int == 0 && (second["pulled"] as? Int ?? 0) >= 1, "\(second)")
        #expect(try kab.ok(["plan", "show", plan]).contains("disetujui"))
        #expect(try kab.object("status")["heldChanges"] as? Int == 0)
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
        #expect(try kab.run(["verify"]).status == 0)
        #expect(try d["32"].run(["verify"]).status == 0)
    }

    /// A kab/kota whose clock runs three weeks behind (more than zisync corrects the other way)
    /// takes its parent's time at once, so what comes from above is applied rather than held; one
    /// whose clock runs a month ahead is not pulled back that far by its parent's word: its changes
    /// wait, the operator is told to set the clock, and once it is right they are re-stamped and
    /// accepted. The certificates were issued a month ago, as they would be.
    @Test func aClockWeeksBehindIsCorrectedAndOneFarAheadIsNot() throws {
        let d = try Deployment(pkiClock: FakeClock.ahead("-30d"))
        defer { d.cleanup() }
        try d.node("00", serves: true)
        try d.node("32", parent: "00", serves: true)
        let behind = try d.node("32.17", parent: "32")
        let plan = try behind.ok(["plan", "add", "--area", "1", "--activity", "Dinilai"])
        try behind.ok(["sync"])
        try d["32"].ok(["review", "plan", plan, "--verdict", "disetujui"])
        let past = FakeClock.ahead("-21d")
        #expect(try behind.run(["plan", "add", "--area", "2", "--activity", "Jam mundur"], prefix: past).status == 0)
        let round = try behind.run(["sync", "--json"], prefix: past)
        let report = try round.object()
        #expect(report["heldHere"] as? Int == 0 && report["heldByParent"] as? Int == 0, "\(round.stdout)")
        #expect(try behind.ok(["plan", "show", plan]).contains("disetujui"), "the review from above was applied")
        let offset = try behind.object("status")["clockOffsetMilliseconds"] as? Int ?? 0
        #expect(offset > 20 * 86_400_000 && offset < 22 * 86_400_000, "\(offset)")

        let ahead = try d.node("32.18", parent: "32")
        let month = FakeClock.ahead("+30d")
        #expect(try ahead.run(["plan", "add", "--area", "1", "--activity", "Jam maju"], prefix: month).status == 0)
        let far = try ahead.run(["sync", "--json"], prefix: month).object()
        let problem = try #require(far["problem"] as? [String: Any], "\(far)")
        #expect(problem["cause"] as? String == "clock", "\(problem)")
        #expect(far["heldByParent"] as? Int == 1 && far["restamped"] as? Int == 0, "\(far)")
        #expect(try ahead.object("status")["clockOffsetMilliseconds"] == nil, "not moved back by a month")
        let fixed = try ahead.object("sync")
        #expect(fixed["restamped"] as? Int == 1 && fixed["pushed"] as? Int == 1, "\(fixed)")
        #expect(try d["32"].digest("32.18") == ahead.digest("32.18"))
    }

    /// A bundle carrying a change stamped in the year 2100 (a typo, a crafted file) waits at the
    /// province, never moves its clock: the province's own writes still reach KPU RI on time.
    @Test func aBundleFromTheYear2100FreezesNothing() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let future = try kab.run(
            ["plan", "add", "--area", "1", "--activity", "Tahun 2100"], prefix: FakeClock.ahead("@2100-01-01 00:00:00"))
        #expect(future.status == 0, "\(future.stderr)")
        let file = d.dir.appendingPathComponent("2100.zisync").path
        _ = try kab.run(["bundle", "export", "--out", file], prefix: FakeClock.ahead("@2100-01-01 00:00:00"))
        let imported = try d["32"].object("bundle", "import", file)
        #expect((imported["held"] as? Int ?? 0) == 1, "\(imported)")
        #expect(try d["32"].digest("32.17").hasSuffix("(0 records)"))

        let own = try d["32"].object("plan", "add", "--area", "3", "--activity", "Milik provinsi")
        let updated = try #require(own["updated"] as? String)
        #expect(updated.hasPrefix("2100") == false, "\(updated)")
        let up = try d["32"].object("sync")
        #expect(up["heldByParent"] as? Int == 0, "\(up)")
        #expect(try d["00"].digest("32") == d["32"].digest("32"))
        #expect(try d["00"].digest("32").hasSuffix("(1 records)"), "the province's own plan is at KPU RI")

        // The kab/kota's clock is right again: its next write re-stamps, and the next bundle applies.
        try kab.ok(["plan", "add", "--area", "2", "--activity", "Jam benar"])
        try kab.ok(["bundle", "export", "--out", file])
        let again = try d["32"].object("bundle", "import", file)
        #expect(again["held"] as? Int == 0, "\(again)")
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
        #expect(try d["32"].digest("32.17").hasSuffix("(2 records)"))
    }

    @Test func aSkewMeasuredAtSyncCorrectsLaterWrites() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let synced = try kab.run(["sync"], prefix: Self.dayAhead)
        #expect(synced.status == 0, "\(synced.stderr)")
        let status = try kab.object("status")
        let skew = status["clockSkewMilliseconds"] as? Int ?? 0
        #expect(skew < -86_000_000 && skew > -87_000_000, "about one day ahead: \(skew)")
        #expect(status["clockOffsetMilliseconds"] as? Int == skew)
        let text = try kab.run(["status"]).stdout
        #expect(text.contains("ahead of the parent's"), "\(text)")

        let added = try kab.run(
            ["plan", "add", "--area", "3", "--activity", "Jam dikoreksi", "--json"], prefix: Self.dayAhead)
        let plan = try added.object()
        let updated = try #require(plan["updated"] as? String)
        let written = try #require(ISO8601DateFormatter().date(from: String(updated.prefix(19)) + "Z"))
        #expect(abs(written.timeIntervalSinceNow) < 600, "written at the parent's time, not a day ahead")
        let pushed = try kab.object("sync")
        #expect(pushed["pushed"] as? Int == 1 && pushed["heldByParent"] as? Int == 0)
    }
}
