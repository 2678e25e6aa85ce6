import Crypto
import Foundation

/// One entry of an origin's change log: a partial write to one record (brief §5.1).
public struct Change: Sendable, Equatable {
    public let origin: String
    public let seq: Int64
    public let hlc: HLC
    public let recordType: String
    public let recordID: String
    public let owner: String
    public let fields: [String: FieldValue]
    /// For each written field, the versions the writer had seen as current (its heads).
    public let base: [String: [Version]]
    public let actor: String
    /// Hash of the origin's previous change; nil for sequence 1.
    public let prev: String?
    public let hash: String
    /// The origin's signature of `hash` (docs/security.md, "Who wrote a change"): not covered by
    /// the hash, so a relay forwards it untouched and an older change without one keeps its hash.
    public var signature: ChangeSignature?

    public var version: Version { Version(origin: origin, seq: seq) }
    public var id: String { version.description }

    /// Builds a change and computes its hash.
    public init(
        origin: String, seq: Int64, hlc: HLC, recordType: String, recordID: String, owner: String,
        fields: [String: FieldValue], base: [String: [Version]], actor: String, prev: String?
    ) {
        self.init(
            origin: origin, seq: seq, hlc: hlc, recordType: recordType, recordID: recordID, owner: owner,
            fields: fields, base: base, actor: actor, prev: prev, hash: "")
        self = withHash(computedHash())
    }

    /// A change as received: the hash is taken as given and checked separately.
    public init(
        origin: String, seq: Int64, hlc: HLC, recordType: String, recordID: String, owner: String,
        fields: [String: FieldValue], base: [String: [Version]], actor: String, prev: String?, hash: String,
        signature: ChangeSignature? = nil
    ) {
        self.origin = origin
        self.seq = seq
        self.hlc = hlc
        self.recordType = recordType
        self.recordID = recordID
        self.owner = owner
        self.fields = fields
        self.base = base.filter { !$0.value.isEmpty }.mapValues { $0.sorted() }
        self.actor = actor
        self.prev = prev
        self.hash = hash
        self.signature = signature
    }

    /// The same change with `signature`.
    public func signed(_ signature: ChangeSignature?) -> Change {
        var c = self
        c.signature = signature
        return c
    }

    private func withHash(_ h: String) -> Change {
        Change(
            origin: origin, seq: seq, hlc: hlc, recordType: recordType, recordID: recordID, owner: owner,
            fields: fields, base: base, actor: actor, prev: prev, hash: h)
    }

    public var fieldsJSON: String { CanonicalJSON.encode(fields) }
    public var baseJSON: String { CanonicalJSON.encode(base: base) }

    /// The canonical bytes the hash covers (everything but the hash itself).
    public func canonicalBytes(fieldsJSON: String? = nil, baseJSON: String? = nil) -> [UInt8] {
        Change.canonicalBytes(
            actor: actor, baseJSON: baseJSON ?? self.baseJSON, fieldsJSON: fieldsJSON ?? self.fieldsJSON, hlc: hlc,
            origin: origin, owner: owner, prev: prev, recordID: recordID, seq: seq, recordType: recordType)
    }

    static func canonicalBytes(
        actor: String, baseJSON: String, fieldsJSON: String, hlc: HLC, origin: String, owner: String,
        prev: String?, recordID: String, seq: Int64, recordType: String
    ) -> [UInt8] {
        encode(
            actor: actor, baseJSON: baseJSON, fieldsJSON: fieldsJSON, hash: nil, hlc: hlc.rawValue, origin: origin,
            owner: owner, prev: prev, recordID: recordID, seq: seq, recordType: recordType)
    }

    /// The canonical object, with `hash` (the wire form, encoded by ZISyncProtocol's
    /// `ChangeWire`) or without it (what the hash covers). Keys in sorted order: `hash` falls
    /// between `fields` and `hlc`.
    package static func encode(
        actor: String, baseJSON: String, fieldsJSON: String, hash: String?, hlc: Int64, origin: String,
        owner: String, prev: String?, recordID: String, seq: Int64, recordType: String,
        signature: ChangeSignature? = nil
    ) -> [UInt8] {
        var j = CanonicalJSON()
        j.raw("{\"actor\":")
        j.string(actor)
        j.raw(",\"base\":")
        j.rawBytes(Array(baseJSON.utf8))
        j.raw(",\"fields\":")
        j.rawBytes(Array(fieldsJSON.utf8))
        if let hash {
            j.raw(",\"hash\":")
            j.string(hash)
        }
        j.raw(",\"hlc\":")
        j.int(hlc)
        if let signature {
            j.raw(",\"key\":")
            j.string(signature.keyID)
        }
        j.raw(",\"origin\":")
        j.string(origin)
        j.raw(",\"owner\":")
        j.string(owner)
        j.raw(",\"prev\":")
        if let prev { j.string(prev) } else { j.raw("null") }
        j.raw(",\"record\":")
        j.string(recordID)
        j.raw(",\"seq\":")
        j.int(seq)
        if let signature {
            j.raw(",\"sig\":")
            j.string(signature.value)
        }
        j.raw(",\"type\":")
        j.string(recordType)
        j.raw("}")
        return j.bytes
    }

    public func computedHash(fieldsJSON: String? = nil, baseJSON: String? = nil) -> String {
        Hashing.sha256Hex(canonicalBytes(fieldsJSON: fieldsJSON, baseJSON: baseJSON))
    }

    public var hashIsValid: Bool { computedHash() == hash }
}

/// An origin's signature of a change's hash: which of its certificates' keys made it (`keyID`,
/// the first 16 bytes of the certificate's SHA-256, in hex) and the raw P-256 signature in hex.
public struct ChangeSignature: Sendable, Equatable, Hashable {
    public let keyID: String
    public let value: String

    public init(keyID: String, value: String) {
        self.keyID = keyID
        self.value = value
    }

    /// What an origin signs for a change: a domain prefix and the hash, which covers the rest.
    public static func message(hash: String) -> [UInt8] { Array("zisync-change-v1:\(hash)".utf8) }

    /// Key ids and signatures are lower-case hex of fixed lengths; anything else is malformed.
    public var isWellFormed: Bool {
        keyID.utf8.count == 32 && value.utf8.count == 128
            && (Array(keyID.utf8) + Array(value.utf8)).allSatisfy {
                (0x30...0x39).contains($0) || (0x61...0x66).contains($0)
            }
    }
}

public enum Hashing {
    public static func sha256Hex<D: DataProtocol>(_ data: D) -> String {
        hex(SHA256.hash(data: data))
    }

    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
