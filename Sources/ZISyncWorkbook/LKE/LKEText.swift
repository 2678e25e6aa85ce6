import Foundation
import ZISyncCore

/// How a workbook someone kept names an LKE row: the tree's numbering (`A.`, `II.`, `3.`, `iv.`,
/// `b.`) and the question's words, compared without case, accents, punctuation or spacing.
enum LKEText {
    /// The words of `text`, lower case, without accents, joined by single spaces.
    static func key(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        var out = ""
        out.reserveCapacity(folded.utf8.count)
        var space = false
        for ch in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(ch) {
                if space, !out.isEmpty { out.append(" ") }
                space = false
                out.unicodeScalars.append(ch)
            } else {
                space = true
            }
        }
        return out
    }

    /// A numbering label alone in a cell (`A.`, `II`, `(3)`, `iv.`, `b)`), as the catalogue
    /// writes its code's segment (`A`, `II`, `3`, `iv`, `b`); nil for anything else.
    static func label(_ text: String) -> String? {
        var t = Substring(text.trimmedOfWhitespace)
        if t.hasPrefix("(") { t = t.dropFirst() }
        if t.hasSuffix(".") || t.hasSuffix(")") { t = t.dropLast() }
        guard (1...4).contains(t.utf8.count) else { return nil }
        let digits = t.utf8.allSatisfy { (0x30...0x39).contains($0) }
        let roman = t.allSatisfy { "IVXivx".contains($0) }
        let letter = t.utf8.count == 1 && t.first!.isASCII && t.first!.isLetter
        return digits || roman || letter ? String(t) : nil
    }

    /// A question written after its numbering in one cell (`a. Unit kerja telah …`): the label
    /// and the rest; the label nil when the text does not start with one.
    static func splitLabel(_ text: String) -> (label: String?, rest: Substring) {
        let t = Substring(text.trimmedOfWhitespace)
        guard let end = t.firstIndex(where: { $0 == "." || $0 == ")" }), t.distance(from: t.startIndex, to: end) <= 4,
            let label = label(String(t[...end])), t.index(after: end) < t.endIndex,
            t[t.index(after: end)].isWhitespace
        else { return (nil, t) }
        return (label, t[t.index(after: end)...])
    }

    /// How alike two keys are by their words (Dice's coefficient): 1 for the same words.
    static func likeness(_ a: Set<Substring>, _ b: Set<Substring>) -> Double {
        guard !a.isEmpty || !b.isEmpty else { return 1 }
        return 2 * Double(a.intersection(b).count) / Double(a.count + b.count)
    }

    static func words(_ key: String) -> Set<Substring> { Set(key.split(separator: " ")) }
}
