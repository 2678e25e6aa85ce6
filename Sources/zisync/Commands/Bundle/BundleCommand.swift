import ArgumentParser

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Carry changes and files to the parent office in one file (USB stick).",
        subcommands: [BundleExportCommand.self, BundleImportCommand.self, BundleAckCommand.self])
}
