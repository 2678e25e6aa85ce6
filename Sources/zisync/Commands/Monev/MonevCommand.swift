import ArgumentParser

struct MonevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monev", abstract: "Monev reports: periodic plan-versus-realisation reviews.",
        subcommands: [MonevAddCommand.self, MonevListCommand.self])
}
