import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol

/// Signatures and certificates on the wire (docs/protocol.md, "Signatures"): outside the hash,
/// round-tripped exactly, and every malformed form refused naming what is wrong.
@Suite struct SignedWireTests {
    let change = Change(
        origin: "32.17", seq: 1, hlc: HLC(milliseconds: 1_800_000_000_000, counter: 0), recordType: "action_plan",
        recordID: "00000000-0000-4000-8000-000000000001", owner: "32.17", fields: ["activity": .string("a")],
        base: [:], actor: "ani", prev: nil)
    let signature = ChangeSignature(
        keyID: String(repeating: "ab", count: 16), value: String(repeating: "c", count: 128))

    @Test func theSignatureTravelsOutsideTheHash() throws {
        let signed = change.signed(signature)
        #expect(signed.hash == change.hash && signed.hashIsValid)
        #expect(signed.wireJSON.contains(#""hlc":1"#) && signed.wireJSON.contains(#","key":"abab"#))
        #expect(signed.wireJSON.contains(#""seq":1,"sig":"cccc"#))
        #expect(try ChangeDecoder.change(from: Array(signed.wireJSON.utf8)) == signed)
        #expect(try ChangeDecoder.change(from: Array(change.wireJSON.utf8)).signature == nil)
        #expect(ChangeSignature.message(hash: change.hash) == Array("zisync-change-v1:\(change.hash)".utf8))
    }

    @Test func malformedSignaturesAreRefused() {
        for (key, sig) in [
            ("abc", String(repeating: "c", count: 128)), (String(repeating: "ab", count: 16), "cc"),
            (String(repeating: "AB", count: 16), String(repeating: "c", count: 128)),
            (String(repeating: "ab", count: 16), String(repeating: "g", count: 128)),
        ] {
            let wire = change.signed(ChangeSignature(keyID: key, value: sig)).wireJSON
            #expect(throws: ChangeDecoder.Malformed.self) { try ChangeDecoder.change(from: Array(wire.utf8)) }
        }
        // A key without a signature (or the other way round) is not a signature.
        let half = change.wireJSON.replacingOccurrences(
            of: #","origin""#, with: #","key":"\#(signature.keyID)","origin""#)
        #expect(throws: ChangeDecoder.Malformed.self) { try ChangeDecoder.change(from: Array(half.utf8)) }
    }

    @Test func certificatesTravelWithPushesAndPagesWithinBounds() throws {
        let der: [[UInt8]] = [[0x30, 0x82, 0x01], [0x30, 0x03]]
        let push = try PushRequest.decode(PushRequest.encode(from: "32.17", wire: [change.wireJSON], certificates: der))
        #expect(push.certificates == der && push.changes.count == 1)
        #expect(try PushRequest.decode(PushRequest.encode(from: "32.17", wire: [])).certificates.isEmpty)
        let page = try PullPage.decode(
            PullPage.encode(
                wire: [], next: 1, more: false, serverTime: 1_800_000_000_000, tips: ["32.17": 1],
                tipHashes: ["32.17": change.hash], certificates: der))
        #expect(page.certificates == der && page.tipHashes == ["32.17": change.hash])

        let notBase64 = Data(#"{"certificates":["***"],"changes":[],"from":"32.17"}"#.utf8)
        #expect(throws: MalformedMessage.self) { try PushRequest.decode(notBase64) }
        let tooMany = PushRequest.encode(
            from: "32.17", wire: [], certificates: Array(repeating: [0x30], count: Certificates.maxCount + 1))
        #expect(throws: MalformedMessage.self) { try PushRequest.decode(tooMany) }
        let badHash = PullPage.encode(
            wire: [], next: 1, more: false, serverTime: 1_800_000_000_000, tips: ["32.17": 1],
            tipHashes: ["32.17": "not-a-hash"])
        #expect(throws: MalformedMessage.self) { try PullPage.decode(badHash) }
        #expect(Certificates.decode(base64: ["***", Data([1, 2]).base64EncodedString()]) == [[1, 2]])
    }

    @Test func aPushAnswersTipHashesAreChecked() throws {
        var answer = PushAnswer(
            accepted: 1, duplicates: 0, held: 0, refused: [], tips: ["32.17": 1], serverTime: 1_800_000_000_000,
            tipHashes: ["32.17": change.hash])
        #expect(try PushAnswer.decode(try JSONEncoder().encode(answer), sent: 1).tipHashes == ["32.17": change.hash])
        answer.tipHashes = ["32.17": "zz"]
        #expect(throws: MalformedMessage.self) { try PushAnswer.decode(try JSONEncoder().encode(answer), sent: 1) }
    }

    @Test func aReceiptSignsEverythingButItsSignature() {
        var receipt = BundleReceipt(
            from: "32", for: "32.17", tips: ["32.17": 3], files: [], tipHashes: ["32.17": change.hash])
        let bytes = receipt.signedBytes
        receipt.signature = "ab"
        #expect(receipt.signedBytes == bytes, "the signature is not part of what it signs")
        receipt.tips["32.17"] = 99
        #expect(receipt.signedBytes != bytes, "an edited receipt no longer matches its signature")
    }
}
