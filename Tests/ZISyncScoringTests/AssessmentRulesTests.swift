import Foundation
import Testing
import ZISyncCore

@testable import ZISyncScoring

/// The write rules of LKE answers (docs/protocol.md, "Who may write what"), as every node runs
/// them on a local write and on a received change.
@Suite struct AssessmentRulesTests {
    static let seed = try! ReferenceSeed.load()
    static let model = try! LKEModel.shipped()
    let auth = Authorization(
        registry: seed.registry, lkeCodeExists: { model[code: $0] != nil },
        lkeRow: { code in
            model[code: code].map { LKERow(level: $0.level, answerType: LKEAnswerType(rawValue: $0.answerType)) }
        })

    func answer(
        origin: String, satker: String, layer: AssessmentLayer, code: String = "A.I.1.i.a",
        _ fields: [String: FieldValue],
        id: String? = nil, owner: String? = nil
    ) -> Change {
        Change(
            origin: origin, seq: 1, hlc: HLC(milliseconds: 1_800_000_000_000, counter: 0), recordType: "lke_answer",
            recordID: id ?? Assessment.answerID(satker: satker, cycle: 2026, layer: layer, code: code),
            owner: owner ?? satker, fields: fields, base: [:], actor: "uji", prev: nil)
    }

    @Test func theRecordIDNamesTheAnswer() {
        let id = Assessment.answerID(satker: "32.17", cycle: 2026, layer: .provinsi, code: "A.II.5.iii.i.a.J1.1")
        #expect(id == "jawaban:32.17:2026:provinsi:A.II.5.iii.i.a.J1.1" && Validation.isRecordID(id))
        let parsed = Assessment.parseAnswerID(id)
        #expect(parsed?.satker == "32.17" && parsed?.cycle == 2026 && parsed?.layer == .provinsi)
        #expect(parsed?.code == "A.II.5.iii.i.a.J1.1")
        for bad in [
            "jawaban:32.17:2026:provinsi", "jawaban:32.17:1999:unit:A", "jawaban:x:2026:unit:A",
            "jawaban:32.17:2026:kpu:A", "satker:32.17", "jawaban:32.17:2026:unit:",
        ] {
            #expect(Assessment.parseAnswerID(bad) == nil, "\(bad)")
        }
        #expect(Assessment.predikatID(satker: "32.17", year: 2026) == "predikat:32.17:2026")
    }

    @Test func eachLayerHasItsWriter() {
        let ya: [String: FieldValue] = ["answer": .string("Ya")]
        #expect(auth.refusal(of: answer(origin: "32.17", satker: "32.17", layer: .unit, ya)) == nil)
        #expect(auth.refusal(of: answer(origin: "32", satker: "32.17", layer: .provinsi, ya)) == nil)
        #expect(auth.refusal(of: answer(origin: "00", satker: "32.17", layer: .tpi, ya)) == nil)
        let refused: [(Change, String)] = [
            (answer(origin: "32.18", satker: "32.17", layer: .unit, ya), "only by 32.17 itself, not by 32.18"),
            // The unit layer is the unit's alone: its submission locks it (docs/decisions.md).
            (answer(origin: "32", satker: "32.17", layer: .unit, ya), "only by 32.17 itself, not by 32"),
            (answer(origin: "32.17", satker: "32.17", layer: .provinsi, ya), "only by 32 (its province), not by 32.17"),
            (answer(origin: "33", satker: "32.17", layer: .provinsi, ya), "only by 32 (its province), not by 33"),
            (answer(origin: "00", satker: "32", layer: .provinsi, ya), "exists only for a kab/kota's LKE"),
            (answer(origin: "32", satker: "32.17", layer: .tpi, ya), "only by KPU RI (00), not by 32"),
        ]
        for (change, reason) in refused {
            #expect(auth.refusal(of: change)?.contains(reason) == true, "\(auth.refusal(of: change) ?? "nil")")
        }
    }

    @Test func theCodeAndTheAnswerMustFit() {
        let cases: [(Change, String)] = [
            (
                answer(origin: "32.17", satker: "32.17", layer: .unit, ["answer": .string("Mungkin")]),
                "give Ya or Tidak"
            ),
            (
                answer(origin: "32.17", satker: "32.17", layer: .unit, code: "A.II.1.i.a", ["answer": .string("1")]),
                "persen row"
            ),
            (
                answer(origin: "32.17", satker: "32.17", layer: .unit, code: "A.I.1.i", ["answer": .string("A")]),
                "indikator row"
            ),
            (
                answer(origin: "32.17", satker: "32.17", layer: .unit, code: "Z.9", ["answer": .string("A")]),
                "unknown LKE code"
            ),
            (answer(origin: "32.17", satker: "32.17", layer: .unit, ["layer": .string("tpi")]), "the record id says"),
            (answer(origin: "32.17", satker: "32.17", layer: .unit, ["answer": .int(1)]), "must be text"),
            (
                answer(origin: "32.17", satker: "32.17", layer: .unit, ["evidence": .string("bukan-id")]),
                "ids of bukti dukung"
            ),
            (
                answer(origin: "32.17", satker: "32.17", layer: .unit, ["note": .string("x")], owner: "32.18"),
                "must be owned by 32.17"
            ),
            (
                answer(origin: "32.17", satker: "32.17", layer: .unit, ["note": .string("x")], id: "jawaban:bad"),
                "record id must be"
            ),
        ]
        for (change, reason) in cases {
            #expect(
                auth.refusal(of: change)?.contains(reason) == true, "\(reason): \(auth.refusal(of: change) ?? "nil")")
        }
        let count = answer(
            origin: "32.17", satker: "32.17", layer: .unit, code: "A.II.1.i.a.J1", ["answer": .string("12")])
        #expect(auth.refusal(of: count) == nil)
    }

    @Test func aPredikatIsKPURIsAndNamesItsSatkerAndYear() {
        func predikat(_ origin: String, id: String) -> Change {
            Change(
                origin: origin, seq: 1, hlc: HLC(milliseconds: 1_800_000_000_000, counter: 0), recordType: "predikat",
                recordID: id, owner: "00",
                fields: ["satker": .string("32.17"), "year": .int(2026), "level": .string("wbk")], base: [:],
                actor: "tpi", prev: nil)
        }
        #expect(auth.refusal(of: predikat("00", id: "predikat:32.17:2026")) == nil)
        #expect(auth.refusal(of: predikat("32", id: "predikat:32.17:2026"))?.contains("only KPU RI") == true)
        #expect(auth.refusal(of: predikat("00", id: "predikat:32.17:2025"))?.contains("predikat:SATKER:YEAR") == true)
    }

    @Test func formulasParseAndRefuseWhatTheyCannotRead() {
        #expect(Formula("(J1-J2)/J1")?.tokens == ["J1", "J2", "J1"])
        #expect(Formula("J2 * 2 + -J1")?.evaluate { ["J1": 1, "J2": 3][$0] } == 5)
        #expect(Formula("J1.1+J1.2")?.evaluate { ["J1.1": 2, "J1.2": 3][$0] } == 5)
        for bad in ["J", "J1.", "(J1", "J1)", "J1 / ", "", "K1"] { #expect(Formula(bad) == nil, "\(bad)") }
        #expect(Formula("J1/J2")?.evaluate { _ in nil } == nil)
    }
}
