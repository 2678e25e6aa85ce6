import ArgumentParser
import ZISyncCore
import ZISyncStore

struct PlanSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set fields of a plan: FIELD=VALUE (an empty VALUE clears it).",
        discussion:
            "Fields: area, lke, activity, output, target, unit, start, deadline, pic, status, progress, realisation, obstacles, year."
    )

    @OptionGroup var node: NodeOptions
    @Argument(help: "The plan id (or its first 8+ characters).") var id: String
    @Argument(help: "FIELD=VALUE assignments.") var assignments: [String]
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let pairs = try assignments.map { a -> (String, String) in
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                throw ValidationError("'\(a)' is not FIELD=VALUE")
            }
            return (String(a[..<eq]), String(a[a.index(after: eq)...]))
        }
        let store = try node.openStore()
        let change = try Plans(store).set(id, assignments: pairs, actor: node.actorName)
        if json {
            try printJSON(try store.records.get(change.recordID)?.jsonObject ?? [:])
        } else {
            print("\(change.recordID): \(pairs.map(\.0).joined(separator: ", ")) set (change \(change.id))")
        }
    }
}
