import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct EvidenceAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Attach a file to a plan; prints the evidence id.")

    @OptionGroup var node: NodeOptions
    @Option(help: "The plan id.") var plan: String
    @Argument(help: "The file (PDF, photo, spreadsheet…).") var file: String
    @Option(help: "Title (default: the file name).") var title: String?
    @Option(help: "Kind: \(RecordSchema.evidenceKinds.joined(separator: ", ")).") var kind: String?
    @Option(help: "The LKE codes it supports, comma-separated (default: its plan's).") var lke: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let (id, stored) = try Evidence(store).add(
            plan: plan, file: URL(fileURLWithPath: file), title: title, kind: kind, lke: lke, actor: node.actorName)
        if json {
            try printJSON(try store.records.get(id)?.jsonObject ?? [:])
        } else {
            print(id)
            FileHandleOutput.stderr("stored \(stored.size) bytes, sha256 \(stored.sha256)")
        }
    }
}
