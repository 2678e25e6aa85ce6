import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncTransport

struct PKIIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue", abstract: "Issue DIR/CODE.crt and DIR/CODE.key for a satker.")

    @Option(help: "The PKI directory holding the CA.") var dir: String
    @Option(help: "The satker code the certificate names.") var satker: String
    @Option(help: "Validity in days.") var days = 825
    @Option(
        name: .customLong("host"),
        help:
            "A host name or IP address children use to reach this node (repeatable; default localhost, 127.0.0.1).")
    var hosts: [String] = []

    func run() throws {
        let seed = try ReferenceSeed.load()
        guard seed.registry.contains(satker) else { throw ValidationError("unknown satker code '\(satker)'") }
        let (cert, key) = try DeploymentPKI.issue(
            in: URL(fileURLWithPath: dir), satker: satker,
            hosts: hosts.isEmpty ? ["localhost", "127.0.0.1"] : hosts,
            days: days)
        print("issued \(cert.path) and \(key.path)")
    }
}
