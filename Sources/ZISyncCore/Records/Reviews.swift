import Foundation

/// Reviews (penilaian) of a plan or evidence by an office above its owner.
extension Store {
    public func review(
        _ subjectID: String, type: RecordType, verdict: String, note: String?, actor: String, at date: Date = Date()
    ) throws -> String {
        let subject = try resolve(subjectID, as: type)
        guard registry.isStrictAncestor(node, of: subject.owner) else {
            throw ZISyncError(
                "only an office above \(subject.owner) may review its \(type.rawValue); this node is \(node)")
        }
        let schema = RecordType.review.schema
        let id = Validation.newRecordID()
        try write(
            type: .review, recordID: id, owner: subject.owner,
            fields: [
                "subject_type": .string(type.rawValue), "subject": .string(subject.id),
                "verdict": try schema.parse(field: "verdict", text: verdict),
                "note": note.map(FieldValue.string) ?? .null, "reviewer": .string(actor),
                "reviewer_satker": .string(node),
                "reviewed_at": .string(ISO8601DateFormatter().string(from: date)),
            ], actor: actor)
        return id
    }

    /// The latest verdict on each reviewed subject, by the clock of its verdict.
    public func latestVerdicts() throws -> [String: StoredRecord] {
        var latest: [String: StoredRecord] = [:]
        for r in try records(.review) {
            guard let subject = r.string("subject") else { continue }
            if let seen = latest[subject], (seen.fields["verdict"]?.hlc ?? .zero) >= (r.fields["verdict"]?.hlc ?? .zero)
            {
                continue
            }
            latest[subject] = r
        }
        return latest
    }
}
