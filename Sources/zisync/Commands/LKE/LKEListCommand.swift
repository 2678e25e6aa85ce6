import ArgumentParser
import ZISyncCore
import ZISyncStore

struct LKEListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List catalogue items (codes used by plans and evidence).")

    @OptionGroup var node: NodeOptions
    @Option(help: "Only this area: \(Area.choices).") var area: Area?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let items = try node.openStore().records.lkeCatalogue().filter { area == nil || $0.area == area!.rawValue }
        if json {
            try printJSON(
                items.map { (item: LKEItem) -> [String: String] in
                    [
                        "code": item.code, "parent": item.parent ?? "", "level": item.level, "aspect": item.aspect,
                        "area": item.area, "name": item.name, "answer_type": item.answerType,
                        "weight": item.weight, "formula": item.formula, "penjelasan": item.penjelasan,
                    ]
                })
        } else {
            printTable(
                ["CODE", "LEVEL", "WEIGHT", "ANSWER", "NAME"],
                items.map { [$0.code, $0.level, $0.weight, $0.answerType, $0.name] })
        }
    }
}
