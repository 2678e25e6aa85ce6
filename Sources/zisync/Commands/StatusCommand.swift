import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncEngine
import ZISyncNode
import ZISyncProtocol
import ZISyncStore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Sync state: pending work, last push and pull, the last problem and what to do, children.",
        discussion: """
            Works whether the daemon runs or not (it reads the database; a running daemon adds its \
            own state). On a province or KPU RI the children table lists the offices worst first: \
            failing (a problem to act on), late (not heard from in 3 sync intervals, at least 15 \
            min), ok; offices never seen are counted below it. --json prints the same as one \
            object (schema in docs/operations.md). Exit code 0 whatever the state.
            """)

    @OptionGroup var node: NodeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let home = Home(path: try node.homePath)
        let status = try await gather(home: home)
        if json {
            try printJSON(status)
            return
        }
        let now = HybridClock.systemMilliseconds()
        printNodeAndDaemon(status, home: home)
        printParent(status, now: now)
        printRecovery(status)
        printCertificate(status, now: now)
        print(
            "refused:   \(status.refusedByParent) by the parent, \(status.refusedHere) here; conflicts: \(status.conflicts); files missing here: \(status.missingFiles)"
        )
        printChildren(status, now: now)
    }

    /// Reads the state from the database and, when one answers on this home, the running daemon.
    private func gather(home: Home) async throws -> NodeStatus {
        let store = try node.openStore()
        let daemon = await ControlClient(home: home)?.state()
        return try NodeStatus.read(store: store, config: try? node.loadConfig(), daemon: daemon)
    }

    /// `--json`: the whole state as one object (schema in docs/operations.md).
    private func printJSON(_ status: NodeStatus) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(status), as: UTF8.self))
    }

    /// A time as an operator reads it: how long before `now`, or "never".
    private func ago(_ ms: Int64?, now: Int64) -> String {
        guard let ms else { return "never" }
        return OperatorText.duration(max(0, (now - ms) / 1000)) + " ago"
    }

    /// Which node this is and whether a daemon runs on its home (and serves the web pages).
    private func printNodeAndDaemon(_ status: NodeStatus, home: Home) {
        print("node:      \(status.node) \(status.name)")
        if let d = status.daemon {
            let next = d.nextRoundSeconds.map { d.syncing ? ", syncing now" : ", next round in \($0) s" } ?? ""
            print("daemon:    running (pid \(d.pid)\(d.listening.map { ", serving on \($0)" } ?? "")\(next))")
            if let web = d.web {
                let reach =
                    d.webOnLAN == true
                    ? "on the office network: anyone who reaches it sees the login page" : "this machine only"
                print("web:       \(web) (\(reach))")
            }
            if let portal = d.portalrb {
                let last = try? PortalRBTokens(try node.openStore()).log(limit: 1).first
                print(
                    "portalrb:  \(portal)\(last.map { ", last request \(timestamp($0.at)) (\($0.route), \($0.status))" } ?? ", no request yet")"
                )
            }
        } else if ControlClient.accessible(home: home) == false {
            print("daemon:    unknown: control.sock is not open to this user (run as the zisync user or root)")
        } else {
            print("daemon:    not running on this home")
        }
    }

    /// Sync with the parent: last push and pull, pending work, the last problem, the clock, a hold.
    private func printParent(_ status: NodeStatus, now: Int64) {
        if let parent = status.parent {
            print("parent:    \(parent) \(status.parentURL ?? "(no 'parent' in zisync.toml)")")
            print("push:      \(ago(status.lastPush, now: now)); pull: \(ago(status.lastPull, now: now))")
            print(
                "pending:   \(status.pendingChanges) changes, \(status.pendingFiles) files (\(OperatorText.bytes(status.pendingBytes)))"
            )
        }
        if let p = status.problem {
            print("problem:   \(p.message) (\(ago(p.at, now: now)))")
            print("  what to do: \(p.advice)")
        }
        if let skew = status.clockSkewMilliseconds, abs(skew) > 60_000 {
            let side = skew < 0 ? "ahead of" : "behind"
            let fix = status.clockOffsetMilliseconds == nil ? "" : "; new writes use the parent's time"
            print("clock:     \(abs(skew) / 1000) s \(side) the parent's\(fix); fix the system clock (NTP)")
        }
        if let held = status.heldByParent { print("held:      \(held)") }
    }

    /// A restore from the parent in progress, and the changes waiting here for something to release them.
    private func printRecovery(_ status: NodeStatus) {
        if let r = status.recovery {
            print(
                "restoring: \(r.restoredChanges) changes fetched from the parent so far; writes wait until it is complete"
            )
            print("  why: \(r.reason)")
            if r.setAside > 0 { print("  \(r.setAside) own change(s) set aside, written again when the restore ends") }
            print("  what to do: `zisync sync` (or let the daemon's next round) continues it")
        }
        for w in status.waiting {
            print("waiting:   \(w.changes) change(s) of \(w.origin) here: \(w.releasedBy)")
        }
    }

    /// The office certificate's expiry, as a warning when fewer than 30 days are left.
    private func printCertificate(_ status: NodeStatus, now: Int64) {
        guard let until = status.certificateValidUntil else { return }
        let days = (until - now + 43_200_000) / 86_400_000  // nearest whole day
        let date = Date(timeIntervalSince1970: Double(until) / 1000).formatted(.iso8601.year().month().day())
        if days < 30 {
            print(
                "certificate: expires in \(max(0, days)) days (\(date)): rotate it now (docs/operations.md, Rotating a certificate)"
            )
        } else {
            print("certificate: valid until \(date) (\(days) days)")
        }
    }

    /// On a province or KPU RI: the children seen (table, problems, offices below), then those never seen.
    private func printChildren(_ status: NodeStatus, now: Int64) {
        guard !status.children.isEmpty else { return }
        let seen = status.children.filter { $0.state != .neverSeen }
        let never = status.children.filter { $0.state == .neverSeen }
        print("")
        print("children (\(seen.count) of \(status.children.count) seen, worst first):")
        if !seen.isEmpty {
            printChildrenTable(seen, now: now)
        }
        for c in seen where c.problem != nil {
            print("\(c.satker) \(c.name): \(c.problem!.message)")
            print("  what to do: \(c.problem!.advice)")
        }
        printBelow(seen, now: now)
        if !never.isEmpty {
            print("never seen (\(never.count)): \(never.map(\.satker).joined(separator: ", "))")
        }
    }

    /// One row per child seen; the BELOW column only when some child reported offices below it.
    private func printChildrenTable(_ seen: [ChildStatus], now: Int64) {
        // Offices below the children (KPU RI looking at provinces), as each child last reported.
        let showBelow = seen.contains { $0.below != nil }
        printTable(
            ["SATKER", "STATE", "LAST SEEN", "LAG", "PENDING"] + (showBelow ? ["BELOW"] : []) + ["PROBLEM"],
            seen.map { c in
                [
                    c.satker, c.state.rawValue, ago(c.lastSeen, now: now),
                    c.lagSeconds.map { OperatorText.duration($0) } ?? "-",
                    c.pendingChanges.map { "\($0) changes, \(c.pendingFiles ?? 0) files" } ?? "-",
                ] + (showBelow ? [belowCell(c)] : []) + [
                    c.problem.map { "\($0.cause.rawValue): \($0.message)" } ?? "-"
                ]
            })
    }

    /// The BELOW cell: the counts a child last reported of its own children.
    private func belowCell(_ c: ChildStatus) -> String {
        guard let b = c.below else { return "-" }
        let failing = b.attention.count { $0.state == .failing }
        return "\(failing) failing, \(b.attention.count - failing) late, \(b.ok) ok"
    }

    /// The offices below each child that need attention, as that child last saw them.
    private func printBelow(_ seen: [ChildStatus], now: Int64) {
        for c in seen {
            guard let below = c.below, !below.attention.isEmpty else { continue }
            print("below \(c.satker) \(c.name) (as \(c.satker) saw it \(ago(c.reportedAt, now: now))):")
            for office in below.attention {
                print(
                    "  \(office.satker) \(office.state.rawValue)\(office.lagSeconds.map { ", lag \(OperatorText.duration($0))" } ?? ""): \(office.problem.map { "\($0.cause.rawValue): \($0.message)" } ?? "-")"
                )
            }
        }
    }
}
