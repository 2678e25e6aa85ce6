import Foundation
import GRDB
import ZISyncCore

/// Writes a materialized record: its state, and the per-type columns that queries filter and
/// group by (`updated`; a plan's area, status and deadline; evidence's plan, file and size; a
/// review's subject and verdict), in one statement, so the columns can never disagree with the
/// state. The owner's kept digest changes with it (`digests`, written at the batch's end).
/// An evidence record also tells the file queues that it names its file. (The statements
/// are `record_state`'s, Tables/RecordStateRow+Indexes.swift.)
enum RecordIndexes {
    static let names = RecordRow.indexColumns

    /// Writes `rec`; `stored` is the record as the database holds it now (nil: a new record).
    /// An existing record's row is updated in place and only in the columns whose value changed,
    /// so an edit that leaves a plan's area, status and deadline alone touches no index.
    /// Evidence carries its plan's area (`-` for a plan without one) while that plan is a live
    /// plan of the same office, NULL otherwise: what the roll-up counts it under. Callers write a
    /// batch's plans before its evidence.
    /// Returns true when the record is a plan whose evidence must take its area again
    /// (`evidenceOf`, once for a batch's plans).
    @discardableResult
    static func store(
        _ db: Database, _ rec: StoredRecord, stored: StoredRecord?, subtree: Set<String>, hasParent: Bool,
        digests: inout OwnerDigestDeltas
    ) throws -> Bool {
        if let stored { digests.removed(stored) }
        digests.added(rec)
        var c = columns(rec)
        let isEvidence = rec.type == RecordType.evidence.rawValue
        if isEvidence { c[1] = try planArea(db, plan: c[4] as? String, owner: rec.owner) }
        let state = RecordStateCodec.encode(rec.fields)
        if let stored {
            var before = columns(stored)
            if isEvidence { before[1] = try RecordRow.area(db, rec.id) }
            var sets: [(column: String, value: (any DatabaseValueConvertible)?)] = [("state", state)]
            if rec.isDeleted != stored.isDeleted { sets.append(("deleted", rec.isDeleted)) }
            for (i, name) in names.enumerated() where c[i]?.databaseValue != before[i]?.databaseValue {
                sets.append((name, c[i]))
            }
            try RecordRow.update(db, id: rec.id, sets)
            if c[5]?.databaseValue != before[5]?.databaseValue {
                try named(db, rec, c, subtree: subtree, hasParent: hasParent)
            }
            return rec.type == RecordType.actionPlan.rawValue
                && (rec.isDeleted != stored.isDeleted || c[1]?.databaseValue != before[1]?.databaseValue)
        } else {
            // Only the type's own columns: fewer values to bind.
            try RecordRow.insert(
                db, id: rec.id, type: rec.type, owner: rec.owner, deleted: rec.isDeleted, state: state, indexed: c)
            try named(db, rec, c, subtree: subtree, hasParent: hasParent)
            // Evidence may have arrived before its plan (another office's change, relayed first).
            return rec.type == RecordType.actionPlan.rawValue
        }
    }

    /// The area evidence of `owner` linked to `plan` counts under: the plan's (`-` without one),
    /// while it is a live plan of the same office.
    static func planArea(_ db: Database, plan: String?, owner: String) throws -> String? {
        guard let plan, let row = try RecordRow.plan(db, plan), row.owner == owner, row.deleted == false
        else { return nil }
        return row.area ?? "-"
    }

    /// Gives the evidence of these plans their plan's area again (after a plan arrived, changed
    /// area, or was deleted or restored): one statement for a batch, probing the plan index.
    static func evidenceOf(_ db: Database, plans: [String]) throws {
        for start in stride(from: 0, to: plans.count, by: 5000) {
            try RecordRow.takePlanAreas(db, evidenceOf: Array(plans[start..<min(start + 5000, plans.count)]))
        }
    }

    /// An evidence record tells the file queues that it names its file.
    static func named(
        _ db: Database, _ rec: StoredRecord, _ c: [(any DatabaseValueConvertible)?], subtree: Set<String>,
        hasParent: Bool
    ) throws {
        guard rec.type == RecordType.evidence.rawValue, let sha = c[5] as? String else { return }
        try FileQueues.named(
            db, sha256: sha, size: max(0, rec["size"].intValue ?? 0), ownedInSubtree: subtree.contains(rec.owner),
            hasParent: hasParent)
    }

