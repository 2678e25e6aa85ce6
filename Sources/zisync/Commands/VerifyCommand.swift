import ArgumentParser
import ZISyncCore
import ZISyncStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-check every origin's hash chain and the records against the change log.",
        discussion: "Exit code 3 names the first bad change when anything does not match.")

    @OptionGroup var node: NodeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let report = try node.openStore().audit.verify()
        if json {
            try printJSON([
                "ok": report.ok, "changes": report.changes, "origins": report.origins, "records": report.records,
                "problems": report.problems,
            ])
        } else if report.ok {
            print("ok: \(report.changes) changes from \(report.origins) origins, \(report.records) records")
        } else {
            print("FAILED: \(report.problems[0])")
            for p in report.problems.dropFirst().prefix(20) { print("  \(p)") }
            if report.problems.count > 21 { print("  … \(report.problems.count - 21) more") }
        }
        if !report.ok { throw ExitCode(3) }
    }
}
