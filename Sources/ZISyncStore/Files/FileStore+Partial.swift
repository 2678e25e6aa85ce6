import Crypto
import Foundation
import ZISyncCore

/// Partial files: the one resumable upload, for a child office's tus, a person's browser (an
/// upload id in place of the SHA-256, `uploader` `web-NAME`) and a download from the parent alike.
/// A partial file grows only by appending at its current end and is synced as it grows, so its
/// size is always the offset a resumed transfer continues from. Each uploader's upload is its own
/// partial file, so no office or person can announce a length for, hold the writer of, or spoil
/// another's upload; whichever completes first with the right content stores the file. The
/// policies are one: `UploadLimits` (quota and expiry, `admitUpload`), `UploadWriters` (the
/// newest request writes).
extension FileStore {
    var partialDirectory: URL { root.appendingPathComponent("partial", isDirectory: true) }

    static func partialName(_ sha256: String, _ uploader: String?) -> String {
        uploader.map { "\(sha256)-\($0)" } ?? sha256
    }

    public func partialURL(_ sha256: String, uploader: String? = nil) -> URL {
        partialDirectory.appendingPathComponent("\(Self.partialName(sha256, uploader)).part")
    }
    func lengthURL(_ sha256: String, uploader: String? = nil) -> URL {
        partialDirectory.appendingPathComponent("\(Self.partialName(sha256, uploader)).length")
    }
    func metaURL(_ key: String, uploader: String?) -> URL {
        partialDirectory.appendingPathComponent("\(Self.partialName(key, uploader)).meta")
    }

    /// Starts (or finds) a partial file of `length` bytes that must hash to `sha256` (or, for an
    /// upload id, whose hash its uploader checks at the end).
    public func beginPartial(_ sha256: String, length: Int64, uploader: String? = nil) throws {
        guard Self.isUploadKey(sha256) else { throw ZISyncError("'\(sha256)' is not a SHA-256") }
        guard uploader.map(Self.isUploader) ?? true else { throw ZISyncError("bad uploader '\(uploader!)'") }
        // A child's own upload goes on even when the file is here: whether it is, is not its to know.
        if uploader == nil && contains(sha256) { return }
        if !FileManager.default.fileExists(atPath: partialDirectory.path) {
            try FileManager.default.createDirectory(
                at: partialDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            FileStore.syncDirectory(root)
        }
        if let known = declaredLength(sha256, uploader: uploader) {
            if known != length { throw ZISyncError("file \(sha256) was announced with length \(known), not \(length)") }
            try finishIfComplete(sha256, uploader: uploader)
            if (uploader == nil && contains(sha256)) || declaredLength(sha256, uploader: uploader) != nil { return }
        }
        guard
            FileManager.default.createFile(
                atPath: partialURL(sha256, uploader: uploader).path, contents: nil,
                attributes: [.posixPermissions: 0o600])
        else {
            throw ZISyncError("cannot create a partial file for \(sha256)")
        }
        // The length first reaches the disk, then the name: a crash leaves no length file that lies.
        let lengthFile = lengthURL(sha256, uploader: uploader)
        let temporary = lengthFile.appendingPathExtension("tmp")
        guard
            FileManager.default.createFile(
                atPath: temporary.path, contents: Data(String(length).utf8), attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: temporary.path)
        else { throw ZISyncError("cannot write \(temporary.path)") }
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, lengthFile.path) == 0 else { throw ZISyncError("cannot write \(lengthFile.path)") }
        FileStore.syncDirectory(partialDirectory)
    }

    public func declaredLength(_ sha256: String, uploader: String? = nil) -> Int64? {
        guard let text = try? String(contentsOf: lengthURL(sha256, uploader: uploader), encoding: .utf8) else {
            return nil
        }
        return Int64(text)
    }

    /// Drops a partial file (an expired upload, a spent one).
    public func discardPartial(_ sha256: String, uploader: String? = nil) {
        try? FileManager.default.removeItem(at: partialURL(sha256, uploader: uploader))
        try? FileManager.default.removeItem(at: lengthURL(sha256, uploader: uploader))
        try? FileManager.default.removeItem(at: metaURL(sha256, uploader: uploader))
    }

    /// The SHA-256 of an upload's bytes as held.
    public func hashPartial(_ key: String, uploader: String? = nil) throws -> String {
        let url = partialURL(key, uploader: uploader)
        guard let input = FileHandle(forReadingAtPath: url.path) else { throw ZISyncError("cannot read \(url.path)") }
        defer { try? input.close() }
        var hasher = SHA256()
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return Hashing.hex(hasher.finalize())
    }

    /// (bytes held, length) of a file: complete files report their size twice; unknown: nil.
    public func progress(_ sha256: String, uploader: String? = nil) -> (offset: Int64, length: Int64)? {
        if uploader == nil, contains(sha256), let size = size(of: sha256) { return (size, size) }
        guard let length = declaredLength(sha256, uploader: uploader) else { return nil }
        let held =
            (try? FileManager.default.attributesOfItem(atPath: partialURL(sha256, uploader: uploader).path)[.size]
            as? NSNumber)?
            .int64Value ?? 0
        return (held, length)
    }

