/// One cell as the writer puts it: text, a number, or a formula (without its leading `=`), in a
/// style of `CellStyle`.
public struct Cell: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case text(String)
        case number(Double)
        case formula(String)
    }

    public var content: Content
    public var style: CellStyle

    public init(_ content: Content, style: CellStyle = .plain) {
        self.content = content
        self.style = style
    }

    public static func text(_ s: String, _ style: CellStyle = .plain) -> Cell { Cell(.text(s), style: style) }
    public static func number(_ x: Double, _ style: CellStyle = .plain) -> Cell { Cell(.number(x), style: style) }
    public static func formula(_ f: String, _ style: CellStyle = .score) -> Cell { Cell(.formula(f), style: style) }
}

/// The few looks a zisync workbook uses; each is one `xf` of the styles part, in this order.
public enum CellStyle: Int, Sendable, CaseIterable {
    case plain = 0
    /// A column header: bold, wrapped, shaded.
    case header
    /// Long text (a question, a note), wrapped.
    case wrapped
    /// A score, two decimals.
    case score
    /// A row of the tree above the questions (komponen, aspek, area): bold.
    case heading
    /// Its score: bold, two decimals.
    case headingScore
    /// Where a person types an answer: shaded light yellow.
    case input
}

/// A column's letters (1 → A, 27 → AA).
public func columnName(_ index: Int) -> String {
    var n = index
    var name = ""
    while n > 0 {
        let r = (n - 1) % 26
        name = String(UnicodeScalar(UInt8(65 + r))) + name
        n = (n - 1) / 26
    }
    return name
}
