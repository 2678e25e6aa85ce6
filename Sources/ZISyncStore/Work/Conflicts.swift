import ZISyncCore

/// Fields written concurrently in two places: the open ones, and resolving one by writing again
/// the value a person chose (for the CLI's `conflicts resolve` and the web's Konflik page alike).
public struct Conflicts: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    /// The open conflicts, each field's competing values with the winner first.
    public func open() throws -> [ConflictEntry] { try store.audit.conflicts() }

    /// The open conflict on `field` of the record whose id is or starts with `recordID`.
    public func find(_ recordID: String, field: String) throws -> ConflictEntry? {
        let open = try open().filter { $0.field == field }
        if let exact = open.first(where: { $0.recordID == recordID }) { return exact }
        let prefixed = recordID.count >= 8 ? open.filter { $0.recordID.hasPrefix(recordID) } : []
        return prefixed.count == 1 ? prefixed[0] : nil
    }

    /// Resolves `conflict` by writing again its value numbered `choice` (0 the winner, as `open`
    /// lists them) as `actor`: the write is newer than every competing one, so every office ends
    /// with that value and the conflict closed. The write goes through the store's rules.
    @discardableResult
    public func resolve(_ conflict: ConflictEntry, choice: Int, actor: String) throws -> Change {
        guard conflict.values.indices.contains(choice) else {
            throw ZISyncError(
                "the conflict on \(conflict.field) of \(conflict.recordID) has \(conflict.values.count) values, numbered 0 to \(conflict.values.count - 1); \(choice) is not one of them"
            )
        }
        guard let type = RecordType(rawValue: conflict.type) else {
            throw ZISyncError("record \(conflict.recordID) has an unknown type '\(conflict.type)'")
        }
        return try store.write(
            type: type, recordID: conflict.recordID, owner: conflict.owner,
            fields: [conflict.field: conflict.values[choice].value], actor: actor)
    }
}
