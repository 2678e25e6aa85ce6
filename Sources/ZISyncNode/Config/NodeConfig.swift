import Foundation
import TOMLKit
import ZISyncCore
import ZISyncEngine
import ZISyncStore
import ZISyncTransport

/// `zisync.toml` in the node's home. Paths are relative to the home unless absolute.
public struct NodeConfig: Sendable, Equatable {
    public static let fileName = "zisync.toml"

    public var satker: String
    /// The parent's base URL, `https://HOST:PORT`; nil at KPU RI.
    public var parent: String?
    /// Where the daemon serves its children, `HOST:PORT`; nil on a node without children.
    public var listen: String?
    /// Where the daemon serves Prometheus metrics over plain HTTP, `HOST:PORT`; nil for none
    /// (they are always on the control socket).
    public var metricsListen: String?
    /// Where the daemon serves the office's web app (Halaman kerja ZI), `HOST:PORT`; a port alone
    /// means 127.0.0.1. nil for none.
    public var webListen: String?
    /// The office's own certificate and key for the web app (`[web]`): HTTPS when both are set.
    public var webCertificateFile: String?
    public var webKeyFile: String?
    /// `[web] hosts`: names the web app answers besides IP addresses (comma-separated).
    public var webHostNames: String?
    /// Where KPU RI serves PortalRB's integration API over HTTPS, `HOST:PORT`; nil for none.
    public var portalRBListen: String?
    /// The certificate and key KPU RI provides for that listener (`[portalrb]`): required with it.
    public var portalRBCertificateFile: String?
    public var portalRBKeyFile: String?
    /// The API's address as PortalRB and its evaluators reach it (evidence links).
    public var portalRBPublicURL: String?
    /// Requests one PortalRB token may make in a minute.
    public var portalRBRequestsPerMinute = NodeConfig.portalRBRequestsPerMinuteDefault
    public static let portalRBRequestsPerMinuteDefault = 60
    public var caFile = "tls/ca.crt"
    public var certificateFile = "tls/node.crt"
    public var keyFile = "tls/node.key"
    public var syncIntervalSeconds = 300
    public var batchChanges = 2000
    public var batchBytes = 6 << 20
    public var maxBytesPerSecond: Int64 = 0
    public var connectTimeoutSeconds = 15
    public var lowSpeedSeconds = 30
    /// How far a clock may be off the parent's before it counts as skewed (brief §5.3).
    public var clockSkewLimitSeconds = 300
    /// Attempts per request on a failed transfer (curl error) before the round gives up.
    public var retries = 4
    /// What a node that serves children lets each connection and each child hold (`[serve]`).
    public var connectionLimits = ConnectionLimits()
    public var serveLimits = ServeLimits()
    /// trace, debug, info, notice, warning, error or critical.
    public var logLevel = "notice"
    /// The directory of the file it was read from: relative certificate paths start there.
    public var directory: URL?

    public init(satker: String, parent: String? = nil, listen: String? = nil) {
        self.satker = satker
        self.parent = parent
        self.listen = listen
    }

    public static func load(home: Home) throws -> NodeConfig {
        try load(url: home.url.appendingPathComponent(fileName))
    }

    /// Reads and checks a config file; the error lists every problem, each with its key and line.
    public static func load(url: URL) throws -> NodeConfig {
        let (config, problems) = ConfigCheck.check(url: url)
        if let config, problems.isEmpty { return config }
        throw ZISyncError(problems.joined(separator: "\n"))
    }

    /// The file's text: every key of `ConfigKey.all` that is set, in the table's order, and a
    /// section only when it applies (`[serve]` with listen, `[web]` with its certificate and key).
    public var toml: String {
        func line(_ key: ConfigKey, _ name: String) -> String? {
            switch key.read(self) {
            case .text(let s)?:
                "\(name) = \""
                    + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\""
            case .number(let n)?: "\(name) = \(n)"
            case nil: nil
            }
        }
        var lines = ["# zisync node configuration (see config/ for commented examples)"]
        lines += ConfigKey.all.filter { $0.section == nil }.compactMap { line($0, $0.name) }
        for (section, written) in ConfigKey.sections where written(self) {
            lines +=
                ["", "[\(section)]"] + ConfigKey.all.filter { $0.section == section }.compactMap { line($0, $0.leaf) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// How rounds behave, from `[sync]`.
    public var policy: SyncPolicy {
        var p = SyncPolicy()
        p.batchChanges = batchChanges
        p.batchBytes = batchBytes
        p.retries = retries
        p.clockSkewLimitSeconds = clockSkewLimitSeconds
        p.syncIntervalSeconds = syncIntervalSeconds
        return p
    }

    public func write(home: Home) throws {
        try Data(toml.utf8).write(to: home.url.appendingPathComponent(Self.fileName), options: .atomic)
    }

    public func path(_ file: String, home: Home) -> String {
        file.hasPrefix("/") ? file : (directory ?? home.url).appendingPathComponent(file).path
    }

    /// The config at `path` when given (`--config`, `ZISYNC_CONFIG`), else `zisync.toml` in the home.
    public static func load(home: Home, path: String?) throws -> NodeConfig {
        if let path { return try load(url: URL(fileURLWithPath: path)) }
        return try load(home: home)
    }

    /// `HOST:PORT` of `listen`.
    public func listenAddress() throws -> (host: String, port: Int) {
        guard let listen, let address = try? Self.hostPort(listen) else {
            throw ZISyncError("'listen' must be HOST:PORT, got '\(listen ?? "")'")
        }
        return address
    }

    /// `HOST:PORT` of `web_listen` (a port alone: 127.0.0.1).
    public func webAddress() throws -> (host: String, port: Int)? {
        guard let webListen else { return nil }
        if let port = Int(webListen), (0...65535).contains(port) { return ("127.0.0.1", port) }
        return try Self.hostPort(webListen)
    }

    /// The names in a comma-separated list, trimmed, empty ones left out.
    static func names(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The host names a browser may use for the web app: `[web] hosts`, localhost and this
    /// machine's name (any IP address is accepted as well).
    public var webHosts: [String] {
        Self.names(webHostNames ?? "") + ["localhost"] + (Self.machineName.map { [$0] } ?? [])
    }

    /// This machine's name as `gethostname` gives it: no resolver asked (`ProcessInfo.hostName`
    /// may ask DNS, which an office without internet cannot answer quickly).
    static var machineName: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }

    /// Whether the web app is reachable from this machine only.
    public var webIsLoopback: Bool {
        guard let host = (try? webAddress())??.host else { return true }
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    static func hostPort(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port), colon > text.startIndex
        else { throw ZISyncError("must be HOST:PORT, got '\(text)'") }
        return (String(text[..<colon]), port)
    }
}
