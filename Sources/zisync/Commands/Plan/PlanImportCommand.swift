import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct PlanImportCommand: ParsableCommand {
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
        guard FileManager.default.isReadableFile(atPath: url.path) else { throw ValidationError("cannot read \(file)") }
        let result = try Plans(node.openStore()).importSheet(
            .file(url), name: url.lastPathComponent, actor: node.actorName)
        if json {
            try printJSON(["created": result.created, "updated": result.updated, "unchanged": result.unchanged])
        } else {
            print("\(result.created) created, \(result.updated) updated, \(result.unchanged) unchanged")
        }
    }
}
