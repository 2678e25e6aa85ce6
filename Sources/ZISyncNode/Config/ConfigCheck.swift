import Foundation
import TOMLKit
import ZISyncCore
import ZISyncStore
import ZISyncTransport

/// Checks a `zisync.toml`: every key known, every value of the right kind and range, the
/// certificate files present, the satker in the registry. One problem per line, each naming
/// the key and its line: `zisync.toml line 12: sync.batch_changes: must be 1–5000, got 9000`.
public enum ConfigCheck {
    enum Kind {
        case satker, httpsURL, hostPort, metricsAddress, webAddress, logLevel
        case file, webFile
        case integer(ClosedRange<Int>)
    }

    static let keys: [String: Kind] = [
        "satker": .satker, "parent": .httpsURL, "listen": .hostPort, "metrics_listen": .metricsAddress,
        "log_level": .logLevel, "web_listen": .webAddress, "web.certificate": .webFile, "web.key": .webFile,
        "tls.ca": .file, "tls.certificate": .file, "tls.key": .file,
        "sync.interval_seconds": .integer(5...86_400), "sync.batch_changes": .integer(1...5_000),
        "sync.batch_bytes": .integer(1_024...(8 << 20)), "sync.max_bytes_per_second": .integer(0...(1 << 30)),
        "sync.connect_timeout_seconds": .integer(1...600), "sync.low_speed_seconds": .integer(1...3_600),
        "sync.retries": .integer(1...20), "sync.clock_skew_limit_seconds": .integer(1...86_400),
        "serve.handshake_timeout_seconds": .integer(1...300), "serve.idle_timeout_seconds": .integer(5...3_600),
        "serve.max_connections": .integer(4...100_000), "serve.max_connections_per_address": .integer(1...10_000),
        "serve.max_requests_per_child": .integer(1...64), "serve.upload_expiry_hours": .integer(1...8_760),
        "serve.max_unfinished_upload_mb_per_child": .integer(1...1_048_576),
        "serve.upload_write_timeout_seconds": .integer(10...3_600),
    ]
    static let sections: Set<String> = ["tls", "sync", "serve", "web"]
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// The config when it is usable, and every problem found.
    /// `checkIdentity: false` leaves out the certificate and key check (for a command that only
    /// signs local writes, which it does also with a certificate this clock finds out of date).
    public static func check(url: URL, checkIdentity: Bool = true) -> (NodeConfig?, [String]) {
        let name = url.path
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            return (nil, ["\(name): cannot read the file (missing, unreadable or not UTF-8)"])
        }
        // TOML allows no control character but tab outside escapes, and the TOML parser asserts
        // on some of them (found by FuzzConfig: a NUL in a table name aborted `config check`).
        if let problem = controlCharacter(in: text) ?? lineShape(in: text) { return (nil, ["\(name) \(problem)"]) }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            return (nil, ["\(name) line \(e.source.begin.line): not valid TOML: \(e.description)"])
        } catch {
            return (nil, ["\(name): not valid TOML: \(error)"])
        }
        var problems: [String] = []
        func problem(_ key: String, _ message: String) {
            let line = lineNumber(of: key, in: text).map { " line \($0)" } ?? ""
            problems.append("\(name)\(line): \(key): \(message)")
        }
        // Flatten to dotted keys, refusing unknown keys and sections.
        var values: [String: TOMLValueConvertible] = [:]
        for key in table.keys {
            guard let value = table[key] else { continue }
            if let sub = value.table {
                guard sections.contains(key) else {
                    problem(key, "unknown section (known: \(sections.sorted().joined(separator: ", ")))")
                    continue
                }
                for subKey in sub.keys {
                    if let v = sub[subKey] { values["\(key).\(subKey)"] = v }
                }
            } else {
                values[key] = value
            }
        }
        let registry = (try? ReferenceSeed.load())?.registry
        var config = NodeConfig(satker: "")
        let base = url.deletingLastPathComponent()
        config.directory = base
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let kind = keys[key] else {
                let known = keys.keys.filter {
                    $0.hasPrefix(key.split(separator: ".").dropLast().joined(separator: "."))
                }
                problem(
                    key,
                    "unknown key (known: \((known.isEmpty ? Array(keys.keys) : known).sorted().joined(separator: ", ")))"
                )
                continue
            }
            switch kind {
            case .integer(let range):
                guard let n = value.int else {
                    problem(key, "must be a whole number")
                    continue
                }
                guard range.contains(n) else {
                    problem(key, "must be \(range.lowerBound)–\(range.upperBound), got \(n)")
                    continue
                }
                config.set(key, n)
            default:
                guard let s = value.string else {
                    problem(key, "must be a quoted string")
                    continue
                }
                switch kind {
                case .satker:
                    if let registry, !registry.contains(s) {
                        problem(key, "unknown satker code '\(s)' (e.g. 00, 32, 32.17)")
                    }
                    config.satker = s
                case .httpsURL:
                    if let u = URL(string: s), u.scheme == "https", u.host != nil, u.port != nil {
                        config.parent = s
                    } else {
                        problem(key, "must be https://HOST:PORT, got '\(s)'")
                    }
                case .hostPort:
                    config.listen = s
                    if (try? config.listenAddress()) == nil { problem(key, "must be HOST:PORT, got '\(s)'") }
                case .metricsAddress:
                    config.metricsListen = s
                    if (try? NodeConfig.hostPort(s)) == nil { problem(key, "must be HOST:PORT, got '\(s)'") }
                case .webAddress:
                    config.webListen = s
                    if (try? config.webAddress()) == nil {
                        problem(key, "must be HOST:PORT (or a port alone, for 127.0.0.1), got '\(s)'")
                    }
                case .webFile:
                    let path = s.hasPrefix("/") ? s : base.appendingPathComponent(s).path
                    if !FileManager.default.isReadableFile(atPath: path) {
                        problem(key, "file '\(path)' is missing or unreadable")
                    }
                    if key == "web.certificate" { config.webCertificateFile = s } else { config.webKeyFile = s }
                case .logLevel:
                    if logLevels.contains(s) {
                        config.logLevel = s
                    } else {
                        problem(key, "must be one of \(logLevels.joined(separator: ", ")), got '\(s)'")
                    }
                case .file:
                    // The files matter only to a node that talks to a parent or serves children
                    // (found by fuzzing: the file `init` writes for a node without either failed
                    // its own check, since it names the default files).
                    let path = s.hasPrefix("/") ? s : base.appendingPathComponent(s).path
                    if values["parent"] != nil || values["listen"] != nil,
                        !FileManager.default.isReadableFile(atPath: path)
                    {
                        problem(key, "file '\(path)' is missing or unreadable")
                    }
                    config.set(key, s)
                case .integer: break
                }
            }
        }
        if (values["web.certificate"] == nil) != (values["web.key"] == nil) {
            problems.append("\(name): web: certificate and key go together (both for HTTPS, neither for HTTP)")
        }
        if values["web.certificate"] != nil && values["web_listen"] == nil {
            problems.append("\(name): web: a certificate without web_listen serves nothing (set web_listen)")
        }
        if problems.isEmpty, let cert = config.webCertificateFile, let key = config.webKeyFile {
            let home = Home(path: base.path)
            do {
                _ = try WebServer.tlsConfiguration(
                    certificateFile: config.path(cert, home: home), keyFile: config.path(key, home: home))
            } catch {
                problem("web.certificate", "\(error)")
            }
        }
        if values["satker"] == nil {
            problems.append("\(name): satker: missing (the office's code, e.g. satker = \"32.17\")")
        }
        for key in ["tls.ca", "tls.certificate", "tls.key"]
        where values[key] == nil && (values["parent"] != nil || values["listen"] != nil) {
            problems.append("\(name): \(key): missing (needed with parent or listen)")
        }
        // The certificate and key themselves: a pair, from the CA, for this satker, valid now.
        if checkIdentity && problems.isEmpty && (config.parent != nil || config.listen != nil) {
            let home = Home(path: base.path)
            let files = [
                ("tls.key", config.path(config.keyFile, home: home)),
                ("tls.ca", config.path(config.caFile, home: home)),
                ("tls.certificate", config.path(config.certificateFile, home: home)),
            ]
            do {
                try DeploymentPKI.checkNodeIdentity(
                    certificateFile: files[2].1, keyFile: files[0].1, caFile: files[1].1, satker: config.satker)
            } catch {
                // The message starts with the file it is about.
                let key = files.first { "\(error)".hasPrefix($0.1) }?.0 ?? "tls.certificate"
                problem(key, "\(error)")
            }
        }
        return (problems.isEmpty ? config : nil, problems)
    }

    /// "line N: …" for the first control character (other than tab and line ends) in `text`:
    /// TOML allows none, and neither do zisync's records.
    static func controlCharacter(in text: String) -> String? {
        var line = 1
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                line += 1
            } else if ControlCharacters.contains(scalar) && scalar != "\t" && scalar != "\r" {
                let code = String(scalar.value, radix: 16, uppercase: true)
                return
                    "line \(line): not valid TOML: a control character (U+\(String(repeating: "0", count: 4 - code.count))\(code)) is not allowed in TOML"
            }
        }
        return nil
    }

    /// "line N: …" for the first line that is not blank, a comment, a `[section]` header or a
    /// `key = value` with a bare key: all that zisync.toml uses. The TOML parser asserts on some
    /// malformed headers (found by FuzzConfig: `[# …` aborted the process), so it sees only
    /// lines of these shapes.
    static func lineShape(in text: String) -> String? {
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let header = line.split(separator: "#", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces)
                let name = header.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard header.hasSuffix("]"), !name.isEmpty, name.unicodeScalars.allSatisfy(isBareKey) else {
                    return
                        "line \(i + 1): not valid TOML: a section header is written [name] (e.g. [sync]), got '\(line)'"
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                return "line \(i + 1): not valid TOML: expected key = value, got '\(line)'"
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({ isBareKey($0) || $0 == "." }) else {
                return "line \(i + 1): not valid TOML: '\(key)' is not a key (letters, digits, _ and -)"
            }
        }
        return nil
    }

    static func isBareKey(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_" || s == "-"
    }

    /// The 1-based line where a dotted key is set, by reading the text with its sections.
    static func lineNumber(of dotted: String, in text: String) -> Int? {
        let parts = dotted.split(separator: ".").map(String.init)
        let section = parts.count > 1 ? parts[0] : nil
        let key = parts.last!
        var current: String?
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                if parts.count == 1 && current == key { return i + 1 }
                continue
            }
            guard current == section else { continue }
            if line.hasPrefix(key + " ") || line.hasPrefix(key + "=") { return i + 1 }
        }
        return nil
    }
}

