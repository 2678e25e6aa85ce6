import Foundation
import ZISyncCore

/// Text from another node (a report, a refusal, an error answer) on its way to a log or a
/// terminal: control characters (newlines that would start a forged log line, escape codes that
/// would move a terminal's cursor, bidirectional overrides that would reorder what is shown)
/// become spaces, and the text is cut to a bounded length.
public enum PeerText {
    public static let defaultMaxCharacters = 2_000

    public static func clean(_ text: String, max: Int = defaultMaxCharacters) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < max else {
                out.append("…")
                break
            }
            out.append(ControlCharacters.contains(scalar) ? " " : scalar)
            count += 1
        }
        return String(out)
    }

}

/// The bounds a number from a peer must lie in before it is used (no arithmetic on it can trap).
public enum PeerBounds {
    /// Milliseconds since the epoch of any time a peer may state: 2020-01-01 to 2200-01-01.
    public static let time: ClosedRange<Int64> = 1_577_836_800_000...7_258_118_400_000
    /// A count of changes, files or offices.
    public static let count: ClosedRange<Int> = 0...100_000_000
    public static let bytes: ClosedRange<Int64> = 0...(1 << 50)
    /// A sequence number or cursor.
    public static let sequence: ClosedRange<Int64> = 0...(1 << 53)
    /// A duration in seconds (a lag): up to about 300 years.
    public static let seconds: ClosedRange<Int64> = 0...10_000_000_000
}
