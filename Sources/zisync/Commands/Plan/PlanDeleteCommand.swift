import ArgumentParser
import ZISyncStore

struct PlanDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a plan (a tombstone: its history stays).")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The plan id.") var id: String

    func run() throws {
        try Plans(node.openStore()).delete(id, actor: node.actorName)
        print("deleted \(id)")
    }
}
