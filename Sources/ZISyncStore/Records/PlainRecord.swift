import GRDB
import ZISyncCore

/// A record as a list prints it, read straight from its stored state without decoding its
/// fields: each value stays the canonical JSON text `RecordStateCodec.encode` wrote. Listing
/// 300,000 plans decoded every field into dictionaries first and took 7 s.
public struct PlainRecord: Sendable {
    public let id: String
    public let type: String
    public let owner: String
    public let deleted: Bool
    /// The latest clock among its fields: the time of its last change.
    public let updated: HLC
    /// The stored state's bytes; `values` point into it.
    public let state: [UInt8]
    /// Each field but the tombstone, in name order (UTF-8 byte order): its name and where its
    /// value's canonical JSON text (a string with the escapes JSON requires, an integer, a
    /// boolean or null) lies in `state`.
    public let values: [(name: String, value: Range<Int>)]

    /// A row of `RecordRow.columns` (id, type, owner, state); the state read as bytes.
    init(_ row: Row) throws {
        id = row[0]
        type = row[1]
        owner = row[2]
        state = row.dataNoCopy(atIndex: 3).map { [UInt8]($0) } ?? []
        var scan = StateScanner(bytes: state)
        guard let fields = scan.fields() else {
            throw ZISyncError("record \(id): unreadable state (run `zisync verify`)")
        }
        var values: [(name: String, value: Range<Int>)] = []
        values.reserveCapacity(fields.count)
        var deleted = false
        var updated: Int64 = 0
        for f in fields {
            updated = max(updated, f.hlc)
            let name = String(decoding: state[f.name], as: UTF8.self)
            if name == RecordSchema.deletedField {
                deleted = state[f.value].elementsEqual("true".utf8)
            } else {
                values.append((name, f.value))
            }
        }
        self.deleted = deleted
        self.updated = HLC(rawValue: updated)
        self.values = values
    }
}

/// Reads the layout `RecordStateCodec.encode` writes, `{"name":{["heads":[…],]"h":N[,"missing":
/// […]],"o":"…","s":N,"v":V},…}`, keeping for each field the range of its name (without quotes),
/// its clock and the range of its value's JSON text. Anything else gives nil, never a trap.
struct StateScanner {
    let bytes: [UInt8]
    var at = 0

    struct Field {
        let name: Range<Int>
        let hlc: Int64
        let value: Range<Int>
    }

    mutating func fields() -> [Field]? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var out: [Field] = []
        if take(UInt8(ascii: "}")) { return at == bytes.count ? out : nil }
        repeat {
            guard let name = string(), take(UInt8(ascii: ":")), take(UInt8(ascii: "{")) else { return nil }
            var hlc: Int64?
            var value: Range<Int>?
            repeat {
                guard let key = string(), take(UInt8(ascii: ":")) else { return nil }
                let start = at
                guard skipValue() else { return nil }
                // A one-letter key: its range holds the letter between two quotes.
                switch key.count == 3 ? bytes[key.lowerBound + 1] : 0 {
                case UInt8(ascii: "h"): hlc = integer(start..<at)
                case UInt8(ascii: "v"):
                    guard isScalar(start..<at) else { return nil }
                    value = start..<at
                default: break  // heads, missing, o, s
                }
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")), let hlc, let value else { return nil }
            out.append(Field(name: (name.lowerBound + 1)..<(name.upperBound - 1), hlc: hlc, value: value))
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")), at == bytes.count else { return nil }
        return out
    }

    /// A clock: up to 19 digits, not negative.
    private func integer(_ r: Range<Int>) -> Int64? {
        guard !r.isEmpty, r.count <= 19 else { return nil }
        var n: Int64 = 0
        for b in bytes[r] {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            n = n * 10 + Int64(b - 0x30)
        }
        return n
    }

    /// A string, an integer, true, false or null: what a field's value may be.
    private func isScalar(_ r: Range<Int>) -> Bool {
        let text = bytes[r]
        if text.first == UInt8(ascii: "\"") { return true }
        if text.elementsEqual("true".utf8) || text.elementsEqual("false".utf8) || text.elementsEqual("null".utf8) {
            return true
        }
        let digits = text.first == UInt8(ascii: "-") ? text.dropFirst() : text[...]
        return !digits.isEmpty && digits.count <= 19 && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    private mutating func take(_ b: UInt8) -> Bool {
        guard at < bytes.count, bytes[at] == b else { return false }
        at += 1
        return true
    }

    /// A string with its quotes; its range.
    private mutating func string() -> Range<Int>? {
        let start = at
        guard take(UInt8(ascii: "\"")) else { return nil }
        while at < bytes.count {
            switch bytes[at] {
            case UInt8(ascii: "\""):
                at += 1
                return start..<at
            case UInt8(ascii: "\\"): at += 2
            default: at += 1
            }
        }
        return nil
    }

    /// One value: a string, an array, or a literal (number, true, false, null).
    private mutating func skipValue() -> Bool {
        guard at < bytes.count else { return false }
        switch bytes[at] {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "["):
            at += 1
            if take(UInt8(ascii: "]")) { return true }
            repeat { guard skipValue() else { return false } } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]"))
        default:
            let start = at
            while at < bytes.count, bytes[at] != UInt8(ascii: ","), bytes[at] != UInt8(ascii: "}"),
                bytes[at] != UInt8(ascii: "]")
            {
                at += 1
            }
            return at > start
        }
    }
}
