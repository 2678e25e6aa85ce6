import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

extension SyncLedger {
    // MARK: - Evidence files

    /// Files of this node's subtree that are here and that the parent has not confirmed: what a
    /// round uploads, what a bundle carries, what `status` and the child's report count.
    public func filesToUpload() throws -> [(sha256: String, size: Int64)] {
        let queued = try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT q.sha256, f.size FROM upload_queue q JOIN local_file f ON f.sha256 = q.sha256
                    ORDER BY q.sha256
                    """
            ).map { (sha256: $0["sha256"] as String, size: $0["size"] as Int64) }
        }
        let subtree = store.subtree
        var out: [(sha256: String, size: Int64)] = []
        var stale: [String] = []
        for file in queued {
            if !store.files.contains(file.sha256) {
                try db.write { db in try FileQueues.vanished(db, sha256: file.sha256) }
            } else if try evidenceOwners(sha256: file.sha256).contains(where: subtree.contains) {
                out.append(file)
            } else {
                stale.append(file.sha256)
            }
        }
        if !stale.isEmpty {
            try db.write { db in
                for sha in stale { try db.execute(sql: "DELETE FROM upload_queue WHERE sha256 = ?", arguments: [sha]) }
            }
        }
        return out
    }

    /// Every file of this node's subtree that is here, confirmed by the parent or not.
    public func filesOfSubtree() throws -> [(sha256: String, size: Int64)] {
        let owners = Array(store.subtree)
        return try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT f.sha256 AS sha256, f.size AS size
                    FROM record_state e JOIN local_file f ON f.sha256 = e.sha256
                    WHERE e.record_type = 'evidence' AND e.owner IN (\(databaseQuestionMarks(count: owners.count))) ORDER BY f.sha256
                    """, arguments: StatementArguments(owners)
            ).map { (sha256: $0["sha256"] as String, size: $0["size"] as Int64) }
        }
    }

    /// The parent holds the whole file.
    public func markUploaded(_ sha256: String) throws {
        try db.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO uploaded_file(sha256) VALUES (?)", arguments: [sha256])
            try db.execute(sql: "DELETE FROM upload_queue WHERE sha256 = ?", arguments: [sha256])
        }
    }

    /// Files that evidence records here name but that are not here: what a round downloads and a
    /// bundle import takes. A file found on disk after all is recorded and left out.
    public func missingFiles() throws -> [(sha256: String, size: Int64)] {
        let queued = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT sha256, size FROM download_queue ORDER BY sha256").map {
                (sha256: $0["sha256"] as String, size: $0["size"] as Int64)
            }
        }
        var out: [(sha256: String, size: Int64)] = []
        var stale: [String] = []
        for file in queued {
            if store.files.contains(file.sha256) {
                try noteStored(file.sha256, size: store.files.size(of: file.sha256) ?? file.size)
            } else if try evidenceOwners(sha256: file.sha256).isEmpty {
                stale.append(file.sha256)
            } else {
                out.append(file)
            }
        }
        if !stale.isEmpty {
            try db.write { db in
                for sha in stale {
                    try db.execute(sql: "DELETE FROM download_queue WHERE sha256 = ?", arguments: [sha])
                }
            }
        }
        return out
    }

    /// Checks the next `limit` files the database holds for present against the disk (a rolling
    /// check: every round and `status` look at the next slice, so a file lost behind zisync's back
    /// is wanted again within a few rounds, at a bounded cost each time). Answers how many were gone.
    @discardableResult
    public func checkStoredFiles(limit: Int = 2000) throws -> Int {
        let cursor = try db.read { db in
            try Int64.fetchOne(db, sql: "SELECT file_check_cursor FROM sync_state WHERE id = 1") ?? 0
        }
        let slice = try db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT rowid AS n, sha256 FROM local_file WHERE rowid > ? ORDER BY rowid LIMIT ?",
                arguments: [cursor, limit]
            ).map { ($0["n"] as Int64, $0["sha256"] as String) }
        }
        let gone = slice.filter { !store.files.contains($0.1) }.map(\.1)
        let next = slice.count < limit ? 0 : slice.last?.0 ?? 0
        try db.write { db in
            for sha in gone { try FileQueues.vanished(db, sha256: sha) }
            try db.execute(sql: "UPDATE sync_state SET file_check_cursor = ? WHERE id = 1", arguments: [next])
        }
        return gone.count
    }

    /// How many files records here name that are not here (without checking the disk again).
    public func missingFileCount() throws -> Int {
        try db.read {
            try Int.fetchOne(
                $0,
                sql: """
                    SELECT COUNT(*) FROM download_queue q
                    WHERE EXISTS (SELECT 1 FROM record_state e WHERE e.sha256 = q.sha256)
                    """) ?? 0
        }
    }

    /// Records a file that is in the file store.
    public func noteStored(_ sha256: String, size: Int64) throws {
        let subtree = store.subtree
        let hasParent = store.parent != nil
        try db.write { db in
            try FileQueues.stored(db, sha256: sha256, size: size, subtree: subtree, hasParent: hasParent)
        }
    }

    /// The owners of evidence records (deleted ones included) that name a file: who may send or
    /// fetch it.
    public func evidenceOwners(sha256: String) throws -> Set<String> {
        try db.read { db in
            Set(try String.fetchAll(db, sql: "SELECT owner FROM record_state WHERE sha256 = ?", arguments: [sha256]))
        }
    }

    /// What a child may do with a file here (docs/security.md, "Files"): upload it when an
    /// evidence record of its subtree names it with that size; fetch it when a record in its
    /// scope names it and an office outside its subtree wrote that, or when it uploaded the file
    /// itself. A hash a child wrote into a record of its own is no key to anyone else's file.
    public func evidenceSizes(sha256: String, subtree child: String) throws -> Set<Int64> {
        let subtree = store.registry.subtree(of: child)
        return try db.read { db in
            var sizes: Set<Int64> = []
            for row in try Row.fetchAll(
                db, sql: "SELECT owner, size FROM record_state WHERE sha256 = ?", arguments: [sha256])
            where subtree.contains(row["owner"]) {
                if let size: Int64 = row["size"] { sizes.insert(size) }
            }
            return sizes
        }
    }

    public func mayDownload(sha256: String, child: String) throws -> Bool {
        let subtree = store.registry.subtree(of: child)
        let (ids, uploaded) = try db.read { db in
            (
                try Row.fetchAll(
                    db, sql: "SELECT record_id, owner FROM record_state WHERE sha256 = ?", arguments: [sha256]
                ).filter { subtree.contains($0["owner"]) }.map { $0["record_id"] as String },
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM file_uploader WHERE sha256 = ? AND satker = ?",
                    arguments: [sha256, child]) ?? false
            )
        }
        if uploaded { return true }
        for id in ids {
            if let origin = try store.records.get(id)?.fields["sha256"]?.origin, !subtree.contains(origin) {
                return true
            }
        }
        return false
    }

    /// `child` sent the last bytes of `sha256` (it held the whole file).
    public func fileUploaded(_ sha256: String, by child: String) throws {
        try db.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO file_uploader(sha256, satker) VALUES (?, ?)", arguments: [sha256, child])
        }
    }

    /// The file name a bukti dukung record gives a stored file, for messages.
    public func evidenceFileName(sha256: String) throws -> String? {
        guard
            let id = try db.read({ db in
                try String.fetchOne(
                    db, sql: "SELECT record_id FROM record_state WHERE sha256 = ? LIMIT 1", arguments: [sha256])
            })
        else { return nil }
        return try store.records.get(id)?.string("file_name")
    }
}
