import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore
import ZISyncTransport

struct PKIRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a satker's certificate (at KPU RI): published to every office as reference data.",
        discussion: """
            Run on KPU RI's node (--home of satker 00). Without --serial, the certificate in \
            DIR/CODE.crt is revoked. Every node refuses the certificate at its door (the office \
            sees cause `revoked`) and refuses changes signed with it from now on, once the \
            revocation reaches it by pull. `zisync pki issue` then gives the office a new one.
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The PKI directory holding the certificates.") var dir: String
    @Option(help: "The satker whose certificate is revoked.") var satker: String
    @Option(help: "The certificate's serial number in hex (default: the one in DIR/CODE.crt).") var serial: String?
    @Option(help: "Why (kept with the revocation).") var reason = ""

    func run() throws {
        let store = try node.openStore()
        let serial = try CertificateRevocations(store).revoke(
            satker: satker,
            serial: try self.serial ?? DeploymentPKI.serial(ofCertificateFile: "\(dir)/\(satker).crt"),
            reason: reason, actor: node.actorName, at: HybridClock.systemMilliseconds())
        print("revoked \(satker)'s certificate \(serial); it reaches every office with the next pulls")
    }
}
