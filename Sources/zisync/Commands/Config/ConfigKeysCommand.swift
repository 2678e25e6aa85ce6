import ArgumentParser
import ZISyncNode

struct ConfigKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List every key of zisync.toml: what it takes, its default, what it is for.",
        discussion: "The same table as docs/operations.md (--markdown prints it as there).")

    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print the markdown table of docs/operations.md.") var markdown = false

    func run() throws {
        if markdown {
            print(ConfigKey.markdownTable)
        } else if json {
            try printJSON(
                ConfigKey.all.map { (key: ConfigKey) -> [String: Any] in
                    var row: [String: Any] = ["key": key.name, "takes": key.kind.words, "summary": key.summary]
                    if let d = key.defaultText { row["default"] = d }
                    return row
                })
        } else {
            let rows = ConfigKey.all.map { [$0.name, $0.kind.words, $0.defaultText ?? "", $0.summary] }
            printTable(["KEY", "TAKES", "DEFAULT", "WHAT IT IS FOR"], rows)
        }
    }
}
