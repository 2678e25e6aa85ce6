import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncNode

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "One full round with the parent now: push, files, pull.",
        discussion: "Exit code 1 with the cause when the round fails; what was stored stays stored.")

    @OptionGroup var node: NodeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let home = Home(path: try node.homePath)
        let store = try node.openStore()
        let client = try SyncClient(store: store, config: try node.loadConfig(), home: home)
        let onTerminal = isatty(STDERR_FILENO) == 1
        let showProgress: SyncClient.Progress = { line in
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        }
        let report = try await client.round(progress: onTerminal ? showProgress : nil)
        if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if json {
            let data = try JSONEncoder().encode(report)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "pushed \(report.pushed) (\(report.duplicates) already there, \(report.refused.count) refused), files up \(report.filesUploaded) (\(report.bytesUploaded) bytes), pulled \(report.pulled), files down \(report.filesDownloaded) (\(report.bytesDownloaded) bytes) in \(String(format: "%.1f", report.seconds)) s"
            )
            for r in report.refused { print("refused \(r.change) (record \(r.record)): \(r.reason)") }
        }
    }
}
