/// Identifies one write: the change (origin, sequence) that wrote a field.
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let origin: String
    public let seq: Int64

    public init(origin: String, seq: Int64) {
        self.origin = origin
        self.seq = seq
    }

    /// `origin:seq`, the form used in `base` on the wire and in history.
    public var description: String { "\(origin):\(seq)" }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let seq = Int64(text[text.index(after: colon)...]),
            seq > 0
        else { return nil }
        let origin = String(text[..<colon])
        guard Validation.isSatkerCode(origin) else { return nil }
        self.init(origin: origin, seq: seq)
    }

    /// Orders by the text form so that `base` arrays have one canonical order.
    public static func < (a: Version, b: Version) -> Bool {
        a.description.utf8.lexicographicallyPrecedes(b.description.utf8)
    }
}
