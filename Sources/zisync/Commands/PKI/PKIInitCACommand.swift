import ArgumentParser
import Foundation
import ZISyncTransport

struct PKIInitCACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-ca", abstract: "Create the deployment CA (DIR/ca.crt, DIR/ca.key).")

    @Option(help: "The PKI directory (keep ca.key offline).") var dir: String
    @Option(help: "Validity in days.") var days = 3650

    func run() throws {
        try DeploymentPKI.initCA(in: URL(fileURLWithPath: dir), days: days)
        print("created \(dir)/\(DeploymentPKI.caCertificateFile) and \(dir)/\(DeploymentPKI.caKeyFile)")
    }
}
