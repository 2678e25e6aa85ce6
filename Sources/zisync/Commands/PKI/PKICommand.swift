import ArgumentParser

struct PKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki", abstract: "The deployment's certificate authority and node certificates.",
        subcommands: [PKIInitCACommand.self, PKIIssueCommand.self, PKIRevokeCommand.self])
}
