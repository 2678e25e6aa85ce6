import Foundation
import TOMLKit
import ZISyncCore

/// `zisync.toml` in the node's home. Paths are relative to the home unless absolute.
public struct NodeConfig: Sendable, Equatable {
    public static let fileName = "zisync.toml"

    public var satker: String
    /// The parent's base URL, `https://HOST:PORT`; nil at KPU RI.
    public var parent: String?
    /// Where the daemon serves its children, `HOST:PORT`; nil on a node without children.
    public var listen: String?
    public var caFile = "tls/ca.crt"
    public var certificateFile = "tls/node.crt"
    public var keyFile = "tls/node.key"
    public var syncIntervalSeconds = 300
    public var batchChanges = 5000
    public var batchBytes = 6 << 20
    public var maxBytesPerSecond: Int64 = 0
    public var connectTimeoutSeconds = 15
    public var lowSpeedSeconds = 30
    /// How far a clock may be off the parent's before it counts as skewed (brief §5.3).
    public var clockSkewLimitSeconds = 300
    /// Attempts per request on a failed transfer (curl error) before the round gives up.
    public var retries = 4

    public init(satker: String, parent: String? = nil, listen: String? = nil) {
        self.satker = satker
        self.parent = parent
        self.listen = listen
    }

    public static func load(home: Home) throws -> NodeConfig {
        try load(url: home.url.appendingPathComponent(fileName))
    }

    public static func load(url: URL) throws -> NodeConfig {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ZISyncError("cannot read the config \(url.path)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw ZISyncError("\(url.path) line \(e.source.begin.line): \(e.description)")
        }
        guard let satker = table["satker"]?.string else {
            throw ZISyncError("\(url.path): key 'satker' is missing")
        }
        var c = NodeConfig(satker: satker, parent: table["parent"]?.string, listen: table["listen"]?.string)
        if let tls = table["tls"]?.table {
            c.caFile = tls["ca"]?.string ?? c.caFile
            c.certificateFile = tls["certificate"]?.string ?? c.certificateFile
            c.keyFile = tls["key"]?.string ?? c.keyFile
        }
        if let sync = table["sync"]?.table {
            c.syncIntervalSeconds = sync["interval_seconds"]?.int ?? c.syncIntervalSeconds
            c.batchChanges = sync["batch_changes"]?.int ?? c.batchChanges
            c.batchBytes = sync["batch_bytes"]?.int ?? c.batchBytes
            c.maxBytesPerSecond = Int64(sync["max_bytes_per_second"]?.int ?? Int(c.maxBytesPerSecond))
            c.connectTimeoutSeconds = sync["connect_timeout_seconds"]?.int ?? c.connectTimeoutSeconds
            c.lowSpeedSeconds = sync["low_speed_seconds"]?.int ?? c.lowSpeedSeconds
            c.retries = sync["retries"]?.int ?? c.retries
            c.clockSkewLimitSeconds = sync["clock_skew_limit_seconds"]?.int ?? c.clockSkewLimitSeconds
        }
        return c
    }

    public var toml: String {
        func q(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var lines = ["# zisync node configuration", "satker = \(q(satker))"]
        if let parent { lines.append("parent = \(q(parent))") }
        if let listen { lines.append("listen = \(q(listen))") }
        lines += [
            "", "[tls]", "ca = \(q(caFile))", "certificate = \(q(certificateFile))", "key = \(q(keyFile))", "",
            "[sync]", "interval_seconds = \(syncIntervalSeconds)", "batch_changes = \(batchChanges)",
            "batch_bytes = \(batchBytes)", "max_bytes_per_second = \(maxBytesPerSecond)",
            "connect_timeout_seconds = \(connectTimeoutSeconds)", "low_speed_seconds = \(lowSpeedSeconds)",
            "retries = \(retries)", "clock_skew_limit_seconds = \(clockSkewLimitSeconds)", "",
        ]
        return lines.joined(separator: "\n")
    }

    public func write(home: Home) throws {
        try Data(toml.utf8).write(to: home.url.appendingPathComponent(Self.fileName), options: .atomic)
    }

    public func path(_ file: String, home: Home) -> String {
        file.hasPrefix("/") ? file : home.url.appendingPathComponent(file).path
    }

    /// `HOST:PORT` of `listen`.
    public func listenAddress() throws -> (host: String, port: Int) {
        guard let listen, let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ZISyncError("'listen' must be HOST:PORT, got '\(listen ?? "")'") }
        return (String(listen[..<colon]), port)
    }
}
