import ArgumentParser
import Foundation
import ZISyncStore

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup (zisync backup) in place as a new node home.",
        discussion: """
            The home must not exist yet. The restored database gets a new identity: its children \
            send again what it lacks at their next round. For a province or KPU RI; a kab/kota \
            must not be restored from an older backup yet (docs/operations.md, "Backups").
            """)

    @OptionGroup var node: NodeOptions
    @Argument(help: "The backup directory.") var backup: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let home = Home(path: try node.homePath)
        let summary = try Backup.restore(from: URL(fileURLWithPath: backup), to: home)
        if summary.satker != "00" {
            // Until chains cannot fork (issue "Recovery and authenticity"), say what is not safe.
            FileHandle.standardError.write(
                Data(
                    "note: if \(summary.satker) wrote changes of its own after this backup, its parent holds them and its next write here will be refused there; its children's changes come back by themselves\n"
                        .utf8))
        }
        if json {
            try printJSON([
                "satker": summary.satker, "changes": summary.changes, "files": summary.files, "home": home.url.path,
            ])
        } else {
            print(
                "restored \(summary.satker) into \(home.url.path): \(summary.changes) changes, \(summary.files) files; start its daemon"
            )
        }
    }
}
