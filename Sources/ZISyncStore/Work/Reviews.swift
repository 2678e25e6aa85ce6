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

    /// Plans and bukti dukung owned by `owners` that no review names yet, least recently changed
    /// first: at most `limit` of them, and whether there are more. One query, through the index
    /// on the reviews' subject (a queue at KPU RI spans the whole country).
    public func unreviewed(owners: Set<String>, limit: Int) throws -> (records: [StoredRecord], more: Bool) {
        let everyone = owners.count >= store.registry.all.count
        let list = everyone ? nil : Array(owners)
        var out: [StoredRecord] = []
        try store.records.each({ try RecordRow.unreviewed($0, owners: list, limit: limit) }) { out.append($0) }
        return (Array(out.prefix(limit)), out.count > limit)
    }

    /// The latest review of a subject, by the clock of its verdict (the lowest id on a tie).
    public func latest(of subjectID: String) throws -> StoredRecord? {
        let id = try store.db.read { db in try RecordRow.latestReview(db, of: subjectID) }
        return try id.flatMap { try store.records.get($0) }
    }
}
