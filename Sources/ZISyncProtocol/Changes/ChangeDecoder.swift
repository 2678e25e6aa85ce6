import Foundation
import ZISyncCore

/// The one change decoder: every change that enters a node (a push, a pull page, a bundle line)
/// and every change a node reads back from its own log (the stored columns, a held change) is
/// read here, so all of them accept exactly the same input. Key order and spacing do not matter:
/// the hash is re-computed over the canonical encoding (`Change.computedHash`), so any edit shows.
public enum ChangeDecoder {
    public struct Malformed: Error, CustomStringConvertible, Sendable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// One change in wire form (`{"actor":…,"hash":…,…}`).
    public static func change(from data: some Collection<UInt8>) throws(Malformed) -> Change {
        try change(try value(data))
    }

    /// One change from its JSON value (an element of a push's or a pull page's `changes`).
    public static func change(_ value: JSONValue) throws(Malformed) -> Change {
        guard let m = value.members else { throw Malformed("a change is not an object") }
        func string(_ key: String) throws(Malformed) -> String {
            guard case .string(let s)? = m[key] else { throw Malformed("change: '\(key)' must be a string") }
            return s
        }
        func int(_ key: String) throws(Malformed) -> Int64 {
            guard case .int(let n)? = m[key] else { throw Malformed("change: '\(key)' must be an integer") }
            return n
        }
        guard let fieldsValue = m["fields"] else { throw Malformed("change: 'fields' must be an object") }
        var baseValue: [String: [Version]] = [:]
        if let b = m["base"] { baseValue = try base(b) }
        let prev: String?
        switch m["prev"] {
        case .string(let s)?: prev = s
        case .null?, nil: prev = nil
        default: throw Malformed("change: 'prev' must be a string or null")
        }
        var signature: ChangeSignature?
        if m["key"] != nil || m["sig"] != nil {
            let s = ChangeSignature(keyID: try string("key"), value: try string("sig"))
            guard s.isWellFormed else { throw Malformed("change: 'key' and 'sig' must be a key id and a signature") }
            signature = s
        }
        return Change(
            origin: try string("origin"), seq: try int("seq"), hlc: HLC(rawValue: try int("hlc")),
            recordType: try string("type"), recordID: try string("record"), owner: try string("owner"),
            fields: try fields(fieldsValue), base: baseValue,
            actor: try string("actor"), prev: prev, hash: try string("hash"), signature: signature)
    }

    /// A change from the columns a node stores it in: its scalar parts, and `fields` and `base`
    /// as the canonical JSON they were stored as.
    public static func change(
        origin: String, seq: Int64, hlc: Int64, type: String, record: String, owner: String, actor: String,
        fieldsJSON: String, baseJSON: String, prev: String?, hash: String, signature: ChangeSignature? = nil
    ) throws(Malformed) -> Change {
        Change(
            origin: origin, seq: seq, hlc: HLC(rawValue: hlc), recordType: type, recordID: record, owner: owner,
            fields: try fields(try value(Array(fieldsJSON.utf8))), base: try base(try value(Array(baseJSON.utf8))),
            actor: actor, prev: prev, hash: hash, signature: signature)
    }

    /// `{"name": value, …}` where each value is a string, an integer, a boolean or null.
    public static func fields(_ value: JSONValue) throws(Malformed) -> [String: FieldValue] {
        guard case .object(let members) = value else { throw Malformed("change: 'fields' must be an object") }
        var fields: [String: FieldValue] = [:]
        for (name, v) in members {
            switch v {
            case .string(let s): fields[name] = .string(s)
            case .int(let n): fields[name] = .int(n)
            case .bool(let b): fields[name] = .bool(b)
            case .null: fields[name] = .null
            default: throw Malformed("field '\(name)' must be a string, integer, boolean or null")
            }
        }
        return fields
    }

    /// `{"field": ["origin:seq", …], …}`.
    public static func base(_ value: JSONValue) throws(Malformed) -> [String: [Version]] {
        guard case .object(let members) = value else { throw Malformed("change: 'base' must be an object") }
        var base: [String: [Version]] = [:]
        for (name, v) in members {
            guard case .array(let items) = v else { throw Malformed("base of '\(name)' must be an array") }
            var versions: [Version] = []
            for item in items {
                guard case .string(let s) = item, let version = Version(s) else {
                    throw Malformed("base of field '\(name)' has a bad version")
                }
                versions.append(version)
            }
            base[name] = versions
        }
        return base
    }

    static func value(_ data: some Collection<UInt8>) throws(Malformed) -> JSONValue {
        do {
            return try JSONValue.parse(data)
        } catch {
            throw Malformed(error.description)
        }
    }
}
