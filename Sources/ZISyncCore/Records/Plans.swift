import Foundation

/// Rencana aksi: creating, editing and listing action plans.
extension Store {
    /// Adds a plan owned by `owner` (this node's satker unless it enters one for an office below).
    public func addPlan(owner: String? = nil, fields: [String: FieldValue], actor: String) throws -> String {
        guard fields["area"].map({ !$0.isNull }) == true else { throw ZISyncError("a plan needs an area") }
        guard fields["activity"]?.stringValue?.isEmpty == false else { throw ZISyncError("a plan needs an activity") }
        var all = fields
        if all["status"] == nil { all["status"] = .string("draft") }
        let id = Validation.newRecordID()
        try write(type: .actionPlan, recordID: id, owner: owner ?? node, fields: all, actor: actor)
        return id
    }

    /// Looks up a record of `type` by its id (or an unambiguous id prefix of 8+ characters).
    public func resolve(_ idOrPrefix: String, as type: RecordType) throws -> StoredRecord {
        if let rec = try record(idOrPrefix) {
            guard rec.type == type.rawValue else {
                throw ZISyncError("\(idOrPrefix) is a \(rec.type), not a \(type.rawValue)")
            }
            return rec
        }
        if idOrPrefix.count >= 8 {
            let matches = try records(type, includeDeleted: true).filter { $0.id.hasPrefix(idOrPrefix.lowercased()) }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 { throw ZISyncError("id prefix '\(idOrPrefix)' matches \(matches.count) records") }
        }
        throw ZISyncError("no \(type.rawValue) with id '\(idOrPrefix)' on this node")
    }

    /// Writes FIELD=VALUE assignments to one record (values parsed by the record's schema).
    @discardableResult
    public func set(_ recordID: String, type: RecordType, assignments: [(String, String)], actor: String) throws
        -> Change
    {
        let rec = try resolve(recordID, as: type)
        var fields: [String: FieldValue] = [:]
        for (name, text) in assignments {
            fields[name] = try type.schema.parse(field: name, text: text)
        }
        if fields.isEmpty { throw ZISyncError("nothing to set: give FIELD=VALUE") }
        return try write(type: type, recordID: rec.id, owner: rec.owner, fields: fields, actor: actor)
    }

    /// Marks a record deleted. The record and its history stay; the tombstone syncs like any write.
    public func delete(_ recordID: String, type: RecordType, actor: String) throws {
        let rec = try resolve(recordID, as: type)
        try write(
            type: type, recordID: rec.id, owner: rec.owner, fields: [RecordSchema.deletedField: .bool(true)],
            actor: actor)
    }

    /// Plans owned in `subtree` (default: this node's), optionally of one area.
    public func plans(subtree: String? = nil, area: Area? = nil) throws -> [StoredRecord] {
        try records(.actionPlan, subtree: subtree ?? node)
            .filter { area == nil || $0["area"] == .string(area!.rawValue) }
            .sorted {
                ($0.owner, $0["area"].description, $0.updated) < ($1.owner, $1["area"].description, $1.updated)
            }
    }
}
