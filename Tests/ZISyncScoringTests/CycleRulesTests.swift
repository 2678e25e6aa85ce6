import Foundation
import Testing
import ZISyncCore

/// The evaluation cycle's rules (issue 22) as every office runs them on a local write and on a
/// received change: who writes each step, what a step needs before it (it waits for it), the
/// unit layer locked from a submission to its return, and the windows, all decided by clocks of
/// records named by id, never by the order of arrival.
@Suite struct CycleRulesTests {
    static let seed = try! ReferenceSeed.load()
    let auth = Authorization(registry: seed.registry, lkeCodeExists: { _ in true })

    /// HLC at `minute` minutes after 2026-03-01 00:00 WIB.
    func at(_ minute: Int64) -> HLC {
        HLC(milliseconds: 1_772_298_000_000 + minute * 60_000, counter: 0)
    }

    func change(
        _ type: RecordType, _ id: String, origin: String, owner: String = "32.17", minute: Int64,
        _ fields: [String: FieldValue]
    ) -> Change {
        Change(
            origin: origin, seq: 1, hlc: at(minute), recordType: type.rawValue, recordID: id, owner: owner,
            fields: fields, base: [:], actor: "uji", prev: nil)
    }

    /// A record as held: its fields' text, and every field written at `minute` by `origin`.
    func held(_ type: RecordType, by origin: String, minute: Int64, _ text: [String: String] = [:])
        -> RelationRules.Related
    {
        let hlc = at(minute)
        return RelationRules.Related(
            type: type.rawValue, owner: "32.17", text: { text[$0] }, written: { _ in (hlc, origin) })
    }

    func step(_ type: RecordType, n: Int, origin: String, minute: Int64, _ more: [String: FieldValue] = [:]) -> Change {
        let id =
            switch type {
            case .lkeKirim: EvaluationCycle.submissionID(satker: "32.17", cycle: 2026, n: n)
            case .lkeKembali: EvaluationCycle.returnID(satker: "32.17", cycle: 2026, n: n)
            default: EvaluationCycle.verdictID(satker: "32.17", cycle: 2026, n: n)
            }
        return change(type, id, origin: origin, minute: minute, ["n": .int(Int64(n))].merging(more) { _, b in b })
    }

    func unitAnswer(minute: Int64, origin: String = "32.17", layer: AssessmentLayer = .unit) -> Change {
        change(
            .lkeAnswer, Assessment.answerID(satker: "32.17", cycle: 2026, layer: layer, code: "A.I.1.i.a"),
            origin: origin, minute: minute, ["answer": .string("Ya")])
    }

    func check(_ c: Change, _ records: [String: RelationRules.Related]) -> RelationRules.Refusal? {
        RelationRules.check(c) { records[$0] }
    }

    let kirim1 = "kirim:32.17:2026:1", kembali1 = "kembali:32.17:2026:1", kirim2 = "kirim:32.17:2026:2"

