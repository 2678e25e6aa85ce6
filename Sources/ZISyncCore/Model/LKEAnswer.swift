import Foundation

/// The answer types of the LKE (Lampiran III) and what each accepts: checked on every node for
/// every answer written or received, and read by the scoring.
public enum LKEAnswerType: String, Sendable, CaseIterable {
    case yaTidak = "ya_tidak"
    case abc, abcd, abcde
    /// Computed from its `jumlah` rows: never answered.
    case persen
    case jumlah
    case nilai04 = "nilai_0_4"

    /// What the type accepts, in words, for refusals.
    public var allowed: String {
        switch self {
        case .yaTidak: "Ya or Tidak"
        case .abc: "A, B or C"
        case .abcd: "A, B, C or D"
        case .abcde: "A, B, C, D or E"
        case .persen: "no answer (it is computed from its jumlah rows)"
        case .jumlah: "a whole number of 0 or more"
        case .nilai04: "a number from 0 to 4 (3.6 or 3,6)"
        }
    }

    static let letterValues: [LKEAnswerType: [Double]] = [
        .abc: [1, 0.5, 0], .abcd: [1, 0.67, 0.33, 0], .abcde: [1, 0.75, 0.5, 0.25, 0],
    ]

    /// The answer in its one stored form (`Ya`, `B`, `12`, `3.6`), or why it is not one.
    public func normalize(_ text: String) -> Result<String, LKEAnswerError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch self {
        case .yaTidak:
            switch t.lowercased() {
            case "ya": return .success("Ya")
            case "tidak": return .success("Tidak")
            default: return .failure(LKEAnswerError(type: self, given: text))
            }
        case .abc, .abcd, .abcde:
            let letters = Array("ABCDE".prefix(Self.letterValues[self]!.count)).map(String.init)
            let up = t.uppercased()
            return letters.contains(up) ? .success(up) : .failure(LKEAnswerError(type: self, given: text))
        case .persen:
            return .failure(LKEAnswerError(type: self, given: text))
        case .jumlah:
            guard (1...15).contains(t.utf8.count), t.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let n = Int64(t)
            else { return .failure(LKEAnswerError(type: self, given: text)) }
            return .success(String(n))
        case .nilai04:
            let dotted = t.replacingOccurrences(of: ",", with: ".")
            let parts = dotted.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), parts[0].utf8.count == 1,
                parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
                parts.count == 1 || parts[1].utf8.count <= 4, let x = Double(dotted), (0...4).contains(x)
            else { return .failure(LKEAnswerError(type: self, given: text)) }
            return .success(dotted)
        }
    }

    /// The value of a stored answer: 0–1 for Ya/Tidak and letters, the count for jumlah, the
    /// index 0–4 for nilai_0_4; nil when it is not a valid answer of this type.
    public func value(of answer: String) -> Double? {
        guard case .success(let n) = normalize(answer) else { return nil }
        switch self {
        case .yaTidak: return n == "Ya" ? 1 : 0
        case .abc, .abcd, .abcde:
            let index = Int(n.unicodeScalars.first!.value) - 65
            return Self.letterValues[self]![index]
        case .persen: return nil
        case .jumlah, .nilai04: return Double(n)
        }
    }

    /// The answers a choice type accepts with their values (Ya/Tidak, the letters); empty for
    /// the others.
    public var choices: [(answer: String, value: Double)] {
        switch self {
        case .yaTidak: [("Ya", 1), ("Tidak", 0)]
        case .abc, .abcd, .abcde: zip("ABCDE".map(String.init), Self.letterValues[self]!).map { ($0, $1) }
        case .persen, .jumlah, .nilai04: []
        }
    }

    /// The best answer of a choice type (what "reaching the top answer" means).
    public var topAnswer: String? {
        switch self {
        case .yaTidak: "Ya"
        case .abc, .abcd, .abcde: "A"
        case .nilai04: "4"
        case .persen, .jumlah: nil
        }
    }
}

/// An answer its type does not accept.
public struct LKEAnswerError: Error, CustomStringConvertible, Sendable, Equatable {
    public let type: LKEAnswerType
    public let given: String
    public var description: String {
        type == .persen
            ? "a persen row takes no answer: it is computed from its jumlah rows"
            : "'\(given.prefix(40))' is not a \(type.rawValue) answer: give \(type.allowed)"
    }
}