    /// updated, area, status, deadline, plan, sha256, size, subject, verdict, verdict_hlc, lke.
    static func columns(_ rec: StoredRecord) -> [(any DatabaseValueConvertible)?] {
        var c: [(any DatabaseValueConvertible)?] = [rec.updated.rawValue] + Array(repeating: nil, count: 10)
        switch rec.type {
        case RecordType.actionPlan.rawValue:
            (c[1], c[2], c[3]) = (rec.string("area"), rec.string("status"), rec.string("deadline"))
        case RecordType.evidence.rawValue:
            c[4] = rec.string("plan")
            c[5] = rec.string("sha256").flatMap { Validation.isSHA256Hex($0) ? $0 : nil }
            c[6] = rec["size"].intValue
            c[10] = rec.string("lke").flatMap { $0.trimmedOfWhitespace.isEmpty ? nil : $0 }
        case RecordType.review.rawValue:
            (c[7], c[8], c[9]) = (
                rec.string("subject"), rec.string("verdict"), rec.fields["verdict"]?.hlc.rawValue ?? 0
            )
        default:
            break
        }
        return c
    }

    /// Fills `lke` of the evidence stored before v15 added it, as a stream.
    static func fillLKE(_ db: Database) throws {
        let rows = try RecordRow.fetchCursor(
            db, sql: "SELECT \(RecordRow.columns) FROM record_state WHERE record_type = 'evidence'")
        var found: [(String, String)] = []
        while let row = try rows.next() {
            if let lke = columns(try row.record())[10] as? String { found.append((row.recordID, lke)) }
        }
        for (id, lke) in found { try RecordRow.update(db, id: id, [("lke", lke)]) }
    }

    /// Fills the columns and the file tables of an existing node (the migration that adds them).
    static func rebuild(_ db: Database, filesRoot: URL) throws {
        guard let node = try NodeMetaRow.satker(db) else {
            return  // a new database: nothing stored yet
        }
        let registry = try ReferenceIndex.registry(db)
        let subtree = registry.subtree(of: node)
        let hasParent = registry[node]?.parent != nil
        for (sha, size) in FileStore.listStored(root: filesRoot) {
            try LocalFileRow.set(db, sha256: sha, size: size)
        }
        for row in try RecordRow.allEvidenceLast(db) {
            let rec = try row.record()
            var c = columns(rec)
            if rec.type == RecordType.evidence.rawValue {
                c[1] = try planArea(db, plan: c[4] as? String, owner: rec.owner)
            }
            // The columns v6 made; those added later are filled by their own migrations.
            try RecordRow.setIndexed(db, id: rec.id, Array(c.prefix(10)))
            try named(db, rec, c, subtree: subtree, hasParent: hasParent)
        }
    }
}

/// The evidence files of a node as the database knows them: `local_file` (in the file store),
/// `download_queue` (named by a record here, not here yet) and `upload_queue` (of this node's
/// subtree, not confirmed by the parent). Entries are checked again when taken from a queue, so
/// a record that stopped naming a file, or a file that went missing, only costs that check.
enum FileQueues {
    /// An evidence record here names `sha256`.
    static func named(_ db: Database, sha256: String, size: Int64, ownedInSubtree: Bool, hasParent: Bool) throws {
        if try LocalFileRow.contains(db, sha256: sha256) {
            guard hasParent, ownedInSubtree else { return }
            try UploadQueueRow.enqueue(db, sha256: sha256)
        } else {
            try DownloadQueueRow.enqueue(db, sha256: sha256, size: size)
        }
    }

    /// A file the database held for present is not in the file store (a disk replaced, a folder
    /// deleted): it is wanted again if a record names it.
    static func vanished(_ db: Database, sha256: String) throws {
        try LocalFileRow.delete(db, sha256: sha256)
        try UploadQueueRow.delete(db, sha256: sha256)
        try DownloadQueueRow.enqueueIfNamed(db, sha256: sha256)
    }

    /// A file entered the file store.
    static func stored(_ db: Database, sha256: String, size: Int64, subtree: Set<String>, hasParent: Bool) throws {
        try LocalFileRow.set(db, sha256: sha256, size: size)
        try DownloadQueueRow.delete(db, sha256: sha256)
        guard hasParent else { return }
        if try RecordRow.owners(db, naming: sha256).contains(where: subtree.contains) {
            try UploadQueueRow.enqueue(db, sha256: sha256)
        }
    }
}
