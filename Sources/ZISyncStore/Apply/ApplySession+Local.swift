import Foundation
import GRDB
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol

/// Local writes: a change made here, signed, checked by the same rules as a received one, applied.
extension ApplySession {
    mutating func makeLocalChange(
        type: RecordType, recordID: String, owner: String, fields: [String: FieldValue], actor: String
    ) throws -> Change {
        let existing = try record(recordID)
        if let existing, existing.type != type.rawValue || existing.owner != owner {
            throw ZISyncError(
                "record \(recordID) is a \(existing.type) of \(existing.owner), not a \(type.rawValue) of \(owner)")
        }
        // A record made here gets its schema's defaults for what its first write leaves out.
        let fields = existing == nil ? type.schema.withDefaults(fields) : fields
        var base: [String: [Version]] = [:]
        for name in fields.keys { base[name] = existing?.fields[name]?.heads ?? [] }
        let tip = try head(node)
        var change = Change(
            origin: node, seq: (tip?.seq ?? 0) + 1, hlc: clock.tick(), recordType: type.rawValue, recordID: recordID,
            owner: owner, fields: fields, base: base, actor: actor, prev: tip?.hash)
        if let signer { change = change.signed(signer.sign(hash: change.hash)) }
        if let reason = try authorization.refusal(of: change)
            ?? type.schema.requiredProblem(
                fields, creates: existing == nil || type.schema.makesRecord(fields, base: base), type: type)
            ?? relationRefusal(change)
        {
            throw ZISyncError(reason)
        }
        if existing == nil { createdHere.insert(recordID) }
        var report = ReceiveReport()
        try apply(
            change, encoded: (change.fieldsJSON, change.baseJSON), sender: nil, source: "local", checked: true,
            report: &report)
        return change
    }
}
