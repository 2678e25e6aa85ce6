/// A `persen` row's formula (`J2/J1`, `(J1-J2)/J1`): tokens `Jn` / `Jn.m` name the row's jumlah
/// rows; `+ - * /` and parentheses. A division by zero gives 1 when the numerator is 0 too
/// (nothing was due: the sheets' convention) and ±∞ by the numerator's sign otherwise; the
/// caller clamps the result to [0, 1].
public struct Formula: Sendable {
    enum Node: Sendable {
        case token(String)
        case number(Double)
        indirect case binary(Character, Node, Node)
        indirect case negate(Node)
    }

    let root: Node
    /// The `Jn` tokens the formula uses.
    public let tokens: [String]

    public init?(_ text: String) {
        var parser = Parser(chars: Array(text.filter { !$0.isWhitespace }))
        guard let node = parser.expression(), parser.index == parser.chars.count else { return nil }
        root = node
        tokens = parser.tokens
    }

    /// The value with `lookup` giving each token's number; nil when a token has none.
    func evaluate(_ lookup: (String) -> Double?) -> Double? {
        func eval(_ n: Node) -> Double? {
            switch n {
            case .token(let t): return lookup(t)
            case .number(let x): return x
            case .negate(let a): return eval(a).map { -$0 }
            case .binary(let op, let a, let b):
                guard let x = eval(a), let y = eval(b) else { return nil }
                switch op {
                case "+": return x + y
                case "-": return x - y
                case "*": return x * y
                default:
                    if y == 0 { return x == 0 ? 1 : (x > 0 ? .infinity : -.infinity) }
                    return x / y
                }
            }
        }
        return eval(root)
    }

    /// The formula as a spreadsheet expression with `cell(token)` for each token, dividing as
    /// `evaluate` does (0/0 is 1, x/0 is ±∞, written ±1E+300 for the caller's clamp).
    public func spreadsheet(_ cell: (String) -> String) -> String {
        func render(_ n: Node) -> String {
            switch n {
            case .token(let t): return cell(t)
            case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
            case .negate(let a): return "(-\(render(a)))"
            case .binary(let op, let a, let b):
                let (x, y) = (render(a), render(b))
                guard op == "/" else { return "(\(x)\(op)\(y))" }
                return "IF((\(y))=0,IF((\(x))=0,1,IF((\(x))>0,1E+300,-1E+300)),(\(x))/(\(y)))"
            }
        }
        return render(root)
    }

    struct Parser {
        let chars: [Character]
        var index = 0
        var tokens: [String] = []

        mutating func expression() -> Node? {
            guard var left = term() else { return nil }
            while index < chars.count, chars[index] == "+" || chars[index] == "-" {
                let op = chars[index]
                index += 1
                guard let right = term() else { return nil }
                left = .binary(op, left, right)
            }
            return left
        }

        mutating func term() -> Node? {
            guard var left = factor() else { return nil }
            while index < chars.count, chars[index] == "*" || chars[index] == "/" {
                let op = chars[index]
                index += 1
                guard let right = factor() else { return nil }
                left = .binary(op, left, right)
            }
            return left
        }

        mutating func factor() -> Node? {
            guard index < chars.count else { return nil }
            let c = chars[index]
            if c == "(" {
                index += 1
                guard let inner = expression(), index < chars.count, chars[index] == ")" else { return nil }
                index += 1
                return inner
            }
            if c == "-" {
                index += 1
                return factor().map { .negate($0) }
            }
            if c == "J" {
                var text = "J"
                index += 1
                while index < chars.count, chars[index].isNumber || chars[index] == "." {
                    text.append(chars[index])
                    index += 1
                }
                guard text.count > 1, !text.hasSuffix(".") else { return nil }
                tokens.append(text)
                return .token(text)
            }
            var digits = ""
            while index < chars.count, chars[index].isNumber || chars[index] == "." {
                digits.append(chars[index])
                index += 1
            }
            return Double(digits).map { .number($0) }
        }
    }
}
