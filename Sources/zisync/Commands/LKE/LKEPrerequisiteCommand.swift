import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore

struct LKEPrerequisiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prerequisite",
        abstract: "The prerequisites that are not LKE scores: per unit, and KPU's as an agency.",
        discussion: """
            Per unit and cycle: tlhp, lhkpn, lhkasn (percentages; 100 required), pencanangan (the \
            date ZI was declared; a full year before the usulan window required), sakip (the unit's \
            grade; B for WBK, BB for WBBM). Per agency, at KPU RI for 00: bpk (WTP required), \
            sakip-instansi and indeks-rb (B / BB), spip (level 3).
            """,
        subcommands: [LKEPrerequisiteShowCommand.self, LKEPrerequisiteSetCommand.self],
        defaultSubcommand: LKEPrerequisiteShowCommand.self)
}

struct LKEPrerequisiteShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "A unit's prerequisites and KPU's, and the rules they fail.")

    @OptionGroup var node: NodeOptions
    @Option(help: "The unit (default: this office).") var satker: String?
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        let satker = self.satker ?? store.node
        try LKECycle.check(satker: satker, store)
        let evaluation = Evaluation(store)
        let values = try evaluation.prerequisites(satker: satker, cycle: cycle).merging(
            try evaluation.prerequisites(satker: SatkerRegistry.root, cycle: cycle).filter { $0.key.isAgency }
        ) { a, _ in a }
        let check = try evaluation.checkPrerequisites(satker: satker, cycle: cycle)
        if json {
            try printJSON([
                "satker": satker, "cycle": cycle,
                "values": Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value.value) }),
                "missing": check.missing.map(\.rawValue),
                "wbk": ["meets": check.wbk.isEmpty, "failed": check.wbk.map(Evaluation.words)],
                "wbbm": ["meets": check.wbbm.isEmpty, "failed": check.wbbm.map(Evaluation.words)],
            ])
            return
        }
        printTable(
            ["ITEM", "VALUE", "WHAT"],
            Prerequisite.allCases.map { item in
                [item.rawValue, values[item]?.value ?? "-", item.title + (item.isAgency ? " (KPU)" : "")]
            })
        for (name, failed) in [("Menuju WBK", check.wbk), ("Menuju WBBM", check.wbbm)] {
            print(failed.isEmpty ? "\(name): prerequisites met" : "\(name): not met")
            for rule in failed { print("  \(Evaluation.words(rule))") }
        }
    }
}

struct LKEPrerequisiteSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Record one prerequisite of a unit (or of KPU, at KPU RI for 00).")

    @OptionGroup var node: NodeOptions
    @Option(help: "The unit (default: this office).") var satker: String?
    @Option(help: "The cycle (default: this year).") var cycle: Int?
    @Option(help: "tlhp, lhkpn, lhkasn, pencanangan, sakip, bpk, sakip-instansi, indeks-rb or spip.") var item: String
    @Option(help: "A note.") var note: String?
    @Option(help: "Bukti dukung ids (of this satker), comma-separated.") var evidence: String?
    @Argument(help: "The value (a percentage, a date, a grade, an opinion or a level).") var value: String

    func run() throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        guard let item = Prerequisite(rawValue: item) else {
            throw ValidationError(
                "--item must be one of \(Prerequisite.allCases.map(\.rawValue).joined(separator: ", ")), got '\(self.item)'"
            )
        }
        let satker = self.satker ?? (item.isAgency ? SatkerRegistry.root : store.node)
        try LKECycle.check(satker: satker, store)
        let ids = try evidence.map { list in
            try Validation.lkeCodes(list).map { try store.records.resolve($0, as: .evidence).id }
        }
        let set = try Evaluation(store).setPrerequisite(
            satker: satker, cycle: cycle, item: item, value: value, note: note, evidence: ids ?? [],
            actor: node.actorName)
        print("\(satker) \(cycle) \(item.rawValue) = \(set.value)")
    }
}
