import Foundation

/// A JSON value as the protocol uses it: integers only (no floating point exists in the model).
public enum JSONValue: Sendable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null

    /// The members of an object by key (the last one wins when a key repeats), nil for other values.
    public var members: [String: JSONValue]? {
        guard case .object(let list) = self else { return nil }
        var out: [String: JSONValue] = [:]
        for (k, v) in list { out[k] = v }
        return out
    }

    /// Reads one JSON document of at most `maxValues` values (every value counts, nested or not),
    /// so that a small body cannot make the reader build a huge tree. Errors name the byte offset.
    public static func parse(
        _ data: some Collection<UInt8>, maxValues: Int = JSONReader.defaultMaxValues
    ) throws(JSONReader.Malformed) -> JSONValue {
        var reader = JSONReader(Array(data), maxValues: maxValues)
        do {
            return try reader.document()
        } catch let e as JSONReader.Malformed {
            throw e
        } catch {
            throw JSONReader.Malformed(description: "\(error)")
        }
    }
}

/// A small JSON reader for the protocol's bodies and the store's own JSON columns. Foundation's
/// JSONDecoder costs more per change than storing it does (measured: a third of a parent's CPU on
/// a 100,000-change push), so changes are read here: standard JSON syntax, but numbers must be
/// integers, which is all the protocol uses.
public struct JSONReader {
    public struct Malformed: Error, CustomStringConvertible, Sendable {
        public let description: String
        public init(description: String) { self.description = description }
    }

    typealias Value = JSONValue

    /// Values one document may hold: a push of 5,000 changes uses about 150,000.
    public static let defaultMaxValues = 1_000_000

    private let bytes: [UInt8]
    private var i = 0
    private var budget: Int

    init(_ bytes: [UInt8], maxValues: Int) {
        self.bytes = bytes
        budget = maxValues
    }

    // MARK: - Parsing

    mutating func document() throws -> Value {
        let v = try value(depth: 0)
        skipSpace()
        guard i == bytes.count else { throw fail("trailing bytes") }
        return v
    }

    private func fail(_ what: String) -> Malformed { Malformed(description: "malformed JSON at byte \(i): \(what)") }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func value(depth: Int) throws -> Value {
        guard depth < 32 else { throw fail("nested too deeply") }
        budget -= 1
        guard budget >= 0 else { throw fail("more values than a document may hold") }
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case 0x7B: return try object(depth: depth)
        case 0x5B:
            i += 1
            var items: [Value] = []
            skipSpace()
            if i < bytes.count, bytes[i] == 0x5D {
                i += 1
                return .array(items)
            }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated array") }
                if bytes[i] == 0x2C {
                    i += 1
                } else if bytes[i] == 0x5D {
                    i += 1
                    return .array(items)
                } else {
                    throw fail("expected , or ]")
                }
            }
        case 0x22: return .string(try string())
        case 0x74: return try literal("true", .bool(true))
        case 0x66: return try literal("false", .bool(false))
        case 0x6E: return try literal("null", .null)
        default: return .int(try integer())
        }
    }

    private mutating func object(depth: Int) throws -> Value {
        i += 1
        var members: [(String, Value)] = []
        skipSpace()
        if i < bytes.count, bytes[i] == 0x7D {
            i += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == 0x22 else { throw fail("expected a key") }
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == 0x3A else { throw fail("expected :") }
            i += 1
            members.append((key, try value(depth: depth + 1)))
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated object") }
            if bytes[i] == 0x2C {
                i += 1
            } else if bytes[i] == 0x7D {
                i += 1
                return .object(members)
            } else {
                throw fail("expected , or }")
            }
        }
    }

    private mutating func literal(_ word: StaticString, _ v: Value) throws -> Value {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw fail("unexpected end") }
        let matches = word.withUTF8Buffer { w in (0..<n).allSatisfy { bytes[i + $0] == w[$0] } }
        guard matches else { throw fail("unexpected literal") }
        i += n
        return v
    }

    private mutating func integer() throws -> Int64 {
        let start = i
        if i < bytes.count, bytes[i] == 0x2D { i += 1 }
        let digitsStart = i
        while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
        guard i > digitsStart else { throw fail("expected a value") }
        if i < bytes.count, bytes[i] == 0x2E || bytes[i] == 0x65 || bytes[i] == 0x45 {
            throw fail("numbers must be integers")
        }
        guard let n = Int64(String(decoding: bytes[start..<i], as: UTF8.self)) else {
            throw fail("integer out of range")
        }
        return n
    }

    private mutating func string() throws -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != 0x22, bytes[i] != 0x5C {
            guard bytes[i] >= 0x20 else { throw fail("control character in a string") }
            i += 1
        }
        guard i < bytes.count else { throw fail("unterminated string") }
        if bytes[i] == 0x22 {
            let s = String(decoding: bytes[start..<i], as: UTF8.self)
            i += 1
            return s
        }
        var out = [UInt8](bytes[start..<i])
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x22 {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            guard b >= 0x20 else { throw fail("control character in a string") }
            if b != 0x5C {
                out.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 1 < bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else {
                        throw fail("lone surrogate")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("bad surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("bad \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw fail("bad escape")
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            default: throw fail("bad hex digit")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}
