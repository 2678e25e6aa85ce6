/// Monev (monitoring dan evaluasi) reports per satker and period.
extension Store {
    public func addMonev(fields: [String: FieldValue], actor: String) throws -> String {
        guard fields["period"]?.stringValue?.isEmpty == false else {
            throw ZISyncError("a monev report needs a period, e.g. 2026-TW1")
        }
        let id = Validation.newRecordID()
        try write(type: .monev, recordID: id, owner: node, fields: fields, actor: actor)
        return id
    }

    public func monevReports(subtree: String? = nil) throws -> [StoredRecord] {
        try records(.monev, subtree: subtree ?? node).sorted {
            ($0.owner, $0["period"].description) < ($1.owner, $1["period"].description)
        }
    }
}
