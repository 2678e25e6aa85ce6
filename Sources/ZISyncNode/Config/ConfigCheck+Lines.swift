import Foundation
import ZISyncCore

/// The text of `zisync.toml` read line by line: the shapes the TOML parser is allowed to see,
/// and the line where a key is set (for the problem that names it).
extension ConfigCheck {
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
