import Foundation
import ZISyncCore

/// One key of `zisync.toml`: its dotted name, what it takes, what it is for, and where it lives in
/// `NodeConfig`. `ConfigKey.all` is the one table that reading, checking, writing the file, `zisync
/// config keys` and the table in docs/operations.md all come from; a key is spelled only there.
public struct ConfigKey: Sendable {
    public enum Kind: Sendable, Equatable {
        case satker, httpsURL, hostPort, metricsAddress, webAddress, logLevel
        /// Host names, separated by commas (`[web] hosts`).
        case hostNames
        /// A path relative to the file's directory: `[tls]` files, needed with parent or listen.
        case file
        /// A path for the web app's own HTTPS (`[web]`): checked whenever given.
        case webFile
        /// An address as others reach this node: `https://HOST[:PORT]`.
        case publicURL
        case integer(ClosedRange<Int>)

        /// In words, for the docs and `config keys`.
        public var words: String {
            switch self {
            case .satker: "satker code in the registry"
            case .httpsURL: "https://HOST:PORT"
            case .hostPort, .metricsAddress: "HOST:PORT"
            case .webAddress: "HOST:PORT, or a port alone (127.0.0.1)"
            case .logLevel: ConfigKey.logLevels.joined(separator: ", ")
            case .hostNames: "names, separated by commas"
            case .file, .webFile: "path (relative to the file)"
            case .publicURL: "https://HOST[:PORT]"
            case .integer(let r): "\(r.lowerBound)–\(r.upperBound)"
            }
        }
    }

    /// A value as the file holds it.
    enum Value: Equatable {
        case text(String)
        case number(Int)
    }

    public let name: String
    public let kind: Kind
    public let summary: String
    /// The value in `config` as the file writes it; nil when it is not set (not written).
    let read: @Sendable (NodeConfig) -> Value?
    /// Puts a checked value into `config`.
    let write: @Sendable (inout NodeConfig, Value) -> Void

    /// `[section]` of a dotted key; nil for a top-level one.
    public var section: String? { name.contains(".") ? String(name.split(separator: ".")[0]) : nil }
    /// The key's name within its section.
    public var leaf: String { String(name.split(separator: ".").last!) }

    /// The default, as `zisync init` writes it; nil for a key that has none.
    public var defaultText: String? {
        switch read(NodeConfig(satker: "")) {
        case .text(let s)?: s.isEmpty ? nil : s
        case .number(let n)?: String(n)
        case nil: nil
        }
    }

    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public static func named(_ name: String) -> ConfigKey? { all.first { $0.name == name } }

    /// The sections in the order the file is written, each with when it is written.
    static let sections: [(name: String, written: @Sendable (NodeConfig) -> Bool)] = [
        ("tls", { _ in true }), ("sync", { _ in true }),
        ("web", { $0.webCertificateFile != nil && $0.webKeyFile != nil }),
        (
            "portalrb",
            {
                $0.portalRBListen != nil || $0.portalRBRequestsPerMinute != NodeConfig.portalRBRequestsPerMinuteDefault
            }
        ),
        ("serve", { $0.listen != nil }),
    ]

    /// The table's rows as markdown, for docs/operations.md (a test holds the docs to it).
    public static var markdownTable: String {
        var lines = ["| key | takes | default | what it is for |", "|---|---|---|---|"]
        for key in all {
            lines.append(
                "| `\(key.name)` | \(key.kind.words) | \(key.defaultText.map { "`\($0)`" } ?? "") | \(key.summary) |")
        }
        return lines.joined(separator: "\n")
    }
}

extension ConfigKey {
    /// A key holding text.
    static func text(
        _ name: String, _ kind: Kind, _ summary: String, _ path: WritableKeyPath<NodeConfig, String> & Sendable
    ) -> ConfigKey {
        ConfigKey(
            name: name, kind: kind, summary: summary, read: { .text($0[keyPath: path]) },
            write: { config, value in if case .text(let s) = value { config[keyPath: path] = s } })
    }

    /// A key holding text that may be absent.
    static func optionalText(
        _ name: String, _ kind: Kind, _ summary: String, _ path: WritableKeyPath<NodeConfig, String?> & Sendable
    ) -> ConfigKey {
        ConfigKey(
            name: name, kind: kind, summary: summary, read: { $0[keyPath: path].map(Value.text) },
            write: { config, value in if case .text(let s) = value { config[keyPath: path] = s } })
    }

    /// A whole number in `range`; `scale` is how many of the stored unit one of the file's is
    /// (hours in the file, seconds in the config: 3600).
    static func integer(
        _ name: String, _ range: ClosedRange<Int>, _ summary: String,
        _ path: WritableKeyPath<NodeConfig, Int> & Sendable, scale: Int = 1
    ) -> ConfigKey {
        ConfigKey(
            name: name, kind: .integer(range), summary: summary, read: { .number($0[keyPath: path] / scale) },
            write: { config, value in if case .number(let n) = value { config[keyPath: path] = n * scale } })
    }

