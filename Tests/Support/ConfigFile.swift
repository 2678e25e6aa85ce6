import Foundation

/// Edits a node's `zisync.toml` the way an operator would with an editor: one key's line
/// replaced (in its section), or the key added to that section.
public struct ConfigFile {
    public let url: URL

    public init(home: URL) { url = home.appendingPathComponent("zisync.toml") }
    public init(url: URL) { self.url = url }

    public var text: String {
        get throws { try String(contentsOf: url, encoding: .utf8) }
    }

    /// Sets `key` (`parent`, `sync.retries`, `tls.certificate`) to `value`, written as TOML
    /// (strings quoted, integers plain).
    public func set(_ key: String, _ value: Any) throws {
        let parts = key.split(separator: ".").map(String.init)
        let (section, name) = parts.count == 2 ? (parts[0], parts[1]) : (nil, parts[0])
        let rendered: String
        switch value {
        case let s as String:
            rendered =
                "\"\(s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
        default: rendered = "\(value)"
        }
        var lines = try text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var current: String?
        var sectionEnd: Int?
        var done = false
        for (i, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") {
                if current == section && sectionEnd == nil { sectionEnd = i }
                current = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                continue
            }
            if current == section && (trimmed.hasPrefix(name + " ") || trimmed.hasPrefix(name + "=")) {
                lines[i] = "\(name) = \(rendered)"
                done = true
                break
            }
        }
        if !done {
            if section == nil {
                // Top-level keys go before the first section.
                let first = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[") } ?? lines.count
                lines.insert("\(name) = \(rendered)", at: first)
            } else if current == section && sectionEnd == nil {
                lines.append("\(name) = \(rendered)")
            } else if let end = sectionEnd {
                lines.insert("\(name) = \(rendered)", at: end)
            } else {
                lines += ["", "[\(section!)]", "\(name) = \(rendered)"]
            }
        }
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// Replaces the whole text (a broken file, for the tests that check the errors).
    public func write(_ text: String) throws {
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}
