import Crypto
import Foundation
import ZISyncCore

/// Evidence content, stored once by SHA-256 under `files/ab/abcdef…`. Content is written
/// to a temporary file, fsynced and renamed, so a crash never leaves a partial file
/// under a hash name.
public struct FileStore: Sendable {
    public let root: URL
    /// Told of every file that enters the store (its SHA-256 and size), so the node's database
    /// knows which files it holds without listing the disk.
    let onStored: @Sendable (String, Int64) -> Void
    /// Which request writes each upload in progress (the newest), for every copy of this store.
    public let writers = UploadWriters()

    public init(root: URL, onStored: @escaping @Sendable (String, Int64) -> Void = { _, _ in }) throws {
        self.root = root
        self.onStored = onStored
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("tmp", isDirectory: true), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        chmod(root.path, 0o700)
    }

    /// Every complete file under `root` (`ab/abcdef…`), with its size.
    static func listStored(root: URL) -> [(String, Int64)] {
        let fm = FileManager.default
        var out: [(String, Int64)] = []
        for prefix in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where prefix.utf8.count == 2 {
            let dir = root.appendingPathComponent(prefix, isDirectory: true)
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? []
            where Validation.isSHA256Hex(name) && name.hasPrefix(prefix) {
                let size =
                    (try? fm.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.size] as? NSNumber)?
                    .int64Value
                out.append((name, size ?? 0))
            }
        }
        return out
    }

    public func url(for sha256: String) -> URL {
        root.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true).appendingPathComponent(sha256)
    }

    /// Whether the file is here: one `access(2)` on a path built as text (rounds and `status` ask
    /// this of many files).
    public func contains(_ sha256: String) -> Bool {
        guard Validation.isSHA256Hex(sha256) else { return false }
        return access("\(rootPath)/\(sha256.prefix(2))/\(sha256)", F_OK) == 0
    }

    var rootPath: String { root.path }

    public struct Stored: Sendable, Equatable {
        public let sha256: String
        public let size: Int64
    }

    /// Copies the file at `source` into the store.
    public func put(contentsOf source: URL) throws -> Stored {
        guard let input = FileHandle(forReadingAtPath: source.path) else {
            throw ZISyncError("cannot read \(source.path)")
        }
        defer { try? input.close() }
        return try put(chunks: { try input.read(upToCount: 1 << 20) })
    }

    /// Stores the bytes `next` yields until it returns nil; the content must hash to
    /// `expected` when given, or nothing is stored.
    public func put(expected: String? = nil, chunks next: () throws -> Data?) throws -> Stored {
        let tmp = root.appendingPathComponent("tmp", isDirectory: true).appendingPathComponent(UUID().uuidString)
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let out = FileHandle(forWritingAtPath: tmp.path)
        else {
            throw ZISyncError("cannot write to \(tmp.path)")
        }
        var hasher = SHA256()
        var size: Int64 = 0
        do {
            while let chunk = try next(), !chunk.isEmpty {
                hasher.update(data: chunk)
                try out.write(contentsOf: chunk)
                size += Int64(chunk.count)
            }
            try out.synchronize()
            try out.close()
        } catch {
            try? out.close()
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        let sha = Hashing.hex(hasher.finalize())
        if let expected, sha != expected {
            try? FileManager.default.removeItem(at: tmp)
            throw ZISyncError("file content hashes to \(sha), not \(expected)")
        }
        let target = url(for: sha)
        if FileManager.default.fileExists(atPath: target.path) {
            try FileManager.default.removeItem(at: tmp)
        } else {
            let directory = target.deletingLastPathComponent()
            let isNew = !FileManager.default.fileExists(atPath: directory.path)
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if rename(tmp.path, target.path) != 0 {
                throw ZISyncError("cannot move file into the store at \(target.path): errno \(errno)")
            }
            FileStore.syncDirectory(directory)
            // A new directory's own entry must reach the disk too, or a power cut can lose it.
            if isNew { FileStore.syncDirectory(root) }
        }
        onStored(sha, size)
        return Stored(sha256: sha, size: size)
    }

    static func syncDirectory(_ dir: URL) {
        let fd = Foundation.open(dir.path, O_RDONLY)
        if fd >= 0 {
            _ = fsync(fd)
            _ = close(fd)
        }
    }

    /// Copies stored content to `destination`, checking the hash on the way.
    public func copy(_ sha256: String, to destination: URL) throws {
        guard contains(sha256) else { throw ZISyncError("file \(sha256) is not in the store (not synced yet?)") }
        guard let input = FileHandle(forReadingAtPath: url(for: sha256).path) else {
            throw ZISyncError("cannot read stored file \(sha256)")
        }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination.path, contents: nil),
            let out = FileHandle(forWritingAtPath: destination.path)
        else {
            throw ZISyncError("cannot write \(destination.path)")
        }
        defer { try? out.close() }
        try out.truncate(atOffset: 0)
        var hasher = SHA256()
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            try out.write(contentsOf: chunk)
        }
        try out.synchronize()
        let got = Hashing.hex(hasher.finalize())
        if got != sha256 { throw ZISyncError("stored file \(sha256) is corrupt (hashes to \(got))") }
    }

    public func size(of sha256: String) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: url(for: sha256).path)[.size] as? NSNumber)?.int64Value
    }
}
