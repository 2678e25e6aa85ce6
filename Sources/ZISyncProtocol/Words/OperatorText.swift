import Foundation

/// Sizes and durations as an operator reads them in messages and tables.
public enum OperatorText {
    /// "0 bytes", "512 KB", "2.1 MB".
    public static func bytes(_ n: Int64) -> String {
        n < 1024
            ? "\(n) bytes"
            : n < 1 << 20
                ? "\(n / 1024) KB"
                : n < 1 << 30
                    ? String(format: "%.1f MB", Double(n) / 1_048_576)
                    : String(format: "%.1f GB", Double(n) / 1_073_741_824)
    }

    /// "45 s", "3 min", "2 h", "4 days".
    public static func duration(_ seconds: Int64) -> String {
        seconds < 120
            ? "\(seconds) s"
            : seconds < 7200
                ? "\(seconds / 60) min" : seconds < 172_800 ? "\(seconds / 3600) h" : "\(seconds / 86_400) days"
    }
}
