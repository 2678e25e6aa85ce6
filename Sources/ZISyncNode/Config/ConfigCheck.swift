import Foundation
import TOMLKit
import ZISyncCore
import ZISyncStore
import ZISyncTransport

/// Checks a `zisync.toml`: every key known, every value of the right kind and range, the
/// certificate files present, the satker in the registry. One problem per line, each naming
/// the key and its line: `zisync.toml line 12: sync.batch_changes: must be 1–5000, got 9000`.
public enum ConfigCheck {
    static let sections = Set(ConfigKey.all.compactMap(\.section))
    static let logLevels = ConfigKey.logLevels

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
            guard let entry = ConfigKey.named(key) else {
                let names = ConfigKey.all.map(\.name)
                let known = names.filter { $0.hasPrefix(key.split(separator: ".").dropLast().joined(separator: ".")) }
                problem(key, "unknown key (known: \((known.isEmpty ? names : known).sorted().joined(separator: ", ")))")
                continue
            }
            switch entry.kind {
            case .integer(let range):
                guard let n = value.int else {
                    problem(key, "must be a whole number")
                    continue
                }
                guard range.contains(n) else {
                    problem(key, "must be \(range.lowerBound)–\(range.upperBound), got \(n)")
                    continue
                }
                entry.write(&config, .number(n))
            default:
                guard let s = value.string else {
                    problem(key, "must be a quoted string")
                    continue
                }
                entry.write(&config, .text(s))
                switch entry.kind {
                case .satker:
                    if let registry, !registry.contains(s) {
                        problem(key, "unknown satker code '\(s)' (e.g. 00, 32, 32.17)")
                    }
                case .httpsURL:
                    let u = URL(string: s)
                    if u?.scheme != "https" || u?.host == nil || u?.port == nil {
                        problem(key, "must be https://HOST:PORT, got '\(s)'")
                    }
                case .hostPort:
                    if (try? config.listenAddress()) == nil { problem(key, "must be HOST:PORT, got '\(s)'") }
                case .metricsAddress:
                    if (try? NodeConfig.hostPort(s)) == nil { problem(key, "must be HOST:PORT, got '\(s)'") }
                case .webAddress:
                    if (try? config.webAddress()) == nil {
                        problem(key, "must be HOST:PORT (or a port alone, for 127.0.0.1), got '\(s)'")
                    }
                case .webFile:
                    let path = s.hasPrefix("/") ? s : base.appendingPathComponent(s).path
                    if !FileManager.default.isReadableFile(atPath: path) {
                        problem(key, "file '\(path)' is missing or unreadable")
                    }
                case .logLevel:
                    if !logLevels.contains(s) {
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
