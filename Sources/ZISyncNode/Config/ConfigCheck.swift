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
        let text: String
        let table: TOMLTable
        switch read(url: url) {
        case .failed(let problem): return (nil, [problem])
        case .parsed(let readText, let readTable):
            text = readText
            table = readTable
        }
        var problems = Problems(name: url.path, text: text)
        let values = flatten(table, problems: &problems)
        let registry = (try? ReferenceSeed.load())?.registry
        var config = NodeConfig(satker: "")
        let base = url.deletingLastPathComponent()
        config.directory = base
        checkValues(values, into: &config, base: base, registry: registry, problems: &problems)
        checkWeb(values: values, config: config, base: base, problems: &problems)
        checkPortalRB(values: values, config: config, base: base, problems: &problems)
        checkRequired(values: values, problems: &problems)
        if checkIdentity && problems.isEmpty && (config.parent != nil || config.listen != nil),
            let problem = identityProblem(config: config, base: base)
        {
            problems.add(problem.key, problem.message)
        }
        return (problems.isEmpty ? config : nil, problems.list)
    }

    /// The problems found so far, in the order found. A key's problem names the file and the
    /// line that sets the key; the others name the file alone.
    struct Problems {
        let name: String
        let text: String
        var list: [String] = []
        var isEmpty: Bool { list.isEmpty }

        /// A problem with `key`, at the line that sets it when the text has one.
        mutating func add(_ key: String, _ message: String) {
            let line = ConfigCheck.lineNumber(of: key, in: text).map { " line \($0)" } ?? ""
            list.append("\(name)\(line): \(key): \(message)")
        }
    }

    /// What reading the file gave: its text and TOML table, or the one problem that stops the
    /// check before any key is looked at.
    enum Reading {
        case parsed(String, TOMLTable)
        case failed(String)
    }

    /// Reads and parses the file, refusing first the text the TOML parser would assert on.
    static func read(url: URL) -> Reading {
        let name = url.path
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            return .failed("\(name): cannot read the file (missing, unreadable or not UTF-8)")
        }
        // TOML allows no control character but tab outside escapes, and the TOML parser asserts
        // on some of them (found by FuzzConfig: a NUL in a table name aborted `config check`).
        if let problem = controlCharacter(in: text) ?? lineShape(in: text) { return .failed("\(name) \(problem)") }
        do {
            let table = try TOMLTable(string: text)
            return .parsed(text, table)
        } catch let e as TOMLParseError {
            return .failed("\(name) line \(e.source.begin.line): not valid TOML: \(e.description)")
        } catch {
            return .failed("\(name): not valid TOML: \(error)")
        }
    }

    /// The table as dotted keys (`sync.batch_changes`), refusing unknown sections.
    static func flatten(_ table: TOMLTable, problems: inout Problems) -> [String: TOMLValueConvertible] {
        var values: [String: TOMLValueConvertible] = [:]
        for key in table.keys {
            guard let value = table[key] else { continue }
            if let sub = value.table {
                guard sections.contains(key) else {
                    problems.add(key, "unknown section (known: \(sections.sorted().joined(separator: ", ")))")
                    continue
                }
                for subKey in sub.keys {
                    if let v = sub[subKey] { values["\(key).\(subKey)"] = v }
                }
            } else {
                values[key] = value
            }
        }
        return values
    }

    /// Checks every value in key order, refusing unknown keys, and writes the good ones into
    /// `config`.
    static func checkValues(
        _ values: [String: TOMLValueConvertible], into config: inout NodeConfig, base: URL,
        registry: SatkerRegistry?, problems: inout Problems
    ) {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let entry = ConfigKey.named(key) else {
                let names = ConfigKey.all.map(\.name)
                let known = names.filter { $0.hasPrefix(key.split(separator: ".").dropLast().joined(separator: ".")) }
                problems.add(
                    key, "unknown key (known: \((known.isEmpty ? names : known).sorted().joined(separator: ", ")))")
                continue
            }
            let problem = valueProblem(
                entry: entry, value: value, values: values, config: &config, base: base, registry: registry)
            if let problem { problems.add(key, problem) }
        }
    }

    /// The problem with one value by its key's kind, if any. A value of the right type is
    /// written into `config`: a whole number only when in range, a string before its check
    /// (which reads some of them back from `config`).
    static func valueProblem(
        entry: ConfigKey, value: TOMLValueConvertible, values: [String: TOMLValueConvertible],
        config: inout NodeConfig, base: URL, registry: SatkerRegistry?
    ) -> String? {
        switch entry.kind {
        case .integer(let range):
            guard let n = value.int else { return "must be a whole number" }
            guard range.contains(n) else { return "must be \(range.lowerBound)–\(range.upperBound), got \(n)" }
            entry.write(&config, .number(n))
            return nil
        default:
            guard let s = value.string else { return "must be a quoted string" }
            entry.write(&config, .text(s))
            return textProblem(s, kind: entry.kind, config: config, values: values, base: base, registry: registry)
        }
    }

    /// The problem with a string value by its kind, if any; `config` already holds the value.
    static func textProblem(
        _ s: String, kind: ConfigKey.Kind, config: NodeConfig, values: [String: TOMLValueConvertible],
        base: URL, registry: SatkerRegistry?
    ) -> String? {
        switch kind {
        case .satker:
            if let registry, !registry.contains(s) {
                return "unknown satker code '\(s)' (e.g. 00, 32, 32.17)"
            }
        case .httpsURL:
            let u = URL(string: s)
            if u?.scheme != "https" || u?.host == nil || u?.port == nil {
                return "must be https://HOST:PORT, got '\(s)'"
            }
        case .hostPort:
            if (try? config.listenAddress()) == nil { return "must be HOST:PORT, got '\(s)'" }
        case .metricsAddress:
            if (try? NodeConfig.hostPort(s)) == nil { return "must be HOST:PORT, got '\(s)'" }
        case .webAddress:
            if (try? config.webAddress()) == nil {
                return "must be HOST:PORT (or a port alone, for 127.0.0.1), got '\(s)'"
            }
        case .publicURL:
            let u = URL(string: s)
            if u?.scheme != "https" || (u?.host ?? "").isEmpty || !(u?.path ?? "").isEmpty {
                return "must be https://HOST[:PORT] (no path), got '\(s)'"
            }
        case .webFile:
            let path = s.hasPrefix("/") ? s : base.appendingPathComponent(s).path
            if !FileManager.default.isReadableFile(atPath: path) {
                return "file '\(path)' is missing or unreadable"
            }
        case .logLevel:
            if !logLevels.contains(s) {
                return "must be one of \(logLevels.joined(separator: ", ")), got '\(s)'"
            }
        case .file:
            // The files matter only to a node that talks to a parent or serves children
            // (found by fuzzing: the file `init` writes for a node without either failed
            // its own check, since it names the default files).
            let path = s.hasPrefix("/") ? s : base.appendingPathComponent(s).path
            if values["parent"] != nil || values["listen"] != nil,
                !FileManager.default.isReadableFile(atPath: path)
            {
                return "file '\(path)' is missing or unreadable"
            }
        case .hostNames:
            if let bad = NodeConfig.names(s).first(where: { !Validation.isHostName($0) }) {
                return "must be host names separated by commas (letters, digits, '-' and '.'), got '\(bad)'"
            }
        case .integer: break
        }
        return nil
    }

    /// The web keys together: certificate and key as a pair, with web_listen, and (when nothing
    /// else is wrong) loadable as a TLS configuration.
    static func checkWeb(
        values: [String: TOMLValueConvertible], config: NodeConfig, base: URL, problems: inout Problems
    ) {
        let name = problems.name
        if (values["web.certificate"] == nil) != (values["web.key"] == nil) {
            problems.list.append("\(name): web: certificate and key go together (both for HTTPS, neither for HTTP)")
        }
        if values["web.certificate"] != nil && values["web_listen"] == nil {
            problems.list.append("\(name): web: a certificate without web_listen serves nothing (set web_listen)")
        }
        if problems.isEmpty {
            checkLoadable(
                config.webCertificateFile, config.webKeyFile, as: "web.certificate", config: config, base: base,
                problems: &problems)
        }
    }

    /// A certificate and key an office provides, loaded as the server will load them.
    static func checkLoadable(
        _ cert: String?, _ key: String?, as name: String, config: NodeConfig, base: URL, problems: inout Problems
    ) {
        guard let cert, let key else { return }
        let home = Home(path: base.path)
        do {
            _ = try WebServer.tlsConfiguration(
                certificateFile: config.path(cert, home: home), keyFile: config.path(key, home: home))
        } catch {
            problems.add(name, "\(error)")
        }
    }

    /// The PortalRB keys together: only at KPU RI, always over HTTPS (certificate and key with
    /// portalrb_listen), and loadable as a TLS configuration.
    static func checkPortalRB(
        values: [String: TOMLValueConvertible], config: NodeConfig, base: URL, problems: inout Problems
    ) {
        let name = problems.name
        let keys = ["portalrb_listen", "portalrb.certificate", "portalrb.key"]
        let given = keys.filter { values[$0] != nil }
        guard !given.isEmpty else { return }
        if given.count != keys.count {
            problems.list.append(
                "\(name): portalrb: portalrb_listen, certificate and key go together (PortalRB calls over HTTPS only)")
        }
        if config.satker != SatkerRegistry.root {
            problems.list.append("\(name): portalrb: PortalRB calls KPU RI (00) only, not \(config.satker)")
        }
        if problems.isEmpty {
            checkLoadable(
                config.portalRBCertificateFile, config.portalRBKeyFile, as: "portalrb.certificate", config: config,
                base: base, problems: &problems)
        }
    }

    /// The keys that must be there: satker always, the tls files with parent or listen.
    static func checkRequired(values: [String: TOMLValueConvertible], problems: inout Problems) {
        let name = problems.name
        if values["satker"] == nil {
            problems.list.append("\(name): satker: missing (the office's code, e.g. satker = \"32.17\")")
        }
        for key in ["tls.ca", "tls.certificate", "tls.key"]
        where values[key] == nil && (values["parent"] != nil || values["listen"] != nil) {
            problems.list.append("\(name): \(key): missing (needed with parent or listen)")
        }
    }

    /// The certificate and key themselves: a pair, from the CA, for this satker, valid now.
    /// The problem is given to the key of the file its message starts with.
    static func identityProblem(config: NodeConfig, base: URL) -> (key: String, message: String)? {
        let home = Home(path: base.path)
        let files = [
            ("tls.key", config.path(config.keyFile, home: home)),
            ("tls.ca", config.path(config.caFile, home: home)),
            ("tls.certificate", config.path(config.certificateFile, home: home)),
        ]
        do {
            try DeploymentPKI.checkNodeIdentity(
                certificateFile: files[2].1, keyFile: files[0].1, caFile: files[1].1, satker: config.satker)
            return nil
        } catch {
            // The message starts with the file it is about.
            let key = files.first { "\(error)".hasPrefix($0.1) }?.0 ?? "tls.certificate"
            return (key, "\(error)")
        }
    }
}
