import ArgumentParser
import Foundation
import ZISyncEngine

struct BundleExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the changes of this node's subtree that the parent lacks, with their files, into one file.",
        discussion: """
            Without a receipt from the parent (`zisync bundle ack`), every change is included; \
            importing a change twice is harmless.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The bundle file to write.") var out: String
    @Flag(help: "Include everything, ignoring what the parent acknowledged.") var all = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let summary = try BundleExchange.export(from: store, to: URL(fileURLWithPath: out), all: all)
        if json {
            try printJSON(["changes": summary.changes, "files": summary.files, "bytes": summary.bytes, "out": out])
        } else {
            print("\(out): \(summary.changes) changes, \(summary.files) files, \(summary.bytes) bytes")
        }
    }
}
