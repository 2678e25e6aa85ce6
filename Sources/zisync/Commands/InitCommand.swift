import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncNode
import ZISyncStore

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a node for one satker, with the reference data of KPU RI.",
        discussion: """
            With --restore (an office whose disk died, or a province re-installed), the new node \
            fetches from its parent this office's own changes, its subtree's and its scope, then \
            the evidence files its records name, and continues its sequence after the parent's; it \
            writes nothing until that is complete. A cut or a kill leaves it resumable: run the \
            same command again (or `zisync sync`, or start the daemon). Exit code 1 when the \
            restore could not complete yet.
            """)

    @OptionGroup var node: NodeOptions

    @Option(help: "The satker code of this office, e.g. 00, 32 or 32.17.")
    var satker: String

    @Option(help: "The PKI directory: copies ca.crt, CODE.crt and CODE.key into the home.")
    var pki: String?

    @Option(help: "The parent's address, https://HOST:PORT.")
    var parent: String?

    @Option(help: "Where `zisync daemon` serves this node's children, HOST:PORT.")
    var listen: String?

    @Option(help: "Where `zisync daemon` serves the office's web app, HOST:PORT or a port (127.0.0.1).")
    var webListen: String?

    @Flag(help: "Bring back this office's changes and files from its parent (needs --parent and --pki).")
    var restore = false

    func validate() throws {
        if let parent, !(parent.hasPrefix("https://") && URL(string: parent)?.host != nil) {
            throw ValidationError("--parent must be https://HOST:PORT, got '\(parent)'")
        }
        if (parent != nil || listen != nil) && pki == nil {
            throw ValidationError("--parent and --listen need --pki (the node's certificate)")
        }
        if restore && parent == nil {
            throw ValidationError("--restore needs --parent (the office to restore from) and --pki")
        }
    }

    func run() async throws {
        let home = Home(path: try node.homePath)
        if restore, home.exists {
            // A restore cut short: the same command carries on with it.
            let store = try node.openStore()
            guard store.node == satker, try store.ledger.state().recovery != nil else {
                throw ZISyncError(
                    "\(home.url.path) already holds a node for \(store.node) that is not restoring; to restore, use an empty --home"
                )
            }
            try await finishRestore(home)
            return
        }
        var config = NodeConfig(satker: satker, parent: parent, listen: listen)
        if listen != nil { _ = try config.listenAddress() }
        config.webListen = webListen
        if webListen != nil, (try? config.webAddress()) == nil {
            throw ValidationError("--web-listen must be HOST:PORT or a port, got '\(webListen ?? "")'")
        }
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
        if restore {
            try store.ledger.beginRestore("restoring from the parent (zisync init --restore)")
            try await finishRestore(home)
        }
    }

    /// The restore is one sync round that begins with fetching the office's own chains.
    func finishRestore(_ home: Home) async throws {
        print("Restoring \(satker) from \(parent ?? "its parent")…")
        let sync = try SyncCommand.parse(["--home", home.url.path] + (node.config.map { ["--config", $0] } ?? []))
        try await sync.run()
        let store = try node.openStore()
        let state = try store.ledger.state()
        guard state.recovery == nil else {
            throw ZISyncError("the restore is not complete; run the same command again to continue it")
        }
        let files = try store.ledger.missingFileCount()
        print(
            "Restored: \(try store.audit.counts().changes) changes here, \(files == 0 ? "every evidence file" : "\(files) evidence file(s) still to fetch (the next sync does)")"
        )
    }
}
