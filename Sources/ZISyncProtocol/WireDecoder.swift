import Foundation
import ZISyncCore

/// A small JSON reader for the sync protocol's bodies. Foundation's JSONDecoder costs more per
/// change than storing it does (measured: a third of a parent's CPU on a 100,000-change push),
/// so push and pull bodies are read here: standard JSON syntax, but numbers must be integers,
/// which is all the protocol uses. Errors name the byte offset.
public struct WireDecoder {
    enum Value {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        case int(Int64)
        case bool(Bool)
        case null
    }

    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    private let bytes: [UInt8]
    private var i = 0

    private init(_ data: Data) { bytes = [UInt8](data) }

    /// `{"changes":[…], …}`: the changes (each checked on its own) and the other top-level keys.
    public static func changes(in data: Data) throws -> (changes: [Result<Change, Malformed>], other: [String: Any]) {
        var d = WireDecoder(data)
        let top = try d.document()
        guard case .object(let members) = top else { throw Malformed(description: "the body is not a JSON object") }
        var changes: [Result<Change, Malformed>] = []
        var other: [String: Any] = [:]
        for (key, value) in members {
            if key == "changes" {
                guard case .array(let items) = value else { throw Malformed(description: "'changes' is not an array") }
                changes = items.map { item in
                    Result { try change(item) }.mapError { $0 as? Malformed ?? Malformed(description: "\($0)") }
                }
            } else {
                switch value {
                case .string(let s): other[key] = s
                case .int(let n): other[key] = n
                case .bool(let b): other[key] = b
                default: other[key] = NSNull()
                }
            }
        }
        return (changes, other)
    }

    /// One change in wire form (a bundle line, a held change).
    public static func change(from data: Data) throws -> Change {
        var d = WireDecoder(data)
        return try change(try d.document())
    }

    static func change(_ value: Value) throws -> Change {
        guard case .object(let members) = value else { throw Malformed(description: "a change is not an object") }
        var m: [String: Value] = [:]
        for (k, v) in members { m[k] = v }
        func string(_ key: String) throws -> String {
            guard case .string(let s)? = m[key] else {
                throw Malformed(description: "change: '\(key)' must be a string")
            }
            return s
        }
        func int(_ key: String) throws -> Int64 {
            guard case .int(let n)? = m[key] else {
                throw Malformed(description: "change: '\(key)' must be an integer")
            }
            return n
        }
        var fields: [String: FieldValue] = [:]
        guard case .object(let fieldMembers)? = m["fields"] else {
            throw Malformed(description: "change: 'fields' must be an object")
        }
        for (name, v) in fieldMembers {
            switch v {
            case .string(let s): fields[name] = .string(s)
            case .int(let n): fields[name] = .int(n)
            case .bool(let b): fields[name] = .bool(b)
            case .null: fields[name] = .null
            default: throw Malformed(description: "field '\(name)' must be a string, integer, boolean or null")
            }
        }
        var base: [String: [Version]] = [:]
        if let b = m["base"] {
            guard case .object(let baseMembers) = b else {
                throw Malformed(description: "change: 'base' must be an object")
            }
            for (name, v) in baseMembers {
                guard case .array(let items) = v else {
                    throw Malformed(description: "base of '\(name)' must be an array")
                }
                base[name] = try items.map {
                    guard case .string(let s) = $0, let version = Version(s) else {
                        throw Malformed(description: "base of field '\(name)' has a bad version")
                    }
                    return version
                }
            }
        }
        var prev: String?
        switch m["prev"] {
        case .string(let s)?: prev = s
        case .null?, nil: prev = nil
        default: throw Malformed(description: "change: 'prev' must be a string or null")
        }
        return Change(
            origin: try string("origin"), seq: try int("seq"), hlc: HLC(rawValue: try int("hlc")),
            recordType: try string("type"), recordID: try string("record"), owner: try string("owner"), fields: fields,
            base: base, actor: try string("actor"), prev: prev, hash: try string("hash"))
    }

    // MARK: - Parsing

    private mutating func document() throws -> Value {
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
