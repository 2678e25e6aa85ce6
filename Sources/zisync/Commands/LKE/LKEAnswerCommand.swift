import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct LKEAnswerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answer", abstract: "Answer one LKE question (or jumlah row, or hasil item).",
        discussion: """
            ANSWER by the code's type: Ya/Tidak; a letter A–C, A–D or A–E; a whole number for a \
            jumlah row; 0–4 for a survey index (3.6 or 3,6). A persen row is computed from its \
            jumlah rows and takes no answer. Answering again replaces the answer; the history keeps both.
            """)

    @OptionGroup var node: NodeOptions
    @OptionGroup var target: LKETarget
    @Argument(help: "The LKE code, e.g. A.I.1.i.a or A.II.1.i.a.J1.") var code: String
    // Every unrecognised word is kept as the answer, so that `-3` reaches the answer check and is
    // refused there by its type's rule, not taken for an option.
    @Argument(parsing: .allUnrecognized, help: "The answer.") var answer: [String] = []
    @Option(help: "A note (catatan).") var note: String?
    @Option(help: "Bukti dukung ids (of this satker), comma-separated.") var evidence: String?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if let option = answer.first(where: { $0.hasPrefix("--") }) {
            throw ValidationError("Unknown option '\(option)'.")
        }
        guard answer.count == 1 else {
            throw ValidationError(
                answer.isEmpty ? "Missing expected argument '<answer>'." : "One answer, got \(answer.count): \(answer)")
        }
    }

    func run() throws {
        let answer = self.answer[0]
        let store = try node.openStore()
        let t = try target.resolve(store)
        let evidenceIDs = try evidence.map { list in
            try Validation.lkeCodes(list).map { try store.records.resolve($0, as: .evidence).id }
        }
        let change = try LKEAnswers(store).write(
            [.init(code: code, answer: answer, note: note, evidence: evidenceIDs)], satker: t.satker, cycle: t.cycle,
            layer: t.layer, actor: node.actorName)[0]
        let stored = change.fields["answer"]?.stringValue ?? answer
        if json {
            try printJSON([
                "satker": t.satker, "cycle": t.cycle, "layer": t.layer.rawValue, "code": code, "answer": stored,
                "id": change.recordID, "change": change.id,
            ])
        } else {
            print("\(t.satker) \(t.cycle) \(t.layer.rawValue) \(code) = \(stored)")
        }
    }
}
