import Testing
import ZISyncCore

/// The rules between records, as pure functions of a change and the records a lookup gives.
@Suite struct RelationRulesTests {
    let plan = RelationRules.Related(type: "action_plan", owner: "32.17", text: { _ in nil })
    let evidence = RelationRules.Related(type: "evidence", owner: "32.17", text: { _ in nil })

    func change(
        _ type: RecordType, id: String = "r1", origin: String = "32", owner: String = "32.17",
        _ fields: [String: FieldValue]
    ) -> Change {
        Change(
            origin: origin, seq: 1, hlc: HLC(milliseconds: 1, counter: 0), recordType: type.rawValue, recordID: id,
            owner: owner, fields: fields, base: [:], actor: "a", prev: nil)
    }

    func refusal(_ c: Change, _ records: [String: RelationRules.Related]) -> String? {
        RelationRules.refusal(of: c) { records[$0] }
    }

    @Test func aReviewNamesItsWriterAndASubjectOfItsOwnerHere() {
        let good: [String: FieldValue] = [
            "reviewer_satker": .string("32"), "subject": .string("p1"), "subject_type": .string("action_plan"),
        ]
        #expect(refusal(change(.review, good), ["p1": plan]) == nil)
        #expect(refusal(change(.review, good), [:]) == "the review's subject p1 is not here")
        #expect(
            refusal(change(.review, good), ["p1": evidence])
                == "the review's subject p1 is a evidence, not a action_plan")
        let elsewhere = RelationRules.Related(type: "action_plan", owner: "32.18", text: { _ in nil })
        #expect(refusal(change(.review, good), ["p1": elsewhere])?.contains("belongs to 32.18") == true)
        var forged = good
        forged["reviewer_satker"] = .string("00")
        #expect(refusal(change(.review, forged), ["p1": plan])?.contains("must be the office writing it (32)") == true)
        #expect(
            refusal(change(.review, ["subject": .string("p1")]), ["p1": plan])
                == "a new review must name its reviewer_satker (32)")
        #expect(
            refusal(change(.review, ["reviewer_satker": .string("32")]), [:])
                == "a review must name its subject and subject_type")
        // A later edit of the verdict alone asks nothing of the subject; one that moves it reads the stored type.
        let stored = RelationRules.Related(
            type: "review", owner: "32.17", text: { ["subject": "p1", "subject_type": "action_plan"][$0] })
        #expect(refusal(change(.review, ["verdict": .string("sesuai")]), ["r1": stored]) == nil)
        #expect(refusal(change(.review, ["subject": .string("p2")]), ["r1": stored, "p2": plan]) == nil)
        #expect(
            refusal(change(.review, ["subject": .string("p3")]), ["r1": stored])
                == "the review's subject p3 is not here")
    }

    @Test func evidenceLinksOnlyToAPlanOfItsOwner() {
        #expect(refusal(change(.evidence, ["title": .string("x")]), [:]) == nil)
        #expect(refusal(change(.evidence, ["plan": .null]), [:]) == nil)
        #expect(refusal(change(.evidence, ["plan": .string("p1")]), ["p1": plan]) == nil)
        #expect(refusal(change(.evidence, ["plan": .string("p1")]), [:]) == "the evidence's plan p1 is not here")
        #expect(
            refusal(change(.evidence, ["plan": .string("e1")]), ["e1": evidence])
                == "the evidence's plan e1 is a evidence, not an action_plan")
        #expect(
            refusal(change(.evidence, owner: "32.18", ["plan": .string("p1")]), ["p1": plan])?.contains(
                "belongs to 32.17") == true)
    }

    @Test func anAnswersBuktiDukungAreEvidenceOfItsSatker() {
        let answer = change(.lkeAnswer, owner: "32.17", ["evidence": .string("e1,e2")])
        #expect(refusal(answer, ["e1": evidence, "e2": evidence]) == nil)
        #expect(refusal(answer, ["e1": evidence]) == "the answer's bukti dukung e2 is not evidence here")
        #expect(refusal(answer, ["e1": evidence, "e2": plan]) == "the answer's bukti dukung e2 is not evidence here")
        let other = RelationRules.Related(type: "evidence", owner: "32.18", text: { _ in nil })
        #expect(
            refusal(answer, ["e1": evidence, "e2": other])
                == "the answer's bukti dukung e2 belongs to 32.18, not to 32.17")
        #expect(refusal(change(.monev, ["x": .string("y")]), [:]) == nil)
    }
}