extension NodeConfig {
    mutating func set(_ key: String, _ n: Int) {
        switch key {
        case "sync.interval_seconds": syncIntervalSeconds = n
        case "sync.batch_changes": batchChanges = n
        case "sync.batch_bytes": batchBytes = n
        case "sync.max_bytes_per_second": maxBytesPerSecond = Int64(n)
        case "sync.connect_timeout_seconds": connectTimeoutSeconds = n
        case "sync.low_speed_seconds": lowSpeedSeconds = n
        case "sync.retries": retries = n
        case "sync.clock_skew_limit_seconds": clockSkewLimitSeconds = n
        case "serve.handshake_timeout_seconds": connectionLimits.handshakeTimeoutSeconds = n
        case "serve.idle_timeout_seconds": connectionLimits.idleTimeoutSeconds = n
        case "serve.max_connections": connectionLimits.maxConnections = n
        case "serve.max_connections_per_address": connectionLimits.maxConnectionsPerAddress = n
        case "serve.max_requests_per_child": serveLimits.maxRequestsPerChild = n
        case "serve.upload_expiry_hours": serveLimits.uploadExpirySeconds = n * 3600
        case "serve.max_unfinished_upload_mb_per_child": serveLimits.maxUnfinishedUploadBytesPerChild = Int64(n) << 20
        case "serve.upload_write_timeout_seconds": serveLimits.uploadWriteTimeoutSeconds = n
        default: break
        }
    }

    mutating func set(_ key: String, _ s: String) {
        switch key {
        case "tls.ca": caFile = s
        case "tls.certificate": certificateFile = s
        case "tls.key": keyFile = s
        default: break
        }
    }
}
