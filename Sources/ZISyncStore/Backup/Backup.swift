import Foundation
import GRDB
import ZISyncCore

/// A consistent copy of a node while its daemon runs (docs/operations.md, "Backups"): the
/// database through SQLite's online backup (one snapshot, however long it takes), then the
/// evidence files, which are content-addressed and never change once stored, then the node's
/// config and certificates as they are. A directory, so that restoring it is a copy.
public struct Backup: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    public struct Summary: Sendable, Codable {
        public let satker: String
        public let database: String
        public let created: Int64
        public let changes: Int
        public let files: Int
        public let fileBytes: Int64
    }

    /// Writes the backup into `dir`, which must not exist or be empty. `progress(done, total)`
    /// counts files.
    @discardableResult
    public func write(to dir: URL, progress: ((Int, Int) -> Void)? = nil) throws -> Summary {
        let fm = FileManager.default
        if fm.fileExists(atPath: dir.path), !((try? fm.contentsOfDirectory(atPath: dir.path))?.isEmpty ?? true) {
            throw ZISyncError("\(dir.path) is not empty: a backup goes into a new directory")
        }
        try fm.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let target = try DatabaseQueue(path: dir.appendingPathComponent("zisync.db").path)
        try store.db.backup(to: target)
        // The files the snapshot knows of; any stored since are a later backup's.
        let (files, database, changes) = try target.read { db in
            (
                try LocalFileRow.all(db).map { (sha256: $0.sha256, size: $0.size) },
                try NodeMetaRow.databaseIdentity(db) ?? "",
                try ChangeRow.count(db)
            )
        }
        try target.close()
        chmod(dir.appendingPathComponent("zisync.db").path, 0o600)
        var bytes: Int64 = 0
        for (i, file) in files.enumerated() {
            let from = store.files.url(for: file.sha256)
            let to = dir.appendingPathComponent("files").appendingPathComponent(
                from.path.dropFirst(store.files.root.path.count + 1).description)
            try fm.createDirectory(
                at: to.deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            do {
                try fm.copyItem(at: from, to: to)
            } catch {
                throw ZISyncError("cannot copy bukti dukung \(file.sha256) into the backup: \(error)")
            }
            chmod(to.path, 0o600)
            bytes += file.size
            progress?(i + 1, files.count)
        }
        for name in ["zisync.toml", "tls"] {
            let from = store.home.url.appendingPathComponent(name)
            if fm.fileExists(atPath: from.path) {
                try fm.copyItem(at: from, to: dir.appendingPathComponent(name))
            }
        }
        let summary = Summary(
            satker: store.node, database: database, created: store.physicalNow(), changes: changes,
            files: files.count, fileBytes: bytes)
        let manifest = try JSONEncoder().encode(summary)
        try manifest.write(to: dir.appendingPathComponent("backup.json"))
        return summary
    }

    /// Puts a backup in place as the node home `home`, which must not exist yet: copied beside it
    /// first and renamed into place, so a copy cut short (a kill, a full disk) leaves no half home
    /// and running the command again completes it. The restored database gets a new identity, so
    /// its children restart their cursors and confirm what it holds (docs/decisions.md).
    @discardableResult
    public static func restore(from dir: URL, to home: Home) throws -> Summary {
        let fm = FileManager.default
        let manifest = dir.appendingPathComponent("backup.json")
        guard let data = fm.contents(atPath: manifest.path),
            let summary = try? JSONDecoder().decode(Summary.self, from: data)
        else { throw ZISyncError("\(dir.path) is not a zisync backup (no readable backup.json)") }
        if fm.fileExists(atPath: home.url.path),
            !((try? fm.contentsOfDirectory(atPath: home.url.path))?.isEmpty ?? true)
        {
            throw ZISyncError("\(home.url.path) already exists and is not empty: restore into a new home")
        }
        let parent = home.url.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        // Leftovers of an earlier attempt that was cut short.
        for name in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? []
        where name.hasPrefix(".\(home.url.lastPathComponent).restoring-") {
            try? fm.removeItem(at: parent.appendingPathComponent(name))
        }
        let staging = parent.appendingPathComponent(".\(home.url.lastPathComponent).restoring-\(UUID().uuidString)")
        try fm.copyItem(at: dir, to: staging)
        try? fm.removeItem(at: staging.appendingPathComponent("backup.json"))
        let queue = try DatabaseQueue(path: staging.appendingPathComponent("zisync.db").path)
        try queue.write { db in
            try NodeMetaRow.renewDatabaseIdentity(db)
        }
        try queue.close()
        try? fm.removeItem(at: home.url)  // an empty directory
        guard rename(staging.path, home.url.path) == 0 else {
            throw ZISyncError("cannot move the restored home into \(home.url.path): errno \(errno)")
        }
        chmod(home.url.path, 0o700)
        return summary
    }
}
