import Foundation
import Testing
import ZISyncProtocol

@testable import ZISyncCore

@Suite struct WireDecoderTests {
    let change = Change(
        origin: "11.01", seq: 3, hlc: HLC(milliseconds: 1_700_000_000_000, counter: 2), recordType: "action_plan",
        recordID: "00000000-0000-4000-8000-000000000001", owner: "11.01",
        fields: [
            "activity": .string("Sosialisasi \u{1} \"WBK\" ✓ 😀"), "progress": .int(-1), "deleted": .bool(false),
            "pic": .null,
        ],
        base: ["activity": [Version(origin: "11", seq: 4)]], actor: "ani", prev: String(repeating: "a", count: 64))

    @Test func readsWhatJSONDecoderReads() throws {
        let viaWire = try WireDecoder.change(from: Data(change.wireJSON.utf8))
        let viaFoundation = try JSONDecoder().decode(WireChange.self, from: Data(change.wireJSON.utf8)).change()
        #expect(viaWire == change && viaFoundation == change)
        #expect(viaWire.hashIsValid)
        // Any spacing, key order and escaping of the same values decodes to the same change.
        let object = try JSONSerialization.jsonObject(with: Data(change.wireJSON.utf8))
        let pretty = try JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .withoutEscapingSlashes])
        #expect(try WireDecoder.change(from: pretty) == change)
        let escaped = change.wireJSON.replacingOccurrences(of: "✓ 😀", with: "\\u2713 \\ud83d\\ude00")
        #expect(try WireDecoder.change(from: Data(escaped.utf8)) == change)
    }

    @Test func bodiesCarryChangesAndTheirOtherKeys() throws {
        let body = SyncProtocol.changesBody(
            [change, change], extra: [("more", "true"), ("next", "42"), ("from", "\"11.01\"")])
        let (changes, other) = try WireDecoder.changes(in: body)
        let first = try changes[0].get()
        #expect(changes.count == 2 && first == change)
        #expect(other["more"] as? Bool == true && other["next"] as? Int64 == 42 && other["from"] as? String == "11.01")
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
            "[]", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud83d\"}", "{\"a\":99999999999999999999}",
        ]
        for text in cases {
            #expect(throws: WireDecoder.Malformed.self, "\(text.prefix(40))") {
                try WireDecoder.change(from: Data(text.utf8))
            }
        }
        #expect(throws: WireDecoder.Malformed.self) { try WireDecoder.changes(in: Data("{\"changes\":{}}".utf8)) }
        let oneBad = SyncProtocol.changesBody(wire: [change.wireJSON, "{\"nope\":1}"], extra: [])
        let (results, _) = try! WireDecoder.changes(in: oneBad)
        #expect((try? results[0].get()) == change)
        #expect((try? results[1].get()) == nil, "one bad change does not spoil the batch")
    }
}
