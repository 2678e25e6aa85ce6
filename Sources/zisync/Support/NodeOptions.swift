import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncNode
import ZISyncStore

/// Options every command that works on a node shares.
struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: "The node's home directory (default: $ZISYNC_HOME).")
    var home: String?

    @Option(name: .long, help: "Who is acting, recorded in the change log (default: $ZISYNC_ACTOR or $USER).")
    var actor: String?

    @Option(name: .long, help: "The config file (default: $ZISYNC_CONFIG, else zisync.toml in the home).")
    var config: String?

    /// `--config`, else `$ZISYNC_CONFIG`; nil means `zisync.toml` in the home.
    var configPath: String? {
        config ?? ProcessInfo.processInfo.environment["ZISYNC_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func loadConfig() throws -> NodeConfig {
        try NodeConfig.load(home: Home(path: try homePath), path: configPath)
    }

    var homePath: String {
        get throws {
            if let home { return home }
            if let env = ProcessInfo.processInfo.environment["ZISYNC_HOME"], !env.isEmpty { return env }
            throw ValidationError("no node home: pass --home DIR or set ZISYNC_HOME")
        }
    }

    func openStore() throws -> Store {
        let home = Home(path: try homePath)
        // The config gives the skew limit (it bounds local writes' clocks) and the signing key; a
        // node without a config uses the default limit and signs nothing.
        // Read leniently: a certificate that this clock thinks expired (or not valid yet) still
        // signs, and a problem with another key must not leave local writes unsigned.
        let url = configPath.map { URL(fileURLWithPath: $0) } ?? home.url.appendingPathComponent(NodeConfig.fileName)
        guard let config = ConfigCheck.check(url: url, checkIdentity: false).0 else {
            return try Store.open(home: home, clockSkewLimitSeconds: NodeConfig(satker: "").clockSkewLimitSeconds)
        }
        return try config.openStore(home: home)
    }

    var actorName: String {
        let env = ProcessInfo.processInfo.environment
        return actor ?? env["ZISYNC_ACTOR"] ?? env["USER"] ?? "operator"
    }
}

extension Area: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
