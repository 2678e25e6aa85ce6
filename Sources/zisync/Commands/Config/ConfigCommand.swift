import ArgumentParser

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "The node's configuration (zisync.toml).",
        subcommands: [ConfigCheckCommand.self, ConfigKeysCommand.self])
}
