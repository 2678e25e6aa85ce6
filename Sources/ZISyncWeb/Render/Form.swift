import Foundation

/// An `application/x-www-form-urlencoded` body (or a query), as the browser sent it.
struct Form: Sendable {
    private(set) var values: [String: [String]] = [:]

    init(urlencoded text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name, default: []].append(value)
        }
    }

    init(fields: [String: [String]]) { values = fields }

    /// The first value of a field, nil when absent.
    subscript(_ name: String) -> String? { values[name]?.first }

    /// The value with surrounding white space removed, nil when absent or empty.
    func text(_ name: String) -> String? {
        guard let v = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    static func decode(_ s: Substring) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        // A malformed escape is kept as typed rather than failing the whole form.
        return spaced.removingPercentEncoding ?? spaced
    }
}
