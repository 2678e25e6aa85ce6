import Foundation
import Testing

/// A node whose clock runs ahead cannot win every later conflict (brief §5.3): changes stamped
/// more than `clock_skew_limit_seconds` ahead of the parent's clock wait at the parent until its
/// clock reaches them; and once a sync has measured a node's skew, its new writes use the
/// parent's time. Clocks are moved with libfaketime (Debian's faketime), on real processes.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ClockSkewTests {
    static let dayAhead = FakeClock.ahead("+1d")

    @Test func changesFromAClockAheadWaitAtTheParentUntilItsClockReachesThem() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("00", serves: true)
        try d.node("32", parent: "00", serves: true)
        let kab = try d.node("32.17", parent: "32")
        let ahead = try kab.run(["plan", "add", "--area", "1", "--activity", "Jam salah"], prefix: Self.dayAhead)
        #expect(ahead.status == 0, "\(ahead.stderr) (is faketime installed? scripts/install-deps.sh)")
        try kab.ok(["plan", "add", "--area", "2", "--activity", "Sesudahnya"])

        // The parent holds both (the second waits behind the first): not applied, not refused, not lost.
        let first = try kab.object("sync")
        #expect(first["heldByParent"] as? Int == 2 && first["pushed"] as? Int == 0)
        #expect(try d["32"].digest("32.17").hasSuffix("(0 records)"))
        let status = try kab.object("status")
        #expect((status["heldByParent"] as? String)?.contains("ahead") == true)
        #expect(status["pendingChanges"] as? Int == 2)

        // When the parent's clock reaches them, they are applied, in order.
        try d.restart("32", prefix: Self.dayAhead)
        let released = try kab.run(["sync"])
        #expect(released.status == 0, "\(released.stderr)")
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
        #expect(try d["32"].digest("32.17").hasSuffix("(2 records)"))
        #expect(try kab.object("status")["pendingChanges"] as? Int == 0)
    }

    @Test func aSkewMeasuredAtSyncCorrectsLaterWrites() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("00", serves: true)
        try d.node("32", parent: "00", serves: true)
        let kab = try d.node("32.17", parent: "32")
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
