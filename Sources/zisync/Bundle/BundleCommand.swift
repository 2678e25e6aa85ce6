import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncProtocol

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Carry changes and files to the parent office in one file (USB stick).",
        subcommands: [BundleExport.self, BundleImport.self])
}

struct BundleExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every change of this node's subtree, with its evidence files, into one file.")

    @OptionGroup var node: NodeOptions
    @Option(help: "The bundle file to write.") var out: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let summary = try BundleFile.export(from: store, to: URL(fileURLWithPath: out))
        if json {
            try printJSON(["changes": summary.changes, "files": summary.files, "bytes": summary.bytes, "out": out])
        } else {
            print("\(out): \(summary.changes) changes, \(summary.files) files, \(summary.bytes) bytes")
        }
    }
}

struct BundleImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Apply a bundle from an office below this one, with the same checks as a network push.",
        discussion: "Exit code 4 when some changes were refused (they are listed; the rest is applied).")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The bundle file.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let s = try BundleFile.importBundle(URL(fileURLWithPath: file), into: store)
        let r = s.report
        if json {
            try printJSON([
                "from": s.from, "applied": r.applied, "duplicates": r.duplicates, "held": r.held,
                "refused": r.refused.map { ["change": $0.change, "record": $0.recordID, "reason": $0.reason] },
                "files_stored": s.filesStored, "files_skipped": s.filesSkipped, "files_missing": s.filesMissing,
            ])
        } else {
            print(
                "from \(s.from): \(r.applied) applied, \(r.duplicates) already here, \(r.refused.count) refused, \(r.held) waiting for earlier changes; files: \(s.filesStored) stored, \(s.filesSkipped) already here or not needed, \(s.filesMissing) still missing"
            )
            for refusal in r.refused {
                print("refused \(refusal.change) (record \(refusal.recordID)): \(refusal.reason)")
            }
        }
        if !r.refused.isEmpty { throw ExitCode(4) }
    }
}
