/// Characters that must not reach a log line or a terminal as they are: C0 and C1 controls (a
/// newline that would start a forged log line, an escape that would move the cursor), DEL, and the
/// bidirectional overrides and isolates that reorder what is shown.
public enum ControlCharacters {
    public static func contains(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    /// The first one in `text` that record text may not hold (tab and line breaks are text).
    public static func first(inRecordText text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { contains($0) && $0 != "\t" && $0 != "\n" && $0 != "\r" }
    }
}
