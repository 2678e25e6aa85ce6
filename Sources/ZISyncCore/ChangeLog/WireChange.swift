import Foundation

/// The JSON shape of a change on the wire and in bundles. Decoding is lenient about key
/// order and spacing; the hash is re-computed over the canonical form, so any edit shows.
public struct WireChange: Decodable, Sendable {
    public var origin: String
    public var seq: Int64
    public var hlc: Int64
    public var type: String
    public var record: String
    public var owner: String
    public var fields: [String: FieldValue]
    public var base: [String: [String]]
    public var actor: String
    public var prev: String?
    public var hash: String

    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    public func change() throws -> Change {
        var parsedBase: [String: [Version]] = [:]
        for (field, versions) in base {
            parsedBase[field] = try versions.map {
                guard let v = Version($0) else {
                    throw Malformed(description: "base of field '\(field)' has a bad version '\($0)'")
                }
                return v
            }
        }
        return Change(
            origin: origin, seq: seq, hlc: HLC(rawValue: hlc), recordType: type, recordID: record, owner: owner,
            fields: fields, base: parsedBase, actor: actor, prev: prev, hash: hash)
    }
}
