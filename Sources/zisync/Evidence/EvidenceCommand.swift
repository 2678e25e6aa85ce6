import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct EvidenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "Bukti dukung: evidence files attached to plans.",
        subcommands: [EvidenceAdd.self, EvidenceList.self, EvidenceGet.self])
}

struct EvidenceAdd: ParsableCommand {
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

struct EvidenceList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List evidence.")

    @OptionGroup var node: NodeOptions
    @Option(help: "Only evidence of this plan.") var plan: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let evidence = Evidence(store)
        if json {
            // Streamed: a list of any length in bounded memory.
            var out = JSONArrayStream()
            try evidence.each(plan: plan) { e in
                var o = e.jsonObject
                o["file_present"] = evidence.filePresent(e)
                try out.append(o)
            }
            out.finish()
        } else {
            let items = try evidence.list(plan: plan)
            printTable(
                ["ID", "SATKER", "PLAN", "KIND", "SIZE", "FILE", "TITLE"],
                items.map { e in
                    let present = evidence.filePresent(e)
                    return [
                        String(e.id.prefix(8)), e.owner, String(e["plan"].description.prefix(8)), e["kind"].description,
                        e["size"].description, present ? e["file_name"].description : "(not here yet)",
                        e["title"].description,
                    ]
                })
        }
    }
}

struct EvidenceGet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Write an evidence file out.")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The evidence id.") var id: String
    @Option(help: "Where to write the file.") var out: String

    func run() throws {
        let store = try node.openStore()
        let e = try store.records.resolve(id, as: .evidence)
        guard let sha = e.string("sha256") else { throw ZISyncError("evidence \(e.id) has no file") }
        try store.files.copy(sha, to: URL(fileURLWithPath: out))
        print("\(out): \(e["size"]) bytes, sha256 \(sha)")
    }
}

enum FileHandleOutput {
    static func stderr(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
