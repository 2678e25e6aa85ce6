import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct PlanImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a rencana aksi sheet (CSV); all rows or none.",
        discussion: """
            Columns (header row, any order): id, satker, \(PlanSheet.columns.map(\.header).joined(separator: ", ")). \
            Rows with an id update that plan; rows without one create plans. English column names \
            (activity, deadline, pic, …) are accepted too.
            """)

    @OptionGroup var node: NodeOptions
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let url = URL(fileURLWithPath: file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ValidationError("cannot read \(file)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(file) is not UTF-8 text") }
        let result = try Plans(node.openStore()).importSheet(
            csv: text, name: url.lastPathComponent, actor: node.actorName)
        if json {
            try printJSON(["created": result.created, "updated": result.updated, "unchanged": result.unchanged])
        } else {
            print("\(result.created) created, \(result.updated) updated, \(result.unchanged) unchanged")
        }
    }
}

struct PlanExport: ParsableCommand {
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
