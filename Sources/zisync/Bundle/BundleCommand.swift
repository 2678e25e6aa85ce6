import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncEngine
import ZISyncNode
import ZISyncProtocol
import ZISyncStore

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Carry changes and files to the parent office in one file (USB stick).",
        subcommands: [BundleExport.self, BundleImport.self, BundleAck.self])
}

struct BundleExport: ParsableCommand {
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

struct BundleImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Apply a bundle from an office below this one, with the same checks as a network push.",
        discussion: "Exit code 4 when some changes were refused (they are listed; the rest is applied).")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The bundle file.") var file: String
    @Option(help: "Also write a receipt for the sending office to `zisync bundle ack`.") var receipt: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        // The clock limit of a push applies (a config may be absent on an office that only carries bundles).
        let limit = (try? node.loadConfig())?.clockSkewLimitSeconds ?? SyncPolicy().clockSkewLimitSeconds
        let s = try BundleExchange.import(URL(fileURLWithPath: file), into: store, maxClockAheadSeconds: limit)
        if let receipt {
            try BundleExchange.receipt(by: store, for: s).write(to: URL(fileURLWithPath: receipt))
        }
        let r = s.report
        if json {
            try printJSON([
                "from": s.from, "applied": r.applied, "duplicates": r.duplicates, "held": r.held,
                "refused": r.refused.map { ["change": $0.change, "record": $0.record, "reason": $0.reason] },
                "files_stored": s.filesStored, "files_skipped": s.filesSkipped, "files_missing": s.filesMissing,
            ])
        } else {
            print(
                "from \(s.from): \(r.applied) applied, \(r.duplicates) already here, \(r.refused.count) refused, \(r.held) waiting for earlier changes; files: \(s.filesStored) stored, \(s.filesSkipped) already here or not needed, \(s.filesMissing) still missing"
            )
            for refusal in r.refused {
                print("refused \(refusal.change) (record \(refusal.record)): \(refusal.reason)")
            }
        }
        if !r.refused.isEmpty { throw ExitCode(4) }
    }
}

struct BundleAck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Record a receipt from the parent, so the next bundle carries only what it lacks.")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The receipt file written by `zisync bundle import --receipt`.") var file: String

    func run() throws {
        let receipt = try BundleReceipt.read(URL(fileURLWithPath: file))
        try BundleExchange.acknowledge(receipt, on: try node.openStore())
        let tips = receipt.tips.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ", ")
        print("parent \(receipt.from) holds \(tips.isEmpty ? "nothing yet" : tips)")
    }
}
