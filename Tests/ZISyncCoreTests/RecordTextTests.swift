import Foundation
import Testing
import ZISyncCore

/// Record text reaches operators' terminals (`history`, the lists): it may hold tabs and line
/// breaks, never an escape, another control character or a bidirectional override.
@Suite struct RecordTextTests {
    let schema = RecordType.actionPlan.schema

    func problem(_ text: String) -> String? {
        schema.problem(field: "activity", value: .string(text), lkeCodeExists: { _ in true })
    }

    @Test func textMayHoldTabsAndLineBreaksOnly() {
        #expect(problem("Rapat koordinasi\n\tbaris dua\r\n") == nil)
        #expect(
            problem("Sosialisasi \u{1B}[2J")
                == "field 'activity' holds a control character (U+1B); only text, tabs and line breaks")
        #expect(problem("nol\u{0}") != nil)
        #expect(problem("akhir\u{7F}") != nil)
        #expect(problem("gpj.exe\u{202E}") != nil)
        #expect(problem("Zona Integritas — WBK/WBBM, “bukti dukung”") == nil, "ordinary punctuation is text")
    }

    @Test func typedTextIsTrimmedOfWhiteSpaceAsFoundationWouldTrimIt() throws {
        for text in ["", " ", " \t\r\n", "\u{00A0}sdm\u{2003}", "  Rapat  koordinasi \r\n", "é", "\u{3000}x\u{200B}"] {
            #expect(
                text.trimmedOfWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(Array(text.unicodeScalars))")
        }
        #expect(try schema.parse(field: "progress", text: " 40 % ") == .int(40))
        #expect(try schema.parse(field: "activity", text: "\u{00A0}\n") == .null)
    }

    @Test func anActorWithAControlCharacterIsRefused() throws {
        let registry = try ReferenceSeed.load().registry
        let rules = Authorization(registry: registry, lkeCodeExists: { _ in true })
        func change(actor: String) -> Change {
            Change(
                origin: "32.17", seq: 1, hlc: HLC(milliseconds: 1, counter: 0), recordType: "action_plan",
                recordID: Validation.newRecordID(), owner: "32.17", fields: ["activity": .string("a")], base: [:],
                actor: actor, prev: nil)
        }
        #expect(rules.refusal(of: change(actor: "ani@32.17")) == nil)
        #expect(rules.refusal(of: change(actor: "ani\n<3>forged")) == "the actor holds a control character")
    }
}
