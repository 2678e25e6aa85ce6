import Foundation
import Testing

@testable import ZISyncCore

@Suite struct WireChangeTests {
    let change = Change(
        origin: "11.01", seq: 3, hlc: HLC(milliseconds: 1_700_000_000_000, counter: 2), recordType: "action_plan",
        recordID: "00000000-0000-4000-8000-000000000001", owner: "11.01",
        fields: ["activity": .string("Sosialisasi \u{1} \"WBK\""), "progress": .int(-1), "deleted": .bool(false)],
        base: ["activity": [Version(origin: "11", seq: 4)]], actor: "ani", prev: String(repeating: "a", count: 64))

    func decode(_ text: String) throws -> Change {
        try JSONDecoder().decode(WireChange.self, from: Data(text.utf8)).change()
    }

    @Test func wireFormRoundTripsAndKeepsItsHash() throws {
        let back = try decode(change.wireJSON)
        #expect(back == change)
        #expect(back.hashIsValid)
        #expect(change.wireJSON.contains(#""fields":{"activity":"Sosialisasi \u0001 \"WBK\"","deleted":false"#))
        #expect(change.wireJSON.contains(#""hash":""#))
    }

    @Test func anyEditShowsAsAHashMismatch() throws {
        let edited = try decode(change.wireJSON.replacingOccurrences(of: "\"ani\"", with: "\"budi\""))
        #expect(!edited.hashIsValid)
        // Spacing and key order do not matter: the hash is over the canonical re-encoding.
        let object = try JSONSerialization.jsonObject(with: Data(change.wireJSON.utf8))
        let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
        #expect(try decode(String(decoding: pretty, as: UTF8.self)).hashIsValid)
    }

    @Test func malformedChangesAreRejectedWithAReason() {
        let badBase = change.wireJSON.replacingOccurrences(of: "\"11:4\"", with: "\"eleven\"")
        #expect(throws: WireChange.Malformed.self) { try decode(badBase) }
        let float = change.wireJSON.replacingOccurrences(of: "\"progress\":-1", with: "\"progress\":1.5")
        #expect(throws: DecodingError.self) { try decode(float) }
        let missing = change.wireJSON.replacingOccurrences(of: "\"origin\":\"11.01\",", with: "")
        #expect(throws: DecodingError.self) { try decode(missing) }
    }

    @Test func conflictedRecordStateRoundTrips() throws {
        let state = FieldState(
            value: .string("b"), hlc: HLC(rawValue: 9), origin: "11", seq: 2,
            heads: [Version(origin: "11", seq: 2), Version(origin: "11.01", seq: 5)],
            missing: [Version(origin: "11.02", seq: 1)])
        let plain = FieldState(
            value: .null, hlc: HLC(rawValue: 3), origin: "11", seq: 1, heads: [Version(origin: "11", seq: 1)],
            missing: [])
        let text = RecordStateCodec.encode(["target": state, "note": plain])
        #expect(try RecordStateCodec.decode(text) == ["target": state, "note": plain])
        #expect(!text.contains("\"note\":{\"heads\""), "a lone head is implied, not stored")
    }
}
