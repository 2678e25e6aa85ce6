import ZISyncCore
import ZISyncStore
import ZISyncTransport

extension HTTPSLink {
    /// The link to the parent that zisync.toml names: `parent`, this office's files under [tls]
    /// and the link's timeouts and rate under [sync].
    public convenience init(config: NodeConfig, home: Home, parentSatker: String) throws {
        guard let parent = config.parent else {
            throw ZISyncError("this node has no parent configured ('parent' in zisync.toml)")
        }
        var c = HTTPClientConfiguration(
            caFile: config.path(config.caFile, home: home),
            certificateFile: config.path(config.certificateFile, home: home),
            keyFile: config.path(config.keyFile, home: home))
        c.connectTimeoutSeconds = config.connectTimeoutSeconds
        c.lowSpeedSeconds = config.lowSpeedSeconds
        c.maxBytesPerSecond = config.maxBytesPerSecond
        self.init(parent: parent, parentSatker: parentSatker, configuration: c)
    }
}