    /// The same for a 64-bit field (`shift`: the file's unit is 2^shift of the stored one).
    static func integer64(
        _ name: String, _ range: ClosedRange<Int>, _ summary: String,
        _ path: WritableKeyPath<NodeConfig, Int64> & Sendable, shift: Int = 0
    ) -> ConfigKey {
        ConfigKey(
            name: name, kind: .integer(range), summary: summary, read: { .number(Int($0[keyPath: path] >> shift)) },
            write: { config, value in if case .number(let n) = value { config[keyPath: path] = Int64(n) << shift } })
    }

    public static let all: [ConfigKey] = [
        .text("satker", .satker, "the office's code (00, 32, 32.17); it belongs to the database", \.satker),
        .optionalText("parent", .httpsURL, "the parent office's daemon; none at KPU RI", \.parent),
        .optionalText("listen", .hostPort, "where the children are served (mutual TLS)", \.listen),
        .optionalText(
            "metrics_listen", .metricsAddress, "Prometheus metrics over plain HTTP (keep it on loopback)",
            \.metricsListen),
        .optionalText("web_listen", .webAddress, "the web app, Halaman kerja ZI", \.webListen),
        .text("log_level", .logLevel, "the least priority that is logged", \.logLevel),
        .text("tls.ca", .file, "the deployment CA's certificate", \.caFile),
        .text("tls.certificate", .file, "the office's certificate (issued by `zisync pki issue`)", \.certificateFile),
        .text("tls.key", .file, "its private key", \.keyFile),
        .integer("sync.interval_seconds", 5...86_400, "seconds between rounds with the parent", \.syncIntervalSeconds),
        .integer("sync.batch_changes", 1...5_000, "changes in one push or pull", \.batchChanges),
        .integer("sync.batch_bytes", 1_024...(8 << 20), "bytes in one push", \.batchBytes),
        .integer64(
            "sync.max_bytes_per_second", 0...(1 << 30), "the office's upload and download rate (0: no limit)",
            \.maxBytesPerSecond),
        .integer(
            "sync.connect_timeout_seconds", 1...600, "how long a connection to the parent may take",
            \.connectTimeoutSeconds),
        .integer(
            "sync.low_speed_seconds", 1...3_600, "how long a transfer may stall before it is retried",
            \.lowSpeedSeconds),
        .integer("sync.retries", 1...20, "attempts per request before the round gives up", \.retries),
        .integer(
            "sync.clock_skew_limit_seconds", 1...86_400, "how far a clock may be off the parent's (and a child's)",
            \.clockSkewLimitSeconds),
        .optionalText(
            "web.certificate", .webFile, "the office's own certificate for HTTPS on the web app", \.webCertificateFile),
        .optionalText("web.key", .webFile, "its key", \.webKeyFile),
        .optionalText(
            "web.hosts", .hostNames,
            "names the web app answers besides its IP addresses, localhost and this machine's name (DNS rebinding)",
            \.webHostNames),
        .optionalText(
            "portalrb_listen", .metricsAddress, "KemenPANRB's PortalRB integration API, at KPU RI (HTTPS)",
            \.portalRBListen),
        .optionalText(
            "portalrb.certificate", .webFile, "the certificate KPU RI provides for the PortalRB API",
            \.portalRBCertificateFile),
        .optionalText("portalrb.key", .webFile, "its key", \.portalRBKeyFile),
        .optionalText(
            "portalrb.public_url", .publicURL,
            "the API's address as PortalRB reaches it, for evidence links (default: where it listens)",
            \.portalRBPublicURL),
        .integer(
            "portalrb.requests_per_minute", 1...6_000, "requests one PortalRB token may make in a minute",
            \.portalRBRequestsPerMinute),
        .integer(
            "serve.handshake_timeout_seconds", 1...300, "a connection's time to finish its TLS handshake",
            \.connectionLimits.handshakeTimeoutSeconds),
        .integer(
            "serve.idle_timeout_seconds", 5...3_600, "how long a connection may be idle",
            \.connectionLimits.idleTimeoutSeconds),
        .integer("serve.max_connections", 4...100_000, "connections in all", \.connectionLimits.maxConnections),
        .integer(
            "serve.max_connections_per_address", 1...10_000, "connections from one address (raise it behind NAT)",
            \.connectionLimits.maxConnectionsPerAddress),
        .integer(
            "serve.max_requests_per_child", 1...64, "requests one child office may have in progress",
            \.serveLimits.maxRequestsPerChild),
        .integer(
            "serve.upload_expiry_hours", 1...8_760, "hours an unfinished upload is kept",
            \.serveLimits.uploads.expirySeconds, scale: 3600),
        .integer64(
            "serve.max_unfinished_upload_mb_per_child", 1...1_048_576, "MiB of unfinished uploads one child may hold",
            \.serveLimits.uploads.maxUnfinishedBytesPerUploader, shift: 20),
        .integer(
            "serve.upload_write_timeout_seconds", 10...3_600, "the time one upload request has to send its bytes",
            \.serveLimits.uploadWriteTimeoutSeconds),
    ]
}
