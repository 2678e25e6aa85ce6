import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol

@Suite struct ChangeDecoderTests {
    let change = Change(
        origin: "11.01", seq: 3, hlc: HLC(milliseconds: 1_700_000_000_000, counter: 2), recordType: "action_plan",
        recordID: "00000000-0000-4000-8000-000000000001", owner: "11.01",
        fields: [
            "activity": .string("Sosialisasi \u{1} \"WBK\" ✓ 😀"), "progress": .int(-1), "deleted": .bool(false),
            "pic": .null,
        ],
        base: ["activity": [Version(origin: "11", seq: 4)]], actor: "ani", prev: String(repeating: "a", count: 64))

    func decode(_ text: String) throws -> Change { try ChangeDecoder.change(from: Array(text.utf8)) }

    @Test func readsTheWireFormInAnyLayout() throws {
        let back = try decode(change.wireJSON)
        #expect(back == change)
        #expect(back.hashIsValid)
        // Any spacing, key order and escaping of the same values decodes to the same change.
        let object = try JSONSerialization.jsonObject(with: Data(change.wireJSON.utf8))
        let pretty = try JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .withoutEscapingSlashes])
        #expect(try ChangeDecoder.change(from: pretty) == change)
        let escaped = change.wireJSON.replacingOccurrences(of: "✓ 😀", with: "\\u2713 \\ud83d\\ude00")
        #expect(try decode(escaped) == change)
    }

    @Test func storedColumnsDecodeToTheSameChange() throws {
        let stored = try ChangeDecoder.change(
            origin: change.origin, seq: change.seq, hlc: change.hlc.rawValue, type: change.recordType,
            record: change.recordID, owner: change.owner, actor: change.actor, fieldsJSON: change.fieldsJSON,
            baseJSON: change.baseJSON, prev: change.prev, hash: change.hash)
        #expect(stored == change && stored.hashIsValid)
        // The columns are read by the same rules as the wire: a bad version is an error, not dropped.
        #expect(throws: ChangeDecoder.Malformed.self) {
            try ChangeDecoder.change(
                origin: "11.01", seq: 1, hlc: 1, type: "action_plan", record: change.recordID, owner: "11.01",
                actor: "a", fieldsJSON: "{}", baseJSON: "{\"x\":[\"eleven\"]}", prev: nil, hash: "")
        }
    }

    @Test func anyEditShowsAsAHashMismatch() throws {
        let edited = try decode(change.wireJSON.replacingOccurrences(of: "\"ani\"", with: "\"budi\""))
        #expect(!edited.hashIsValid)
    }

    @Test func malformedInputIsRejectedWithAReason() {
        let cases = [
            change.wireJSON.replacingOccurrences(of: "\"11:4\"", with: "\"eleven\""),
            change.wireJSON.replacingOccurrences(of: "\"progress\":-1", with: "\"progress\":1.5"),
            change.wireJSON.replacingOccurrences(of: "\"origin\":\"11.01\",", with: ""),
            change.wireJSON + "x",
            String(change.wireJSON.dropLast()),
            change.wireJSON.replacingOccurrences(of: "\"seq\":3", with: "\"seq\":\"3\""),
            change.wireJSON.replacingOccurrences(of: "\"pic\":null", with: "\"pic\":[1]"),
            change.wireJSON.replacingOccurrences(of: "\"prev\":\"", with: "\"prev\":[\""),
            "[]", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud83d\"}", "{\"a\":99999999999999999999}",
            String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
        ]
        for text in cases {
            #expect(throws: ChangeDecoder.Malformed.self, "\(text.prefix(40))") { try decode(text) }
        }
    }
}

@Suite struct MessageTests {
    let change = Change(
        origin: "32.17", seq: 1, hlc: HLC(milliseconds: 1_700_000_000_000, counter: 0), recordType: "action_plan",
        recordID: "00000000-0000-4000-8000-000000000001", owner: "32.17", fields: ["activity": .string("a")],
        base: [:], actor: "ani", prev: nil)

