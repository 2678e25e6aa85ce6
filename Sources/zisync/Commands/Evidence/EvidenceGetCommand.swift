import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct EvidenceGetCommand: ParsableCommand {
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
