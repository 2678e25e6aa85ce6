import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncNode

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Sync state: pending work, last push and pull, errors, children.")

    @OptionGroup var node: NodeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let home = Home(path: try node.homePath)
        let store = try node.openStore()
        let status = try NodeStatus.read(store: store, config: try? node.loadConfig())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
            return
        }
        func ago(_ ms: Int64?) -> String {
            guard let ms else { return "never" }
            let s = max(0, (HybridClock.systemMilliseconds() - ms) / 1000)
            return s < 120 ? "\(s) s ago" : s < 7200 ? "\(s / 60) min ago" : "\(s / 3600) h ago"
        }
        print("node:     \(status.node) \(status.name)")
        print("parent:   \(status.parent ?? "none") \(status.parentURL ?? "")")
        print("push:     \(ago(status.lastPush)); pull: \(ago(status.lastPull))")
        print("pending:  \(status.pendingChanges) changes, \(status.pendingFiles) files (\(status.pendingBytes) bytes)")
        if let error = status.lastError { print("error:    \(error) (\(ago(status.lastErrorAt)))") }
        if let skew = status.clockSkewMilliseconds, abs(skew) > 60_000 {
            let side = skew < 0 ? "ahead of" : "behind"
            let fix = status.clockOffsetMilliseconds == nil ? "" : "; new writes use the parent's time"
            print("clock:    \(abs(skew) / 1000) s \(side) the parent's\(fix); fix the system clock (NTP)")
        }
        if let held = status.heldByParent { print("held:     \(held)") }
        print(
            "refused:  \(status.refusedByParent) by the parent, \(status.refusedHere) here; conflicts: \(status.conflicts)"
        )
        if !status.children.isEmpty {
            print("children:")
            for c in status.children.sorted(by: { ($0.lastSeen ?? 0) < ($1.lastSeen ?? 0) }) {
                print(
                    "  \(c.satker.padding(toLength: 6, withPad: " ", startingAt: 0)) \(ago(c.lastSeen).padding(toLength: 12, withPad: " ", startingAt: 0)) pushed \(c.pushed), refused \(c.refused)  \(c.name)"
                )
            }
        }
    }
}
