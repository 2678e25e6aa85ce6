import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

struct LKECalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "The windows of a cycle's stages, as KPU RI sets them.",
        discussion: """
            Stages: penilaian-mandiri (the unit answers and submits), penilaian-pendahuluan (the \
            province assesses a kab/kota), evaluasi-tpi (KPU RI's Inspektorat), usulan (KPU RI \
            proposes). A step outside its stage's window is refused, naming the window; dates are \
            days in WIB (UTC+7), both ends included.
            """,
        subcommands: [LKECalendarShowCommand.self, LKECalendarSetCommand.self],
        defaultSubcommand: LKECalendarShowCommand.self)
}

struct LKECalendarShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a cycle's windows and the stage open today.")

    @OptionGroup var node: NodeOptions
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        let windows = try Evaluation(store).windows(cycle: cycle)
        let today = EvaluationCycle.today()
        if json {
            try printJSON([
                "cycle": cycle, "today": today,
                "windows": windows.map { w -> [String: Any] in
                    [
                        "stage": w.stage.rawValue, "from": w.from, "to": w.to, "open": w.contains(day: today),
                        "reason": w.reason as Any? ?? NSNull(),
                    ]
                },
            ])
            return
        }
        guard !windows.isEmpty else {
            print("no windows set for \(cycle): every stage is open (KPU RI sets them with `zisync lke calendar set`)")
            return
        }
        printTable(
            ["STAGE", "FROM", "TO", "TODAY"],
            windows.map { w in
                [
                    w.stage.rawValue, w.from, w.to,
                    w.contains(day: today) ? "open" : today < w.from ? "not yet open" : "closed",
                ]
            })
    }
}

struct LKECalendarSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set or extend a stage's window (at KPU RI only).",
        discussion: """
            Once a window has opened its start stays and its end may only move later: nothing \
            already done in it may fall outside it. Changing a window needs --reason, which its \
            history keeps with who gave it.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Option(help: "penilaian-mandiri, penilaian-pendahuluan, evaluasi-tpi or usulan.") var stage: String
    @Option(help: "The first day, YYYY-MM-DD.") var from: String
    @Option(help: "The last day, YYYY-MM-DD.") var to: String
    @Option(help: "Why the window changes (required to change one that is set).") var reason: String?

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        guard let stage = EvaluationStage(rawValue: stage) else {
            throw ValidationError(
                "--stage must be one of \(EvaluationStage.allCases.map(\.rawValue).joined(separator: ", ")), got '\(self.stage)'"
            )
        }
        try Evaluation(store).setWindow(
            cycle: cycle, stage: stage, from: from, to: to, reason: reason, actor: node.actorName)
        print("\(stage.title) \(cycle): \(from) to \(to)")
    }
}
