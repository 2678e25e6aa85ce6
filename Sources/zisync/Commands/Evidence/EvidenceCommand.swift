import ArgumentParser

struct EvidenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "Bukti dukung: evidence files attached to plans.",
        subcommands: [EvidenceAddCommand.self, EvidenceListCommand.self, EvidenceGetCommand.self])
}
