import ArgumentParser
import Foundation
import ZISyncEngine
import ZISyncNode

struct BundleImportCommand: ParsableCommand {
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
                "waiting": r.waiting, "released": r.released,
                "refused": r.refused.map { ["change": $0.change, "record": $0.record, "reason": $0.reason] },
                "files_stored": s.filesStored, "files_skipped": s.filesSkipped, "files_missing": s.filesMissing,
            ])
        } else {
            print(
                "from \(s.from): \(r.applied) applied, \(r.duplicates) already here, \(r.refused.count) refused, \(r.held) waiting for earlier changes, \(r.waiting) waiting for a record they name (\(r.released) that waited applied); files: \(s.filesStored) stored, \(s.filesSkipped) already here or not needed, \(s.filesMissing) still missing"
            )
            for refusal in r.refused {
                print("refused \(refusal.change) (record \(refusal.record)): \(refusal.reason)")
            }
        }
        if !r.refused.isEmpty { throw ExitCode(4) }
    }
}