    @Test func eachStepHasItsWriterAndItsIDSaysWhatItIs() {
        let note: [String: FieldValue] = ["note": .string("perbaiki")]
        #expect(auth.refusal(of: step(.lkeKirim, n: 1, origin: "32.17", minute: 0)) == nil)
        #expect(auth.refusal(of: step(.lkeKembali, n: 1, origin: "32", minute: 0, note)) == nil)
        #expect(auth.refusal(of: step(.lkeKembali, n: 1, origin: "00", minute: 0, note)) == nil)
        #expect(auth.refusal(of: step(.lkePutusan, n: 1, origin: "32", minute: 0)) == nil)
        let refused: [(Change, String)] = [
            (step(.lkeKirim, n: 1, origin: "32", minute: 0), "only 32.17 submits its own LKE, not 32"),
            (step(.lkeKembali, n: 1, origin: "33", minute: 0, note), "returned only by 32 or 00, not by 33"),
            (step(.lkeKembali, n: 1, origin: "32.17", minute: 0, note), "not by 32.17"),
            (step(.lkePutusan, n: 1, origin: "00", minute: 0), "given by 32 (its province), not by 00"),
            (
                step(.lkeKirim, n: 1, origin: "32.17", minute: 0, ["n": .int(2)]),
                "field 'n' is 2 but the record id says 1"
            ),
            (
                change(.lkeKirim, "kirim:32.17:2026:0", origin: "32.17", minute: 0, ["note": .string("x")]),
                "N from 1 to 99"
            ),
            (
                change(.lkeKirim, "kirim:32.17:2026:01", origin: "32.17", minute: 0, ["note": .string("x")]),
                "SATKER:CYCLE:N"
            ),
            (
                change(
                    .lkeKirim, "kirim:32.17:2026:1", origin: "32.18", owner: "32.18", minute: 0, ["note": .string("x")]),
                "owned by 32.17"
            ),
            (
                change(.lkePutusan, "putusan:32:2026:1", origin: "00", owner: "32", minute: 0, ["note": .string("x")]),
                "exists only for a kab/kota"
            ),
            (
                change(
                    .lkeJadwal, "jadwal:2026:penilaian-mandiri", origin: "32", owner: "00", minute: 0,
                    ["from": .string("2026-01-01")]),
                "only KPU RI (00)"
            ),
            (
                change(
                    .lkeJadwal, "jadwal:2026:lain", origin: "00", owner: "00", minute: 0,
                    ["from": .string("2026-01-01")]),
                "jadwal:CYCLE:STAGE"
            ),
        ]
        for (c, reason) in refused {
            #expect(auth.refusal(of: c)?.contains(reason) == true, "\(auth.refusal(of: c) ?? "nil") ≠ \(reason)")
        }
    }

    @Test func aSubmissionLocksTheUnitLayerUntilItIsReturned() {
        // Before any submission the unit answers freely.
        #expect(check(unitAnswer(minute: 5), [:]) == nil)
        let submitted = [kirim1: held(.lkeKirim, by: "32.17", minute: 10)]
        // Written before the submission (an answer that reached this office late): stands.
        #expect(check(unitAnswer(minute: 9), submitted) == nil)
        // Written after it: waits for the return, and says why.
        let locked = check(unitAnswer(minute: 11), submitted)
        #expect(locked?.awaiting == kembali1, "\(String(describing: locked))")
        #expect(locked?.reason.contains("read-only until the submission is returned") == true)
        // Returned at minute 20: answers after it stand, an answer stamped before it does not.
        var returned = submitted
        returned[kembali1] = held(.lkeKembali, by: "32", minute: 20)
        #expect(check(unitAnswer(minute: 21), returned) == nil)
        let stale = check(unitAnswer(minute: 15), returned)
        #expect(stale?.awaiting == nil && stale?.reason.contains("under assessment") == true)
        // The second submission locks it again.
        returned[kirim2] = held(.lkeKirim, by: "32.17", minute: 30)
        #expect(check(unitAnswer(minute: 31), returned)?.awaiting == "kembali:32.17:2026:2")
        #expect(check(unitAnswer(minute: 25), returned) == nil)
    }

