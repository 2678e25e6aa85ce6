import Foundation
import GRDB
import ZISyncCore

/// Rencana aksi: creating, editing, deleting and listing action plans.
public struct Plans: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    /// Adds a plan owned by `owner` (this node's satker unless it enters one for an office below).
    /// What a plan must have and its default status are the plan schema's (`RecordSchema`).
    public func add(owner: String? = nil, fields: [String: FieldValue], actor: String) throws -> String {
        let id = Validation.newRecordID()
        try store.write(type: .actionPlan, recordID: id, owner: owner ?? store.node, fields: fields, actor: actor)
        return id
    }

    /// Writes FIELD=VALUE assignments to one plan (values parsed by the plan schema).
    @discardableResult
    public func set(_ id: String, assignments: [(String, String)], actor: String) throws -> Change {
        let plan = try store.records.resolve(id, as: .actionPlan)
        var fields: [String: FieldValue] = [:]
        for (name, text) in assignments {
            fields[name] = try RecordType.actionPlan.schema.parse(field: name, text: text)
        }
        if fields.isEmpty { throw ZISyncError("nothing to set: give FIELD=VALUE") }
        return try store.write(type: .actionPlan, recordID: plan.id, owner: plan.owner, fields: fields, actor: actor)
    }

    /// Writes to one plan only the fields whose values differ from what it holds (an unchanged field
    /// must not meet another office's edit as a conflict); nil when nothing differs.
    @discardableResult
    public func update(_ id: String, fields: [String: FieldValue], actor: String) throws -> Change? {
        let plan = try store.records.resolve(id, as: .actionPlan)
        let changed = fields.filter { plan[$0.key] != $0.value }
        guard !changed.isEmpty else { return nil }
        return try store.write(type: .actionPlan, recordID: plan.id, owner: plan.owner, fields: changed, actor: actor)
    }

    /// Marks a plan deleted. The record and its history stay; the tombstone syncs like any write.
    public func delete(_ id: String, actor: String) throws {
        let plan = try store.records.resolve(id, as: .actionPlan)
        try store.write(
            type: .actionPlan, recordID: plan.id, owner: plan.owner, fields: [RecordSchema.deletedField: .bool(true)],
            actor: actor)
    }

    /// Plans owned in `subtree` (default: this node's), optionally of one area, by owner, area
    /// and last change.
    public func list(subtree: String? = nil, area: Area? = nil) throws -> [StoredRecord] {
        var out: [StoredRecord] = []
        try each(subtree: subtree, area: area) { out.append($0) }
        return out
    }

    /// The same plans one by one, read as a stream (a list of any length in bounded memory).
    public func each(subtree: String? = nil, area: Area? = nil, _ body: (StoredRecord) throws -> Void) throws {
        try each(owners: store.registry.subtree(of: subtree ?? store.node), area: area, body)
    }

    /// The same plans as `each`, as stored (`PlainRecord`): what `plan list --json` writes.
    public func eachPlain(subtree: String? = nil, area: Area? = nil, _ body: (PlainRecord) throws -> Void) throws {
        let owners = Array(store.registry.subtree(of: subtree ?? store.node))
        try store.records.eachPlain({ try RecordRow.plainPlans($0, owners: owners, area: area?.rawValue) }, body)
    }

    /// Plans owned by exactly these offices (one office's own, without its subtree).
    public func list(owners: Set<String>, area: Area? = nil) throws -> [StoredRecord] {
        var out: [StoredRecord] = []
        try each(owners: owners, area: area) { out.append($0) }
        return out
    }

    func each(owners set: Set<String>, area: Area?, _ body: (StoredRecord) throws -> Void) throws {
        let owners = Array(set)
        try store.records.each({ try RecordRow.plans($0, owners: owners, area: area?.rawValue) }, body)
    }
}
