import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncNode
import ZISyncStore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a node for one satker, with the reference data of KPU RI.")

    @OptionGroup var node: NodeOptions

    @Option(help: "The satker code of this office, e.g. 00, 32 or 32.17.")
    var satker: String

    @Option(help: "The PKI directory: copies ca.crt, CODE.crt and CODE.key into the home.")
    var pki: String?

    @Option(help: "The parent's address, https://HOST:PORT.")
    var parent: String?

    @Option(help: "Where `zisync daemon` serves this node's children, HOST:PORT.")
    var listen: String?

    func validate() throws {
        if let parent, !(parent.hasPrefix("https://") && URL(string: parent)?.host != nil) {
            throw ValidationError("--parent must be https://HOST:PORT, got '\(parent)'")
        }
        if (parent != nil || listen != nil) && pki == nil {
            throw ValidationError("--parent and --listen need --pki (the node's certificate)")
        }
    }

    func run() throws {
        let home = Home(path: try node.homePath)
        var config = NodeConfig(satker: satker, parent: parent, listen: listen)
        if listen != nil { _ = try config.listenAddress() }
        var sources: [(URL, String)] = []
        if let pki {
            let dir = URL(fileURLWithPath: pki)
            sources = [
                (dir.appendingPathComponent("ca.crt"), config.caFile),
                (dir.appendingPathComponent("\(satker).crt"), config.certificateFile),
                (dir.appendingPathComponent("\(satker).key"), config.keyFile),
            ]
            for (source, _) in sources where !FileManager.default.fileExists(atPath: source.path) {
                throw ValidationError(
                    "\(source.path) is missing: run `zisync pki issue --dir \(pki) --satker \(satker)`")
            }
        }
        let store = try Store.initialize(home: home, satker: satker)
        for (source, target) in sources {
            let url = home.url.appendingPathComponent(target)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source, to: url)
            if target.hasSuffix(".key") {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
            }
        }
        config.satker = store.node
        try config.write(home: home)
        let name = store.registry[satker]?.name ?? satker
        let counts = try store.audit.counts()
        print("Initialized \(store.home.url.path) for \(satker) \(name)")
        print(
            "Reference data: \(store.registry.all.count) satker, \(try store.records.lkeCatalogue().count) LKE items (\(counts.changes) changes from 00)"
        )
    }
}
