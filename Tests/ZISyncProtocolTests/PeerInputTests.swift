import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol

/// What another node sends is checked before it is used: numbers within their bounds (nothing
/// that arithmetic on it could overflow), text cleaned of what would forge a log line or move a
/// terminal's cursor, documents bounded in the values they hold.
@Suite struct PeerInputTests {
    static let now: Int64 = 1_790_000_000_000

    func report(_ edit: (inout ChildReport) -> Void) -> Data {
        var r = ChildReport(
            pendingChanges: 1, pendingFiles: 0, pendingBytes: 0, oldestPending: Self.now, problem: nil,
            below: .init(attention: [], ok: 0, neverSeen: 0))
        edit(&r)
        return r.encoded()
    }

    @Test func aReportWithExtremeNumbersIsRefusedNamingTheField() {
        let cases: [(String, (inout ChildReport) -> Void)] = [
            ("oldestPending", { $0.oldestPending = Int64.min }),
            ("oldestPending", { $0.oldestPending = Int64.max }),
            ("pendingChanges", { $0.pendingChanges = -1 }),
            ("pendingBytes", { $0.pendingBytes = Int64.max }),
            ("problem.at", { $0.problem = SyncProblem(cause: .link, message: "", advice: "", at: Int64.min) }),
            (
                "below.attention[0].lagSeconds",
                {
                    $0.below = .init(
                        attention: [.init(satker: "32.18", state: .late, lagSeconds: Int64.max, problem: nil)], ok: 0,
                        neverSeen: 0)
                }
            ),
            ("below.ok", { $0.below = .init(attention: [], ok: -5, neverSeen: 0) }),
        ]
        for (field, edit) in cases {
            #expect {
                try ChildReport.decode(report(edit))
            } throws: { error in
                "\(error)".hasPrefix(field + " is ")
            }
        }
        let many = report {
            $0.below = .init(
                attention: Array(
                    repeating: .init(satker: "32.18", state: .late, lagSeconds: 1, problem: nil),
                    count: ChildReport.maxAttention + 1), ok: 0, neverSeen: 0)
        }
        #expect(throws: MalformedMessage.self) { try ChildReport.decode(many) }
    }

    @Test func peerTextCannotForgeLogLinesOrMoveTheCursor() throws {
        let hostile = "ok\n<3>zisync: forged line\r\u{1B}[2J\u{1B}]0;title\u{07}\u{202E}txt.exe\u{0085}end"
        let body = report {
            $0.problem = SyncProblem(cause: .link, message: hostile, advice: hostile, at: Self.now)
            $0.below = .init(
                attention: [.init(satker: "32.18\u{1B}[31m", state: .failing, lagSeconds: 3, problem: nil)], ok: 0,
                neverSeen: 0)
        }
        let decoded = try ChildReport.decode(body)
        for text in [decoded.problem!.message, decoded.problem!.advice, decoded.below!.attention[0].satker] {
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(text)")
            #expect(!text.contains("\u{202E}"))
        }
        #expect(decoded.problem!.message.hasPrefix("ok <3>zisync: forged line"), "one line, kept readable")
        #expect(PeerText.clean(String(repeating: "x", count: 5000)).count == PeerText.defaultMaxCharacters + 1)
    }

    @Test func aPushAnswerIsBelievedOnlyWithinBounds() throws {
        func answer(_ edit: (inout PushAnswer) -> Void) throws -> Data {
            var a = PushAnswer(
                accepted: 2, duplicates: 0, held: 0, refused: [], tips: ["32.17": 2], serverTime: Self.now)
            edit(&a)
            return try JSONEncoder().encode(a)
        }
        #expect(try PushAnswer.decode(try answer { _ in }, sent: 2).accepted == 2)
        // The batch released changes held from the one before it: more accepted than it carried.
        #expect(try PushAnswer.decode(try answer { $0.accepted = 7 }, sent: 2).accepted == 7)
        let bad: [(inout PushAnswer) -> Void] = [
            { $0.accepted = Int.max }, { $0.accepted = -1 }, { $0.duplicates = -1 }, { $0.held = -1 },
            { $0.serverTime = Int64.max }, { $0.serverTime = 0 }, { $0.tips = ["32.17": -1] },
            { $0.refused = Array(repeating: Refusal(change: "a", record: "b", reason: "c"), count: 3) },
        ]
        for edit in bad {
            #expect(throws: MalformedMessage.self) { try PushAnswer.decode(try answer(edit), sent: 2) }
        }
        let cleaned = try PushAnswer.decode(
            try answer { $0.refused = [Refusal(change: "x\n", record: "y", reason: "z\u{1B}[1m")] }, sent: 2)
        #expect(cleaned.refused[0].reason == "z [1m" && cleaned.refused[0].change == "x ")
    }

    @Test func aPullAnswerIsBelievedOnlyWithinBounds() throws {
        for (next, time) in [(Int64(-1), Self.now), (5, Int64.max), (5, Int64(7))] {
            let body = PullPage.encode(wire: [], next: next, more: false, serverTime: time)
            #expect(throws: MalformedMessage.self) { try PullPage.decode(body) }
        }
        // The parent's identity and tips come back as sent, and only within bounds.
        let page = try PullPage.decode(
            PullPage.encode(wire: [], next: 3, more: false, serverTime: Self.now, parent: "ab12", tips: ["32.17": 4]))
        #expect(page.parent == "ab12" && page.tips == ["32.17": 4])
        for bad in [
            PullPage.encode(wire: [], next: 3, more: false, serverTime: Self.now, tips: ["32.17": -4]),
            PullPage.encode(
                wire: [], next: 3, more: false, serverTime: Self.now, parent: String(repeating: "a", count: 65)),
            Data(#"{"changes":[],"more":false,"next":1,"serverTime":1790000000000,"tips":[1]}"#.utf8),
            Data(#"{"changes":[],"more":false,"next":1,"serverTime":1790000000000,"tips":{"32.17":"x"}}"#.utf8),
        ] {
            #expect(throws: MalformedMessage.self) { try PullPage.decode(bad) }
        }
    }

    @Test func aSmallBodyCannotBuildAHugeTree() throws {
        // 3 MB of zeros in one array: 1.5 million values, beyond what a document may hold.
        let huge =
            Data("[".utf8) + Data(repeating: 0x30, count: 1).repeated(1_500_000, separator: 0x2C) + Data("]".utf8)
        #expect {
            try JSONValue.parse(huge)
        } throws: { error in
            "\(error)".contains("more values than a document may hold")
        }
        #expect(throws: MalformedMessage.self) {
            try PushRequest.decode(Data("{\"from\":\"32.17\",\"changes\":".utf8) + huge + Data("}".utf8))
        }
        // The same number of values fits when the caller allows it.
        if case .array(let items) = try JSONValue.parse(huge, maxValues: 2_000_000) {
            #expect(items.count == 1_500_000)
        }
    }

    @Test func contentRangesMustBeConsistent() {
        #expect(ByteRange.parseContentRange("bytes 0-9/100")! == (0, 10, 100))
        for bad in ["bytes 9-0/100", "bytes 0-100/100", "bytes -1-5/10", "bytes 0-5", "items 0-1/2", "bytes a-b/c"] {
            #expect(ByteRange.parseContentRange(bad) == nil, "\(bad)")
        }
    }
}

extension Data {
    /// This data `count` times, with `separator` between the copies.
    func repeated(_ count: Int, separator: UInt8) -> Data {
        var out = Data(capacity: (self.count + 1) * count)
        for i in 0..<count {
            if i > 0 { out.append(separator) }
            out.append(self)
        }
        return out
    }
}
