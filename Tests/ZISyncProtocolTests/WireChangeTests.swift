import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol

/// The canonical encoding the hash covers (Core) and the wire form built from it.
@Suite struct WireChangeTests {
    let change = Change(
        origin: "11.01", seq: 3, hlc: HLC(milliseconds: 1_700_000_000_000, counter: 2), recordType: "action_plan",
        recordID: "00000000-0000-4000-8000-000000000001", owner: "11.01",
        fields: ["activity": .string("Sosialisasi \u{1} \"WBK\""), "progress": .int(-1), "deleted": .bool(false)],
        base: ["activity": [Version(origin: "11", seq: 4)]], actor: "ani", prev: String(repeating: "a", count: 64))

    @Test func wireFormIsTheCanonicalObjectWithItsHash() throws {
        #expect(change.wireJSON.contains(#""fields":{"activity":"Sosialisasi \u0001 \"WBK\"","deleted":false"#))
        #expect(change.wireJSON.contains(#""hash":""#))
        let canonical = String(decoding: change.canonicalBytes(), as: UTF8.self)
        #expect(!canonical.contains("\"hash\""))
        #expect(canonical.hasPrefix("{\"actor\":\"ani\",\"base\":{\"activity\":[\"11:4\"]},\"fields\":"))
        #expect(change.hash == Hashing.sha256Hex(change.canonicalBytes()))
        // The wire form built from stored columns is byte for byte the same.
        let fromColumns = Change.wireJSON(
            actor: change.actor, baseJSON: change.baseJSON, fieldsJSON: change.fieldsJSON, hash: change.hash,
            hlc: change.hlc.rawValue, origin: change.origin, owner: change.owner, prev: change.prev,
            recordID: change.recordID, seq: change.seq, recordType: change.recordType)
        #expect(fromColumns == change.wireJSON)
        #expect(try ChangeDecoder.change(from: Array(fromColumns.utf8)) == change)
    }

    @Test func hlcReadsAsTimeWithItsCounter() {
        #expect(HLC(milliseconds: 1_795_857_649_876, counter: 0).description == "2026-11-28T09:20:49.876Z")
        #expect(HLC(milliseconds: 1_795_857_649_000, counter: 3).description == "2026-11-28T09:20:49.000Z+3")
        #expect(HLC(milliseconds: 5, counter: 0).description == "1970-01-01T00:00:00.005Z")
    }
}
