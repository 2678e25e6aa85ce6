import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncTransport

struct PKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki", abstract: "The deployment's certificate authority and node certificates.",
        subcommands: [InitCA.self, Issue.self, Revoke.self])

    struct InitCA: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init-ca", abstract: "Create the deployment CA (DIR/ca.crt, DIR/ca.key).")

        @Option(help: "The PKI directory (keep ca.key offline).") var dir: String
        @Option(help: "Validity in days.") var days = 3650

        func run() throws {
            try DeploymentPKI.initCA(in: URL(fileURLWithPath: dir), days: days)
            print("created \(dir)/\(DeploymentPKI.caCertificateFile) and \(dir)/\(DeploymentPKI.caKeyFile)")
        }
    }

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue DIR/CODE.crt and DIR/CODE.key for a satker.")

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

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
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
}
