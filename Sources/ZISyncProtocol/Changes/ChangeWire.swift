import Foundation
import ZISyncCore

/// The change on the wire, encoded here beside its one decoder (`ChangeDecoder`): the canonical
/// object its hash covers (Core's), plus `"hash"`, and `"key"` and `"sig"` when signed.
extension Change {
    /// The wire form: the canonical object plus `"hash"`, and `"key"` and `"sig"` when signed
    /// (keys still sorted).
    public var wireJSON: String { Change.sortedWireJSON(self) }

    static func sortedWireJSON(_ c: Change) -> String {
        wireJSON(
            actor: c.actor, baseJSON: c.baseJSON, fieldsJSON: c.fieldsJSON, hash: c.hash, hlc: c.hlc.rawValue,
            origin: c.origin, owner: c.owner, prev: c.prev, recordID: c.recordID, seq: c.seq, recordType: c.recordType,
            signature: c.signature)
    }

    /// The wire form from a change's parts, with `fields` and `base` already canonical.
    public static func wireJSON(
        actor: String, baseJSON: String, fieldsJSON: String, hash: String, hlc: Int64, origin: String, owner: String,
        prev: String?, recordID: String, seq: Int64, recordType: String, signature: ChangeSignature? = nil
    ) -> String {
        String(
            decoding: encode(
                actor: actor, baseJSON: baseJSON, fieldsJSON: fieldsJSON, hash: hash, hlc: hlc, origin: origin,
                owner: owner, prev: prev, recordID: recordID, seq: seq, recordType: recordType, signature: signature),
            as: UTF8.self)
    }
}
