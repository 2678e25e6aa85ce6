import ZISyncCore

/// Monev (monitoring dan evaluasi) reports per satker and period.
public struct MonevReports: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    public func add(fields: [String: FieldValue], actor: String) throws -> String {
        guard fields["period"]?.stringValue?.isEmpty == false else {
            throw ZISyncError("a monev report needs a period, e.g. 2026-TW1")
        }
        let id = Validation.newRecordID()
        try store.write(type: .monev, recordID: id, owner: store.node, fields: fields, actor: actor)
        return id
    }

    public func list(subtree: String? = nil) throws -> [StoredRecord] {
        try store.records.list(.monev, owners: store.registry.subtree(of: subtree ?? store.node)).sorted {
            ($0.owner, $0["period"].description) < ($1.owner, $1["period"].description)
        }
    }
}