    @Test func eachStepFollowsTheOneBeforeIt() {
        // A second submission waits for the first one's return; once made, a submission stands.
        #expect(check(step(.lkeKirim, n: 2, origin: "32.17", minute: 30), [:])?.awaiting == kembali1)
        #expect(check(step(.lkeKirim, n: 1, origin: "32.17", minute: 30), [:]) == nil)
        let made = [kirim1: held(.lkeKirim, by: "32.17", minute: 10)]
        #expect(
            check(step(.lkeKirim, n: 1, origin: "32.17", minute: 40), made)?.reason.contains("made already") == true)
        // A return, a verdict and the reviewers' layers wait for the submission they follow.
        for c in [
            step(.lkeKembali, n: 1, origin: "32", minute: 15, ["note": .string("x")]),
            step(.lkePutusan, n: 1, origin: "32", minute: 15),
            unitAnswer(minute: 15, origin: "32", layer: .provinsi), unitAnswer(minute: 15, origin: "00", layer: .tpi),
        ] {
            #expect(check(c, [:])?.awaiting == kirim1, "\(c.recordID)")
            #expect(check(c, made) == nil, "\(c.recordID)")
            #expect(check(c.restamped(minute: 5), made)?.reason.contains("written before 32.17 submitted") == true)
        }
        var returned = made
        returned[kembali1] = held(.lkeKembali, by: "32", minute: 20)
        #expect(
            check(step(.lkeKembali, n: 1, origin: "00", minute: 25, ["note": .string("x")]), returned)?.reason.contains(
                "returned already") == true)
        #expect(check(step(.lkeKirim, n: 2, origin: "32.17", minute: 30), returned) == nil)
        #expect(
            check(step(.lkeKirim, n: 2, origin: "32.17", minute: 19), returned)?.reason.contains("stamped before")
                == true)
    }

    @Test func oneSubmissionHasOneReturnerAndOneVerdict() {
        let note: [String: FieldValue] = ["note": .string("perbaiki")]
        let kabkota = RelationRules.Related(type: "satker", owner: "00", text: { $0 == "level" ? "kabkota" : nil })
        var records = [kirim1: held(.lkeKirim, by: "32.17", minute: 10), "satker:32.17": kabkota]
        let byRI = step(.lkeKembali, n: 1, origin: "00", minute: 30, note)
        let byProvince = step(.lkeKembali, n: 1, origin: "32", minute: 30, note)
        // KPU RI returns a kab/kota's submission only once its province found it layak.
        #expect(check(byRI, records)?.awaiting == "putusan:32.17:2026:1")
        #expect(check(byProvince, records) == nil)
        records["putusan:32.17:2026:1"] = held(.lkePutusan, by: "32", minute: 20, ["verdict": "belum-layak"])
        #expect(check(byRI, records)?.reason.contains("found it belum-layak") == true)
        #expect(check(byProvince, records) == nil)
        records["putusan:32.17:2026:1"] = held(.lkePutusan, by: "32", minute: 20, ["verdict": "layak"])
        #expect(check(byRI, records) == nil)
        #expect(check(byProvince, records)?.reason.contains("only KPU RI's TPI returns it") == true)
        // The verdict is given once, and not on a submission that was returned.
        #expect(
            check(step(.lkePutusan, n: 1, origin: "32", minute: 40), records)?.reason.contains("given already") == true)
        var returned = [
            kirim1: held(.lkeKirim, by: "32.17", minute: 10), kembali1: held(.lkeKembali, by: "32", minute: 20),
        ]
        #expect(
            check(step(.lkePutusan, n: 1, origin: "32", minute: 40), returned)?.reason.contains("was returned") == true)
        returned.removeValue(forKey: kembali1)
        #expect(check(step(.lkePutusan, n: 1, origin: "32", minute: 40), returned) == nil)
        // A province's own LKE goes to KPU RI's TPI straight.
        let province = RelationRules.Related(type: "satker", owner: "00", text: { $0 == "level" ? "provinsi" : nil })
        let own = change(
            .lkeKembali, "kembali:32:2026:1", origin: "00", owner: "32", minute: 30, ["note": .string("x")])
        #expect(check(own, ["kirim:32:2026:1": held(.lkeKirim, by: "32", minute: 10), "satker:32": province]) == nil)
    }

    @Test func theTPIConcludesAfterALayakVerdictStepByStepAndKPURIProposesAfterAFinalMemenuhi() {
        let kabkota = RelationRules.Related(type: "satker", owner: "00", text: { $0 == "level" ? "kabkota" : nil })
        var records = [kirim1: held(.lkeKirim, by: "32.17", minute: 10), "satker:32.17": kabkota]
        func conclude(_ step: TPIStep, _ c: TPIConclusion = .memenuhi, minute: Int64 = 40) -> Change {
            change(
                .lkeSimpulan, "simpulan:32.17:2026:1", origin: "00", minute: minute,
                ["n": .int(1), "step": .string(step.rawValue), "conclusion": .string(c.rawValue)])
        }
        #expect(auth.refusal(of: conclude(.anggota)) == nil)
        #expect(
            auth.refusal(of: change(.lkeSimpulan, "simpulan:32.17:2026:1", origin: "32", minute: 0, ["n": .int(1)]))?
                .contains("KPU RI's (00)") == true)
        #expect(check(conclude(.anggota), records)?.awaiting == "putusan:32.17:2026:1")
        records["putusan:32.17:2026:1"] = held(.lkePutusan, by: "32", minute: 20, ["verdict": "belum-layak"])
        #expect(check(conclude(.anggota), records)?.reason.contains("not in evaluasi TPI") == true)
        records["putusan:32.17:2026:1"] = held(.lkePutusan, by: "32", minute: 20, ["verdict": "layak"])
        #expect(check(conclude(.anggota), records) == nil)
        // Its steps go forward only; the technical controller's is final.
        records["simpulan:32.17:2026:1"] = held(
            .lkeSimpulan, by: "00", minute: 30, ["step": "ketua", "conclusion": "memenuhi"])
        #expect(check(conclude(.anggota), records)?.reason.contains("only go forward") == true)
        #expect(check(conclude(.dalnis), records) == nil)
        records["simpulan:32.17:2026:1"] = held(
            .lkeSimpulan, by: "00", minute: 30, ["step": "dalnis", "conclusion": "memenuhi"])
        #expect(check(conclude(.dalnis, .belumMemenuhi), records)?.reason.contains("is final") == true)

        // The proposal: after the final memenuhi, or with an override and its reason.
        func propose(_ fields: [String: FieldValue], minute: Int64 = 50) -> Change {
            change(.lkeUsulan, "usulan:32.17:2026", origin: "00", minute: minute, fields)
        }
        let wbk: [String: FieldValue] = ["n": .int(1), "category": .string("wbk")]
        #expect(auth.refusal(of: propose(wbk)) == nil)
        #expect(
            auth.refusal(of: change(.lkeUsulan, "usulan:32.17:2026", origin: "32", minute: 0, wbk))?.contains(
                "by KPU RI") == true)
        #expect(
            auth.refusal(of: change(.lkeUsulan, "usulan:32.17:26", origin: "00", minute: 0, wbk))?.contains(
                "usulan:SATKER:CYCLE") == true)
        #expect(check(propose(wbk), records) == nil)
        #expect(check(propose(wbk, minute: 25), records)?.reason.contains("not a final memenuhi") == true)
        records["simpulan:32.17:2026:1"] = held(
            .lkeSimpulan, by: "00", minute: 30, ["step": "dalnis", "conclusion": "belum-memenuhi"])
        #expect(check(propose(wbk), records)?.reason.contains("not a final memenuhi") == true)
        #expect(check(propose(wbk.merging(["override": .string("keputusan pimpinan")]) { a, _ in a }), records) == nil)
        #expect(check(propose([RecordSchema.deletedField: .bool(true)]), records) == nil, "a withdrawal")
        records.removeValue(forKey: "simpulan:32.17:2026:1")
        #expect(check(propose(wbk), records)?.awaiting == "simpulan:32.17:2026:1")
    }

    @Test func prerequisitesHaveTheirWritersAndForms() {
        func item(_ id: String, origin: String, owner: String = "32.17", _ value: String) -> Change {
            change(.lkePrasyarat, id, origin: origin, owner: owner, minute: 0, ["value": .string(value)])
        }
        #expect(auth.refusal(of: item("prasyarat:32.17:2026:tlhp", origin: "32.17", "97.5")) == nil)
        #expect(auth.refusal(of: item("prasyarat:32.17:2026:lhkpn", origin: "32", "100")) == nil, "an office above")
        #expect(auth.refusal(of: item("prasyarat:00:2026:bpk", origin: "00", owner: "00", "WTP")) == nil)
        let refused: [(Change, String)] = [
            (item("prasyarat:32.17:2026:tlhp", origin: "32.18", "100"), "by 32.17 or an office above it"),
            (item("prasyarat:32.17:2026:tlhp", origin: "32.17", "101"), "a percentage from 0 to 100"),
            (item("prasyarat:32.17:2026:tlhp", origin: "32.17", "97,5"), "a percentage"),
            (item("prasyarat:32.17:2026:sakip", origin: "32.17", "bb"), "a grade"),
            (item("prasyarat:32.17:2026:pencanangan", origin: "32.17", "2025-02-30"), "a date"),
            (item("prasyarat:32.17:2026:bpk", origin: "00", "WTP"), "the agency's"),
            (item("prasyarat:00:2026:spip", origin: "32", owner: "00", "3"), "the agency's"),
            (item("prasyarat:32.17:2026:lain", origin: "32.17", "1"), "prasyarat:SATKER:CYCLE:ITEM"),
        ]
        for (c, reason) in refused {
            #expect(auth.refusal(of: c)?.contains(reason) == true, "\(auth.refusal(of: c) ?? "nil") ≠ \(reason)")
        }
        #expect(Prerequisite.tlhp.normalize(" 97,5 ") == "97.5" && Prerequisite.sakip.normalize("bb") == "BB")
        #expect(Prerequisite.spip.normalize("6") == nil && Prerequisite.bpk.normalize("wtp") == "WTP")
    }

    @Test func stepsFallInTheirStagesWindowsAndAnOpenedWindowOnlyGrowsLonger() {
        // minute 0 is 2026-03-01 in WIB (2026-02-28 17:00 UTC).
        #expect(EvaluationCycle.day(of: at(0)) == "2026-03-01")
        #expect(EvaluationCycle.day(of: at(-1)) == "2026-02-28")
        #expect(EvaluationCycle.day(of: HLC(milliseconds: 0, counter: 0)) == "1970-01-01")
        #expect(EvaluationCycle.day(of: HLC(milliseconds: 951_782_400_000, counter: 0)) == "2000-02-29")
        let mandiri = held(.lkeJadwal, by: "00", minute: -100_000, ["from": "2026-02-01", "to": "2026-02-28"])
        let windows = ["jadwal:2026:penilaian-mandiri": mandiri]
        let late = check(unitAnswer(minute: 5), windows)
        #expect(late?.awaiting == "jadwal:2026:penilaian-mandiri", "an extension lets it in")
        #expect(late?.reason.contains("outside the window of penilaian mandiri 2026, 2026-02-01 to 2026-02-28") == true)
        #expect(check(unitAnswer(minute: -1), windows) == nil)
        // After a province's return the unit's revision is in penilaian pendahuluan's window.
        var cycle: [String: RelationRules.Related] = [
            kirim1: held(.lkeKirim, by: "32.17", minute: -20), kembali1: held(.lkeKembali, by: "32", minute: -10),
        ]
        cycle.merge(windows) { a, _ in a }
        #expect(check(unitAnswer(minute: 5), cycle) == nil)
        cycle["jadwal:2026:penilaian-pendahuluan"] = held(
            .lkeJadwal, by: "00", minute: -100_000, ["from": "2026-03-02", "to": "2026-03-31"])
        #expect(check(unitAnswer(minute: 5), cycle)?.awaiting == "jadwal:2026:penilaian-pendahuluan")

        // The window's own changes (at KPU RI, one chain): set before it opens, anything goes.
        func window(minute: Int64, _ fields: [String: String]) -> Change {
            change(
                .lkeJadwal, "jadwal:2026:penilaian-mandiri", origin: "00", owner: "00", minute: minute,
                fields.mapValues { .string($0) })
        }
        let opened = ["jadwal:2026:penilaian-mandiri": mandiri]
        #expect(check(window(minute: 0, ["from": "2026-02-01", "to": "2026-03-15"]), opened) == nil, "extended")
        #expect(check(window(minute: 0, ["to": "2026-02-20"]), opened)?.reason.contains("not earlier") == true)
        #expect(check(window(minute: 0, ["from": "2026-02-05"]), opened)?.reason.contains("its start stays") == true)
        #expect(
            check(window(minute: 0, ["from": "2026-04-01", "to": "2026-03-01"]), [:])?.reason.contains(
                "before it starts") == true)
        #expect(check(window(minute: 0, ["deleted": "true"]), opened)?.reason.contains("not deleted") == true)
        let notYet = held(.lkeJadwal, by: "00", minute: -10, ["from": "2026-04-01", "to": "2026-04-30"])
        #expect(
            check(
                window(minute: 0, ["from": "2026-05-01", "to": "2026-05-10"]), ["jadwal:2026:penilaian-mandiri": notYet]
            ) == nil)
    }
}

extension Change {
    /// The same change stamped at another minute of the tests' clock.
    fileprivate func restamped(minute: Int64) -> Change {
        Change(
            origin: origin, seq: seq, hlc: HLC(milliseconds: 1_772_298_000_000 + minute * 60_000, counter: 0),
            recordType: recordType, recordID: recordID, owner: owner, fields: fields, base: base, actor: actor,
            prev: prev)
    }
}
