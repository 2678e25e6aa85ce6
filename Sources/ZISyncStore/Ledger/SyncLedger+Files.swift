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
            try UploadQueueRow.withSizes(db).map { (sha256: $0.sha256, size: $0.size) }
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
                for sha in stale { try UploadQueueRow.delete(db, sha256: sha) }
            }
        }
        return out
    }

    /// Every file of this node's subtree that is here, confirmed by the parent or not.
    public func filesOfSubtree() throws -> [(sha256: String, size: Int64)] {
        let owners = Array(store.subtree)
        return try db.read { db in
            try LocalFileRow.named(db, byEvidenceOf: owners).map { (sha256: $0.sha256, size: $0.size) }
        }
    }

    /// The parent holds the whole file.
    public func markUploaded(_ sha256: String) throws {
        try db.write { db in
            try UploadedFileRow.insert(db, sha256: sha256)
            try UploadQueueRow.delete(db, sha256: sha256)
        }
    }

    /// Files that evidence records here name but that are not here: what a round downloads and a
    /// bundle import takes. A file found on disk after all is recorded and left out.
    public func missingFiles() throws -> [(sha256: String, size: Int64)] {
        let queued = try db.read { db in
            try DownloadQueueRow.all(db).map { (sha256: $0.sha256, size: $0.size) }
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
                for sha in stale { try DownloadQueueRow.delete(db, sha256: sha) }
            }
        }
        return out
    }

    /// Checks the next `limit` files the database holds for present against the disk (a rolling
    /// check: every round and `status` look at the next slice, so a file lost behind zisync's back
    /// is wanted again within a few rounds, at a bounded cost each time). Answers how many were gone.
    @discardableResult
    public func checkStoredFiles(limit: Int = 2000) throws -> Int {
        let cursor = try db.read { db in try SyncState.fileCheckCursor(db) ?? 0 }
        let slice = try db.read { db in try LocalFileRow.slice(db, after: cursor, limit: limit) }
        let gone = slice.filter { !store.files.contains($0.1) }.map(\.1)
        let next = slice.count < limit ? 0 : slice.last?.0 ?? 0
        try db.write { db in
            for sha in gone { try FileQueues.vanished(db, sha256: sha) }
            try SyncState.setFileCheckCursor(db, next)
        }
        return gone.count
    }

    /// How many files records here name that are not here (without checking the disk again).
    public func missingFileCount() throws -> Int {
        try db.read { try DownloadQueueRow.namedCount($0) }
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
            Set(try RecordRow.owners(db, naming: sha256))
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
            for row in try RecordRow.ownersAndSizes(db, naming: sha256) where subtree.contains(row.owner) {
                if let size = row.size { sizes.insert(size) }
            }
            return sizes
        }
    }

    public func mayDownload(sha256: String, child: String) throws -> Bool {
        let subtree = store.registry.subtree(of: child)
        let (ids, uploaded) = try db.read { db in
            (
                try RecordRow.idsAndOwners(db, naming: sha256).filter { subtree.contains($0.owner) }.map(\.id),
                try FileUploaderRow.contains(db, sha256: sha256, satker: child)
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
            try FileUploaderRow.insert(db, sha256: sha256, satker: child)
        }
    }

    /// The file name a bukti dukung record gives a stored file, for messages.
    public func evidenceFileName(sha256: String) throws -> String? {
        guard
            let id = try db.read({ db in try RecordRow.firstNaming(db, sha256) })
        else { return nil }
        return try store.records.get(id)?.string("file_name")
    }
}
