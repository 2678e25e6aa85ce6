import Crypto
import Foundation
import ZISyncCore

/// Partial files: uploads from children (tus) and downloads from the parent in progress.
/// A partial file grows only by appending at its current end and is fsynced after every
/// append, so its size is always the offset a resumed transfer continues from.
extension FileStore {
    var partialDirectory: URL { root.appendingPathComponent("partial", isDirectory: true) }

    func partialURL(_ sha256: String) -> URL { partialDirectory.appendingPathComponent("\(sha256).part") }
    func lengthURL(_ sha256: String) -> URL { partialDirectory.appendingPathComponent("\(sha256).length") }

    /// Starts (or finds) a partial file of `length` bytes that must hash to `sha256`.
    public func beginPartial(_ sha256: String, length: Int64) throws {
        guard Validation.isSHA256Hex(sha256) else { throw ZISyncError("'\(sha256)' is not a SHA-256") }
        if contains(sha256) { return }
        try FileManager.default.createDirectory(at: partialDirectory, withIntermediateDirectories: true)
        if let known = declaredLength(sha256) {
            if known != length { throw ZISyncError("file \(sha256) was announced with length \(known), not \(length)") }
            try finishIfComplete(sha256)
            if contains(sha256) || declaredLength(sha256) != nil { return }
        }
        guard FileManager.default.createFile(atPath: partialURL(sha256).path, contents: nil) else {
            throw ZISyncError("cannot create a partial file for \(sha256)")
        }
        try Data(String(length).utf8).write(to: lengthURL(sha256), options: .atomic)
    }

    public func declaredLength(_ sha256: String) -> Int64? {
        guard let text = try? String(contentsOf: lengthURL(sha256), encoding: .utf8) else { return nil }
        return Int64(text)
    }

    /// (bytes held, length) of a file: complete files report their size twice; unknown: nil.
    public func progress(_ sha256: String) -> (offset: Int64, length: Int64)? {
        if contains(sha256), let size = size(of: sha256) { return (size, size) }
        guard let length = declaredLength(sha256) else { return nil }
        let held =
            (try? FileManager.default.attributesOfItem(atPath: partialURL(sha256).path)[.size] as? NSNumber)?
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
    public func finishIfComplete(_ sha256: String) throws {
        guard !contains(sha256), let (held, length) = progress(sha256), held == length else { return }
        do {
            try completePartial(sha256)
        } catch let e as ZISyncError where e.description.contains("discarded") {
            return  // the next transfer starts again from zero
        }
    }

    /// Checks a complete partial file's hash and moves it into the store.
    func completePartial(_ sha256: String) throws {
        let url = partialURL(sha256)
        guard let input = FileHandle(forReadingAtPath: url.path) else { throw ZISyncError("cannot read \(url.path)") }
        var hasher = SHA256()
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        try input.close()
        let got = Hashing.hex(hasher.finalize())
        guard got == sha256 else {
            try? FileManager.default.removeItem(at: url)
            try? FileManager.default.removeItem(at: lengthURL(sha256))
            throw ZISyncError("file content hashes to \(got), not \(sha256); the partial file was discarded")
        }
        let target = self.url(for: sha256)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        if rename(url.path, target.path) != 0 { throw ZISyncError("cannot move \(sha256) into the store") }
        FileStore.syncDirectory(target.deletingLastPathComponent())
        try? FileManager.default.removeItem(at: lengthURL(sha256))
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

/// Appends to a partial file as bytes arrive (a tus PATCH body), so that a transfer cut in
/// the middle keeps what reached the disk and resumes from there.
public final class PartialWriter {
    let store: FileStore
    let sha256: String
    let handle: FileHandle
    public let start: Int64
    public private(set) var offset: Int64
    let length: Int64
    private var unsynced = 0
    /// Bytes written between fsyncs: what a power cut can lose at most.
    public static let syncEvery = 256 * 1024

    init(store: FileStore, sha256: String, at offset: Int64, length: Int64) throws {
        self.store = store
        self.sha256 = sha256
        let url = store.partialURL(sha256)
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
        try handle.write(contentsOf: data)
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

    /// Syncs and closes; moves the file into the store when it is complete.
    public func finish() throws -> Int64 {
        try handle.synchronize()
        try handle.close()
        if offset == length { try store.completePartial(sha256) }
        return offset
    }
}

extension FileStore {
    /// A writer appending at `offset`, which must be the partial file's current size.
    public func partialWriter(_ sha256: String, at offset: Int64) throws -> PartialWriter {
        guard let (held, length) = progress(sha256), !contains(sha256) else {
            throw ZISyncError("no upload of \(sha256) is in progress")
        }
        guard offset == held else { throw ZISyncError("offset \(offset) does not match the \(held) bytes held") }
        return try PartialWriter(store: self, sha256: sha256, at: offset, length: length)
    }
}
