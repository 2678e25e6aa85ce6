import Foundation
import GRDB
import ZISyncCore

/// Reviews (penilaian) of a plan or evidence by an office above its owner.
public struct Reviews: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    public func review(
        _ subjectID: String, type: RecordType, verdict: String, note: String?, actor: String, at date: Date = Date()
    ) throws -> String {
        let subject = try store.records.resolve(subjectID, as: type)
        guard store.registry.isStrictAncestor(store.node, of: subject.owner) else {
            throw ZISyncError(
                "only an office above \(subject.owner) may review its \(type.rawValue); this node is \(store.node)")
        }
        let schema = RecordType.review.schema
        let id = Validation.newRecordID()
        try store.write(
            type: .review, recordID: id, owner: subject.owner,
            fields: [
                "subject_type": .string(type.rawValue), "subject": .string(subject.id),
                "verdict": try schema.parse(field: "verdict", text: verdict),
                "note": note.map(FieldValue.string) ?? .null, "reviewer": .string(actor),
                "reviewer_satker": .string(store.node),
                "reviewed_at": .string(date.formatted(.iso8601)),
            ], actor: actor)
        return id
    }

    /// The latest review of a subject, by the clock of its verdict (the lowest id on a tie).
    public func latest(of subjectID: String) throws -> StoredRecord? {
        let id = try store.db.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT record_id FROM record_state WHERE subject = ? AND deleted = 0
                    ORDER BY verdict_hlc DESC, record_id LIMIT 1
                    """, arguments: [subjectID])
        }
        return try id.flatMap { try store.records.get($0) }
    }
}
