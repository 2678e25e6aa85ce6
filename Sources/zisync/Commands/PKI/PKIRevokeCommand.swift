import ArgumentParser
import Foundation
import ZISyncCore
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
        guard store.node == "00" else {
            throw ValidationError(
                "revocations are published by KPU RI: --home must be the node of 00, not \(store.node)")
        }
        guard store.registry.contains(satker) else { throw ValidationError("unknown satker code '\(satker)'") }
        let serial =
            try self.serial.map { $0.lowercased().replacingOccurrences(of: ":", with: "") }
            ?? DeploymentPKI.serial(ofCertificateFile: "\(dir)/\(satker).crt")
        guard !serial.isEmpty, serial.utf8.count <= 64, serial.allSatisfy(\.isHexDigit) else {
            throw ValidationError("--serial must be the certificate's serial number in hex, got '\(serial)'")
        }
        let now = HybridClock.systemMilliseconds()
        try store.write(
            type: .revocation, recordID: Validation.newRecordID(), owner: "00",
            fields: [
                "satker": .string(satker), "serial": .string(serial), "revoked_at": .int(now),
                "reason": .string(reason),
            ], actor: node.actorName)
        print("revoked \(satker)'s certificate \(serial); it reaches every office with the next pulls")
    }
}
