import ZISyncCore

/// The LKE tree as the scoring reads it: each node by code, its children in document order, and
/// which codes take an answer (questions but `persen`, `jumlah` rows, hasil items).
public struct LKEModel: Sendable {
    /// Every node in document order.
    public let items: [LKEItem]
    let byCode: [String: LKEItem]
    let children: [String: [LKEItem]]

    public init(_ items: [LKEItem]) {
        self.items = items
        byCode = Dictionary(items.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var children: [String: [LKEItem]] = [:]
        for item in items { if let p = item.parent { children[p, default: []].append(item) } }
        self.children = children
    }

    /// The catalogue shipped with zisync.
    public static func shipped() throws -> LKEModel { LKEModel(try LKECatalogue.load()) }

    public subscript(code code: String) -> LKEItem? { byCode[code] }

    public func children(of code: String) -> [LKEItem] { children[code] ?? [] }

    public func answerType(_ code: String) -> LKEAnswerType? {
        byCode[code].flatMap { LKEAnswerType(rawValue: $0.answerType) }
    }

    /// True when the code takes an answer: a question (not `persen`), a `jumlah` row or a hasil item.
    public func isInput(_ code: String) -> Bool {
        guard let item = byCode[code] else { return false }
        switch item.level {
        case "pertanyaan": return item.answerType != LKEAnswerType.persen.rawValue
        case "jumlah", "hasil": return true
        default: return false
        }
    }

    /// Every input code, in document order.
    public var inputCodes: [String] { items.filter { isInput($0.code) }.map(\.code) }

    /// The weight of a node (bobot), 0 where none is printed.
    public func weight(_ code: String) -> Double { Double(byCode[code]?.weightHundredths ?? 0) / 100 }

    /// The indicator a question belongs to (its parent), or nil for other rows.
    func indicator(of question: LKEItem) -> LKEItem? {
        question.parent.flatMap { byCode[$0] }.flatMap { $0.level == "indikator" ? $0 : nil }
    }
}