    @Test func aPushCarriesItsChangesAndItsSender() throws {
        let body = PushRequest.encode(from: "32.17", wire: [change.wireJSON, "{\"nope\":1}", change.wireJSON])
        let push = try PushRequest.decode(body)
        #expect(push.from == "32.17" && push.changes.count == 3)
        #expect((try? push.changes[0].get()) == change)
        #expect((try? push.changes[1].get()) == nil, "one bad change does not spoil the batch")
        // The sender is written as a JSON string, never pasted in: quotes cannot break out.
        let tricky = try PushRequest.decode(PushRequest.encode(from: "32\",\"x\":\"", wire: []))
        #expect(tricky.from == "32\",\"x\":\"")
        #expect(throws: MalformedMessage.self) { try PushRequest.decode(Data("{\"changes\":{}}".utf8)) }
        #expect(throws: MalformedMessage.self) { try PushRequest.decode(Data("{\"changes\":[]}".utf8)) }
        #expect(throws: MalformedMessage.self) { try PushRequest.decode(Data("<html>".utf8)) }
    }

    @Test func aPullPageIsReadWholeOrNotAtAll() throws {
        let time: Int64 = 1_790_000_000_000
        let body = PullPage.encode(wire: [change.wireJSON], next: 42, more: true, serverTime: time)
        let page = try PullPage.decode(body)
        #expect(page == PullPage(changes: [change], next: 42, more: true, serverTime: time))
        let bad = PullPage.encode(wire: [change.wireJSON, "{}"], next: 1, more: false, serverTime: time)
        #expect(throws: MalformedMessage.self) { try PullPage.decode(bad) }
        #expect(throws: MalformedMessage.self) { try PullPage.decode(Data("{\"changes\":[]}".utf8)) }
    }

    @Test func aChildReportRoundTripsWithItsTypedStates() throws {
        let report = ChildReport(
            pendingChanges: 3, pendingFiles: 1, pendingBytes: 2048, oldestPending: 1_790_000_000_000,
            problem: SyncProblem(cause: .notZISync, message: "m", advice: "a", at: 1_790_000_000_009),
            below: .init(
                attention: [.init(satker: "32.18", state: .late, lagSeconds: 60, problem: nil)], ok: 1, neverSeen: 25))
        #expect(try ChildReport.decode(report.encoded()) == report)
        #expect(String(decoding: report.encoded(), as: UTF8.self).contains("\"not_zisync\""))
        let unknownState = String(decoding: report.encoded(), as: UTF8.self).replacingOccurrences(
            of: "\"late\"", with: "\"asleep\"")
        #expect(throws: MalformedMessage.self) { try ChildReport.decode(Data(unknownState.utf8)) }
    }

    @Test func refusalsAreSummedUpInOneWording() {
        #expect(Refusal.summary([]) == nil)
        let two = [
            Refusal(change: "32.17:4", record: "abc", reason: "hash does not match"),
            Refusal(change: "x", record: "y", reason: "z"),
        ]
        #expect(Refusal.summary(two) == "2 change(s); first 32.17:4 (record abc): hash does not match")
    }

    @Test func onlyLinkFailuresStayOffTheLink() {
        let link = SyncProblem.Cause.allCases.filter(\.isLinkFailure)
        #expect(Set(link) == [.dns, .unreachable, .timeout, .link, .tls, .certificate, .stopped, .notZISync])
    }

    @Test func childStatesSortWorstFirst() {
        #expect(ChildState.allCases.sorted() == [.failing, .late, .ok, .neverSeen])
        #expect(ChildState.neverSeen.rawValue == "never_seen")
    }

    @Test func routesAndRangesAreSpelledOnce() {
        #expect(Route.pull(after: 12, limit: 500) == "/v1/pull?after=12&limit=500")
        #expect(Route.file("ab") == "/v1/files/ab" && Route.filePattern.hasSuffix(":\(Route.fileParameter)"))
        #expect(ByteRange(header: "bytes=10-19") == ByteRange(start: 10, end: 19))
        #expect(ByteRange(header: "bytes=10-") == ByteRange(start: 10, end: nil))
        for bad in ["bytes=19-10", "bytes=-5", "bytes=a-b", "items=1-2", "bytes=1-2-3"] {
            #expect(ByteRange(header: bad) == nil, "\(bad)")
        }
        #expect(ByteRange.contentRange(start: 10, count: 10, size: 100) == "bytes 10-19/100")
        #expect(
            Tus.metadata("sha256 \(Data("abc".utf8).base64EncodedString()),other") == ["sha256": "abc", "other": ""])
        let checksum = Tus.checksum(of: Data("chunk".utf8))
        #expect(Tus.parseChecksum(checksum)?.1 == Hashing.sha256Hex(Data("chunk".utf8)))
        #expect(Tus.parseChecksum("md5 AAAA") == nil)
    }
}
