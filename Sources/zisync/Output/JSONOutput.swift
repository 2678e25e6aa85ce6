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
/// bounded memory), in the same layout as `printJSON`.
struct JSONArrayStream {
    private var first = true
    private var out = FileHandle.standardOutput
    private var buffer = Data()

    mutating func append(_ value: [String: Any]) throws {
        let object = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])
        buffer.append(contentsOf: (first ? "[\n" : ",\n").utf8)
        first = false
        // Indent the object by two spaces, as inside a pretty-printed array.
        var line = Data("  ".utf8)
        for byte in object {
            line.append(byte)
            if byte == 0x0A {
                buffer.append(line)
                line = Data("  ".utf8)
            }
        }
        buffer.append(line)
        if buffer.count > 1 << 16 { flush() }
    }

    private mutating func flush() {
        out.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() {
        buffer.append(contentsOf: (first ? "[\n\n]\n" : "\n]\n").utf8)
        flush()
    }
}
