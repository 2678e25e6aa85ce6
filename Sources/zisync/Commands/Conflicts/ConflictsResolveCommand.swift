import ArgumentParser
import ZISyncCore
import ZISyncStore

struct ConflictsResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Resolve a conflict by keeping one of its values.",
        discussion:
            "Writes value N of the field again (0 is the current winner, as `zisync conflicts` numbers them), newer than every competing write: every office ends with it and the conflict closes. The write goes through the same rules as any other."
    )

    @OptionGroup var node: NodeOptions
    @Argument(help: "The record id (or its first 8+ characters).") var record: String
    @Argument(help: "The field in conflict.") var field: String
    @Argument(help: "The number of the value to keep (0 the current winner).") var choice: Int
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let conflicts = Conflicts(try node.openStore())
        guard let conflict = try conflicts.find(record, field: field) else {
            throw ZISyncError("no open conflict on \(field) of \(record) here (`zisync conflicts` lists them)")
        }
        let change = try conflicts.resolve(conflict, choice: choice, actor: node.actorName)
        let kept = conflict.values[choice].value
        if json {
            try printJSON([
                "record": conflict.recordID, "field": field, "value": kept.jsonObject, "change": change.id,
            ])
        } else {
            print("\(conflict.recordID): \(field) = \(kept.description) kept (change \(change.id))")
        }
    }
}
