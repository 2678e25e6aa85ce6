import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncEngine
import ZISyncNode
import ZISyncProtocol
import ZISyncStore
import ZISyncTransport

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "One full round with the parent now: push, files, pull.",
        discussion: """
            When the daemon runs on this home, it does the round (through control.sock) and this \
            command follows its progress; otherwise this command does the round itself. Progress \
            shows on a terminal. Exit code 1 with the cause and what to do when the round fails \
            (what was stored stays stored and the next round resumes); 4 when it went through \
            but the parent refused changes.
            """)

    @OptionGroup var node: NodeOptions
    @Flag(help: "Print JSON: the round's report and \"via\" (daemon or command), or \"problem\".")
    var json = false

    func run() async throws {
        let home = Home(path: try node.homePath)
        let onTerminal = isatty(STDERR_FILENO) == 1
        let show: @Sendable (String) -> Void = { line in
            if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8)) }
        }
        var report: SyncReport?
        var problem: SyncProblem?
        var via = "command"
        if ControlClient.accessible(home: home) == false {
            throw ZISyncError(
                "the daemon's control.sock in \(home.url.path) is not open to this user: run `sudo -u zisync zisync sync` (or as root)"
            )
        }
        if let control = ControlClient(home: home), let daemon = await control.state() {
            via = "daemon"
            if onTerminal {
                FileHandle.standardError.write(Data("asking the running daemon (pid \(daemon.pid))\n".utf8))
            }
            switch try await control.sync(progress: show) {
            case .report(let r): report = r
            case .problem(let p): problem = p
            }
        } else {
            let config = try node.loadConfig()
            let store = try node.openStore()
            let round = try SyncRound(
                store: store, link: try HTTPSLink(config: config, home: home, parentSatker: store.parent ?? ""),
                policy: config.policy)
            do {
                report = try await round.run(progress: show)
            } catch {
                problem = SyncProblem.explain(error, at: HybridClock.systemMilliseconds())
            }
        }
        if onTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        problem = problem ?? report?.problem
        if json {
            var object: [String: Any] = ["via": via]
            if let report {
                let fields = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
                object.merge(fields ?? [:]) { a, _ in a }
            }
            if let problem {
                object["problem"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(problem))
            }
            try printJSON(object)
        } else if let report {
            print(
                "pushed \(report.pushed) (\(report.duplicates) already there, \(report.refused.count) refused), files up \(report.filesUploaded) (\(report.bytesUploaded) bytes), pulled \(report.pulled), files down \(report.filesDownloaded) (\(report.bytesDownloaded) bytes) in \(String(format: "%.1f", report.seconds)) s\(via == "daemon" ? " (by the daemon)" : "")"
            )
            for r in report.refused { print("refused \(r.change) (record \(r.record)): \(r.reason)") }
        }
        if let problem {
            FileHandle.standardError.write(
                Data("zisync sync: \(problem.message)\n  what to do: \(problem.advice)\n".utf8))
            // 4: the round went through but changes were refused (as for a bundle import).
            throw ExitCode(report == nil ? 1 : problem.cause == .refused ? 4 : 0)
        }
    }
}
