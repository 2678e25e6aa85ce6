import ArgumentParser
import ZISyncCore
import ZISyncStore

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review a plan or evidence of an office below this one.",
        discussion: "Only a node that is an ancestor of the record's owner may review it.")

    enum Subject: String, ExpressibleByArgument, CaseIterable {
        case plan, evidence
        var type: RecordType { self == .plan ? .actionPlan : .evidence }
    }

    @OptionGroup var node: NodeOptions
    @Argument(help: "plan or evidence.") var subject: Subject
    @Argument(help: "The record id.") var id: String
    @Option(help: "Verdict: \(RecordSchema.verdicts.joined(separator: ", ")).") var verdict: String
    @Option(help: "A note for the office.") var note: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let reviewID = try Reviews(store).review(
            id, type: subject.type, verdict: verdict, note: note, actor: node.actorName)
        if json {
            try printJSON(try store.records.get(reviewID)?.jsonObject ?? [:])
        } else {
            print(reviewID)
        }
    }
}