    /// Appends `data` at `offset`, which must be the partial file's current size. When the file
    /// is complete, its hash is checked and it moves into the store. Returns the new offset.
    @discardableResult
    public func appendPartial(_ sha256: String, at offset: Int64, _ data: Data) throws -> Int64 {
        guard let (held, length) = progress(sha256) else { throw ZISyncError("no upload of \(sha256) was started") }
        if held == length && contains(sha256) { return length }
        guard offset == held else { throw ZISyncError("offset \(offset) does not match the \(held) bytes held") }
        guard held + Int64(data.count) <= length else {
            throw ZISyncError("\(held + Int64(data.count)) bytes exceed the announced length \(length)")
        }
        let url = partialURL(sha256)
        guard let out = FileHandle(forWritingAtPath: url.path) else { throw ZISyncError("cannot write \(url.path)") }
        defer { try? out.close() }
        try out.seek(toOffset: UInt64(held))
        try out.write(contentsOf: data)
        try out.synchronize()
        let now = held + Int64(data.count)
        if now == length { try completePartial(sha256) }
        return now
    }

    /// A partial file that holds all its bytes but never moved into the store (the process was
    /// killed while checking it) is checked and moved now; a bad one is discarded.
    public func finishIfComplete(_ sha256: String, uploader: String? = nil) throws {
        guard Validation.isSHA256Hex(sha256), uploader != nil || !contains(sha256),
            let (held, length) = progress(sha256, uploader: uploader),
            held == length
        else { return }
        do {
            try completePartial(sha256, uploader: uploader)
        } catch let e as ZISyncError where e.description.contains("discarded") {
            return  // the next transfer starts again from zero
        }
    }

    /// Checks a complete partial file's hash and moves it into the store.
    func completePartial(_ sha256: String, uploader: String? = nil) throws {
        let url = partialURL(sha256, uploader: uploader)
        let got = try hashPartial(sha256, uploader: uploader)
        guard got == sha256 else {
            discardPartial(sha256, uploader: uploader)
            throw ZISyncError("file content hashes to \(got), not \(sha256); the partial file was discarded")
        }
        let target = self.url(for: sha256)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        if rename(url.path, target.path) != 0 { throw ZISyncError("cannot move \(sha256) into the store") }
        FileStore.syncDirectory(target.deletingLastPathComponent())
        FileStore.syncDirectory(target.deletingLastPathComponent().deletingLastPathComponent())
        try? FileManager.default.removeItem(at: lengthURL(sha256, uploader: uploader))
        onStored(sha256, size(of: sha256) ?? 0)
    }

    /// Reads `count` bytes at `offset` of a stored file (for uploads and Range answers).
    public func read(_ sha256: String, offset: Int64, count: Int) throws -> Data {
        guard let input = FileHandle(forReadingAtPath: url(for: sha256).path) else {
            throw ZISyncError("file \(sha256) is not in the store")
        }
        defer { try? input.close() }
        try input.seek(toOffset: UInt64(offset))
        return try input.read(upToCount: count) ?? Data()
    }
}

/// Appends to a partial file as bytes arrive (a tus PATCH body, a browser's chunk), so that a
/// transfer cut in the middle keeps what reached the disk and resumes from there. With a token
/// from `FileStore.writers`, it writes only while its request is the upload's newest.
public final class PartialWriter {
    let store: FileStore
    let sha256: String
    let uploader: String?
    let token: Int?
    let handle: FileHandle
    public let start: Int64
    public private(set) var offset: Int64
    public let length: Int64
    private var unsynced = 0
    /// Bytes written between fsyncs: what a power cut can lose at most.
    public static let syncEvery = 256 * 1024

    init(store: FileStore, sha256: String, uploader: String?, token: Int?, at offset: Int64, length: Int64) throws {
        self.store = store
        self.sha256 = sha256
        self.uploader = uploader
        self.token = token
        let url = store.partialURL(sha256, uploader: uploader)
        guard let h = FileHandle(forWritingAtPath: url.path) else { throw ZISyncError("cannot write \(url.path)") }
        handle = h
        try h.seek(toOffset: UInt64(offset))
        start = offset
        self.offset = offset
        self.length = length
    }

    public func write(_ data: Data) throws {
        guard offset + Int64(data.count) <= length else {
            throw ZISyncError("\(offset + Int64(data.count)) bytes exceed the announced length \(length)")
        }
        if let token {
            try store.writers.whileCurrent(FileStore.partialName(sha256, uploader), token) {
                try handle.write(contentsOf: data)
            }
        } else {
            try handle.write(contentsOf: data)
        }
        offset += Int64(data.count)
        unsynced += data.count
        if unsynced >= Self.syncEvery {
            try handle.synchronize()
            unsynced = 0
        }
    }

    /// Drops what this writer appended (a failed chunk checksum).
    public func rollBack() throws {
        try handle.truncate(atOffset: UInt64(start))
        offset = start
        try handle.synchronize()
    }

    /// Syncs and closes; moves the file into the store when it is complete (an upload id's file
    /// is checked and taken by its uploader).
    public func finish() throws -> Int64 {
        try handle.synchronize()
        try handle.close()
        if offset == length && Validation.isSHA256Hex(sha256) { try store.completePartial(sha256, uploader: uploader) }
        return offset
    }
}

extension FileStore {
    /// A writer appending at `offset`, which must be the partial file's current size.
    public func partialWriter(_ sha256: String, uploader: String? = nil, at offset: Int64, token: Int? = nil) throws
        -> PartialWriter
    {
        guard let (held, length) = progress(sha256, uploader: uploader), uploader != nil || !contains(sha256) else {
            throw ZISyncError("no upload of \(sha256) is in progress")
        }
        guard offset == held else { throw ZISyncError("offset \(offset) does not match the \(held) bytes held") }
        return try PartialWriter(
            store: self, sha256: sha256, uploader: uploader, token: token, at: offset, length: length)
    }
}
