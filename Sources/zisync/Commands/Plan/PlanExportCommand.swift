import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct PlanExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export plans as a CSV sheet (re-importable).")

    @OptionGroup var node: NodeOptions
    @Option(help: "Only plans of this satker's subtree (default: this node's).") var satker: String?
    @Option(help: "Only this area: \(Area.choices).") var area: Area?
    @Option(help: "Write to this file instead of standard output.") var out: String?

    func run() throws {
        let store = try node.openStore()
        let csv = PlanSheet.export(try Plans(store).list(subtree: satker, area: area))
        if let out {
            try Data(csv.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } else {
            print(csv, terminator: "")
        }
    }
}
