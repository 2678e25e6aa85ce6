import Foundation
import ZISyncCore
import ZISyncProtocol

/// A materialized record: the winning value and version of each field.
public struct StoredRecord: Sendable, Equatable {
    public let id: String
    public let type: String
    public let owner: String
    public var fields: [String: FieldState]

    public init(id: String, type: String, owner: String, fields: [String: FieldState]) {
        self.id = id
        self.type = type
        self.owner = owner
        self.fields = fields
    }

    public var isDeleted: Bool { fields[RecordSchema.deletedField]?.value == .bool(true) }

    public subscript(field: String) -> FieldValue { fields[field]?.value ?? .null }

    public func string(_ field: String) -> String? {
        if case .string(let s) = self[field], !s.isEmpty { return s }
        return nil
    }

    /// The latest write to any field.
    public var updated: HLC { fields.values.map(\.hlc).max() ?? .zero }
}

/// Encodes and decodes `record_state.state`. Canonical on the way out so the stored text, and
/// any digest over it, never depends on dictionary order. Read with the protocol's JSON reader.
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
                j.raw("\"heads\":")
                versions(s.heads, into: &j)
                j.raw(",")
            }
            j.raw("\"h\":")
            j.int(s.hlc.rawValue)
            if !s.missing.isEmpty {
                j.raw(",\"missing\":")
                versions(s.missing, into: &j)
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

    static func versions(_ list: [Version], into j: inout CanonicalJSON) {
        j.raw("[")
        for (i, v) in list.enumerated() {
            if i > 0 { j.raw(",") }
            j.string(v.description)
        }
        j.raw("]")
    }

    static func decode(_ text: String) throws -> [String: FieldState] {
        guard case .object(let members) = try JSONValue.parse(text.utf8) else {
            throw ZISyncError("record state is not a JSON object")
        }
        var out: [String: FieldState] = [:]
        out.reserveCapacity(members.count)
        for (name, value) in members {
            guard case .object(let parts) = value else {
                throw ZISyncError("record state of field '\(name)' is not an object")
            }
            var hlc: Int64?
            var origin: String?
            var seq: Int64?
            var fieldValue: FieldValue?
            var heads: [Version]?
            var missing: [Version] = []
            for (key, part) in parts {
                switch (key, part) {
                case ("h", .int(let n)): hlc = n
                case ("o", .string(let s)): origin = s
                case ("s", .int(let n)): seq = n
                case ("v", .string(let s)): fieldValue = .string(s)
                case ("v", .int(let n)): fieldValue = .int(n)
                case ("v", .bool(let b)): fieldValue = .bool(b)
                case ("v", .null): fieldValue = .null
                case ("heads", .array(let items)): heads = versions(items)
                case ("missing", .array(let items)): missing = versions(items)
                default: throw ZISyncError("record state of field '\(name)' has an unexpected '\(key)'")
                }
            }
            guard let hlc, let origin, let seq, let fieldValue else {
                throw ZISyncError("record state of field '\(name)' is incomplete")
            }
            // Absent heads means the common case: the winner is the only head.
            out[name] = FieldState(
                value: fieldValue, hlc: HLC(rawValue: hlc), origin: origin, seq: seq,
                heads: heads ?? [Version(origin: origin, seq: seq)], missing: missing)
        }
        return out
    }

    static func versions(_ items: [JSONValue]) -> [Version] {
        items.compactMap { if case .string(let s) = $0 { Version(s) } else { nil } }
    }
}
