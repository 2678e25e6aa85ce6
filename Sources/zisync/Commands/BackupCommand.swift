import ArgumentParser
import Foundation
import ZISyncStore

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy this node (database, bukti dukung, config, certificates) into a new directory.",
        discussion: """
            Consistent while the daemon runs: the database is one snapshot (SQLite's online backup), \
            and the files it names are copied after it. Keep backups on another disk; they hold the \
            office's key. docs/operations.md, "Backups".
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The directory to create (it must not exist, or be empty).") var out: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let onTerminal = isatty(STDERR_FILENO) == 1
        let summary = try Backup(store).write(to: URL(fileURLWithPath: out)) { done, total in
            if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[Kfiles: \(done)/\(total)".utf8)) }
        }
        if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if json {
            try printJSON([
                "satker": summary.satker, "changes": summary.changes, "files": summary.files,
                "file_bytes": summary.fileBytes, "out": out,
            ])
        } else {
            print(
                "backup of \(summary.satker) in \(out): \(summary.changes) changes, \(summary.files) files (\(summary.fileBytes) bytes)"
            )
        }
    }
}
