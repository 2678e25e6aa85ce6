import Foundation

/// A materialized record: the winning value and version of each field.
public struct StoredRecord: Sendable, Equatable {
    public let id: String
    public let type: String
    public let owner: String
    public var fields: [String: FieldState]

    public var isDeleted: Bool { fields[RecordSchema.deletedField]?.value == .bool(true) }

    public subscript(field: String) -> FieldValue { fields[field]?.value ?? .null }

    public func string(_ field: String) -> String? {
        if case .string(let s) = self[field], !s.isEmpty { return s }
        return nil
    }

    /// The latest write to any field.
    public var updated: HLC { fields.values.map(\.hlc).max() ?? .zero }

    /// Plain values for `--json` output, with the id, owner and type.
    public var jsonObject: [String: Any] {
        var out: [String: Any] = ["id": id, "type": type, "satker": owner]
        for (k, v) in fields where k != RecordSchema.deletedField { out[k] = v.value.jsonObject }
        out["deleted"] = isDeleted
        out["updated"] = updated.description
        return out
    }
}

/// Encodes and decodes `record_state.state`. Canonical on the way out so the stored
/// text, and any digest over it, never depends on dictionary order.
enum RecordStateCodec {
    static func encode(_ fields: [String: FieldState]) -> String {
        var j = CanonicalJSON()
        j.raw("{")
        // Internal storage: any fixed order will do; field names are schema names (ASCII).
        for (n, name) in fields.keys.sorted().enumerated() {
            let s = fields[name]!
            if n > 0 { j.raw(",") }
            j.string(name)
            j.raw(":{")
            if s.heads.count != 1 || s.heads[0].origin != s.origin || s.heads[0].seq != s.seq {
                j.raw("\"heads\":[")
                for (i, v) in s.heads.enumerated() {
                    if i > 0 { j.raw(",") }
                    j.string(v.description)
                }
                j.raw("],")
            }
            j.raw("\"h\":")
            j.int(s.hlc.rawValue)
            if !s.missing.isEmpty {
                j.raw(",\"missing\":[")
                for (i, v) in s.missing.enumerated() {
                    if i > 0 { j.raw(",") }
                    j.string(v.description)
                }
                j.raw("]")
            }
            j.raw(",\"o\":")
            j.string(s.origin)
            j.raw(",\"s\":")
            j.int(s.seq)
            j.raw(",\"v\":")
            j.value(s.value)
            j.raw("}")
        }
        j.raw("}")
        return j.text
    }

    static func decode(_ text: String) throws -> [String: FieldState] {
        try JSONDecoder().decode([String: FieldState].self, from: Data(text.utf8))
    }
}
