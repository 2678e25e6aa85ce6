import Foundation
import ZISyncCore
import ZISyncStore

/// `--json` output: objects with sorted keys, pretty-printed, as scripts read them.
func printJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

extension FieldValue {
    /// The value as a JSON-compatible Swift value.
    var jsonObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .string(let s): return s
        }
    }
}

extension StoredRecord {
    /// Plain values with the id, owner (`satker`), type, tombstone and the time of the last change.
    var jsonObject: [String: Any] {
        var out: [String: Any] = ["id": id, "type": type, "satker": owner]
        for (k, v) in fields where k != RecordSchema.deletedField { out[k] = v.value.jsonObject }
        out["deleted"] = isDeleted
        out["updated"] = updated.description
        return out
    }
}

/// Prints a JSON array element by element as the elements come (a list of any length in
/// bounded memory), in the same layout as `printJSON`. Elements are records' plain values
/// (strings, integers, booleans, null), written here: Foundation's writer sorts keys through
/// locale-aware comparisons and costs more than reading the records.
struct JSONArrayStream {
    private var first = true
    private var out = FileHandle.standardOutput
    private var buffer: [UInt8] = []
    private var clockText = HLCText()

    mutating func append(_ value: [String: Any]) throws {
        buffer.append(contentsOf: (first ? "[\n" : ",\n").utf8)
        first = false
        Self.write(value, indent: 1, into: &buffer)
        if buffer.count > 1 << 16 { flush() }
    }

    /// A record as stored (`PlainRecord`), its values copied from their canonical JSON text: the
    /// same object as `StoredRecord.jsonObject` (id, type, satker, its fields, deleted, updated,
    /// keys in UTF-8 order), without decoding a field.
    mutating func append(record r: PlainRecord) {
        buffer.append(contentsOf: (first ? "[\n  {\n" : ",\n  {\n").utf8)
        first = false
        // The fields are in name order already: merge the five keys every record has into them.
        // A field named like one of them gives way to deleted and updated and wins over the rest,
        // as in `jsonObject`.
        let fixed: [(String, FixedKey)] = [
            ("deleted", .deleted), ("id", .id), ("satker", .satker), ("type", .type), ("updated", .updated),
        ]
        var (i, j, n) = (0, 0, 0)
        func key(_ k: String) {
            buffer.append(contentsOf: (n > 0 ? ",\n    " : "    ").utf8)
            n += 1
            Self.writeString(k, into: &buffer)
            buffer.append(contentsOf: " : ".utf8)
        }
        func writeField() {
            key(r.values[i].name)
            Self.copyJSON(r.state[r.values[i].value], into: &buffer)
        }
        func writeFixed() {
            key(fixed[j].0)
            switch fixed[j].1 {
            case .deleted: buffer.append(contentsOf: (r.deleted ? "true" : "false").utf8)
            case .id: Self.writeString(r.id, into: &buffer)
            case .satker: Self.writeString(r.owner, into: &buffer)
            case .type: Self.writeString(r.type, into: &buffer)
            case .updated: Self.writeString(clockText(r.updated), into: &buffer)
            }
        }
        while i < r.values.count || j < fixed.count {
            guard i < r.values.count else {
                writeFixed()
                j += 1
                continue
            }
            let field = r.values[i].name
            if j == fixed.count || field.utf8.lexicographicallyPrecedes(fixed[j].0.utf8) {
                writeField()
                i += 1
            } else if field == fixed[j].0 {
                if fixed[j].1 == .deleted || fixed[j].1 == .updated { writeFixed() } else { writeField() }
                i += 1
                j += 1
            } else {
                writeFixed()
                j += 1
            }
        }
        buffer.append(contentsOf: "\n  }".utf8)
        if buffer.count > 1 << 16 { flush() }
    }

    private enum FixedKey { case deleted, id, satker, type, updated }

    /// Canonical JSON text as this writer writes it: the same escapes, and `/` escaped too.
    static func copyJSON(_ text: ArraySlice<UInt8>, into out: inout [UInt8]) {
        guard text.contains(0x2F) else { return out.append(contentsOf: text) }
        for b in text {
            if b == 0x2F { out.append(0x5C) }
            out.append(b)
        }
    }

    private mutating func flush() {
        out.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() {
        buffer.append(contentsOf: (first ? "[\n\n]\n" : "\n]\n").utf8)
        flush()
    }

    /// One value, pretty-printed as JSONSerialization does (two spaces, ` : `, sorted keys,
    /// `/` escaped).
    static func write(_ value: Any, indent: Int, into out: inout [UInt8]) {
        let pad = [UInt8](repeating: 0x20, count: indent * 2)
        switch value {
        case let object as [String: Any]:
            out.append(contentsOf: pad)
            writeObject(object, indent: indent, into: &out)
        default:
            out.append(contentsOf: pad)
            writeScalar(value, into: &out)
        }
    }

    static func writeObject(_ object: [String: Any], indent: Int, into out: inout [UInt8]) {
        let inner = [UInt8](repeating: 0x20, count: (indent + 1) * 2)
        out.append(0x7B)
        out.append(0x0A)
        for (n, key) in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if n > 0 { out.append(contentsOf: ",\n".utf8) }
            out.append(contentsOf: inner)
            writeString(key, into: &out)
            out.append(contentsOf: " : ".utf8)
            writeScalar(object[key]!, into: &out)
        }
        out.append(0x0A)
        out.append(contentsOf: [UInt8](repeating: 0x20, count: indent * 2))
        out.append(0x7D)
    }

    static func writeScalar(_ value: Any, into out: inout [UInt8]) {
        switch value {
        case let s as String: writeString(s, into: &out)
        case let b as Bool: out.append(contentsOf: (b ? "true" : "false").utf8)
        case let i as Int64: out.append(contentsOf: String(i).utf8)
        case let i as Int: out.append(contentsOf: String(i).utf8)
        case is NSNull: out.append(contentsOf: "null".utf8)
        default:
            // Anything else (not in records) through Foundation, so nothing is ever lost.
            if let data = try? JSONSerialization.data(withJSONObject: [value], options: []) {
                out.append(contentsOf: data.dropFirst().dropLast())
            } else {
                out.append(contentsOf: "null".utf8)
            }
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        // Most text needs no escape: copied at once.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x2F }) {
            out.append(0x22)
            out.append(contentsOf: s.utf8)
            out.append(0x22)
            return
        }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x2F: out.append(contentsOf: [0x5C, 0x2F])
            case 0x08: out.append(contentsOf: [0x5C, 0x62])
            case 0x0C: out.append(contentsOf: [0x5C, 0x66])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20: out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(0x22)
    }
}

/// `--json` output of a Codable report, in the same layout as `printJSON`.
func printEncoded(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
