import ArgumentParser
import ZISyncCore

struct LKECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lke", abstract: "The LKE catalogue of PermenPANRB 90/2021.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List catalogue items (codes used by plans and evidence).")

        @OptionGroup var node: NodeOptions
        @Option(help: "Only this area: \(Area.choices).") var area: Area?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let items = try node.openStore().lkeCatalogue().filter { area == nil || $0.area == area!.rawValue }
            if json {
                try printJSON(
                    items.map {
                        [
                            "code": $0.code, "parent": $0.parent ?? "", "level": $0.level, "aspect": $0.aspect,
                            "area": $0.area, "name": $0.name, "answer_type": $0.answerType, "weight": $0.weight,
                            "formula": $0.formula, "penjelasan": $0.penjelasan,
                        ]
                    })
            } else {
                printTable(
                    ["CODE", "LEVEL", "WEIGHT", "ANSWER", "NAME"],
                    items.map { [$0.code, $0.level, $0.weight, $0.answerType, $0.name] })
            }
        }
    }
}
