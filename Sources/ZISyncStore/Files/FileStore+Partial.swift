import Crypto
import Foundation
import ZISyncCore

/// Partial files: uploads from children (tus) and downloads from the parent in progress.
/// A partial file grows only by appending at its current end and is fsynced after every
/// append, so its size is always the offset a resumed transfer continues from. Each child's
/// upload of a file is its own partial file (`uploader`), so no office can announce a length for,
/// hold the writer of, or spoil another's upload; whichever completes first with the right
/// content stores the file.
extension FileStore {
    var partialDirectory: URL { root.appendingPathComponent("partial", isDirectory: true) }

    static func partialName(_ sha256: String, _ uploader: String?) -> String {
        uploader.map { "\(sha256)-\($0)" } ?? sha256
    }

    func partialURL(_ sha256: String, uploader: String? = nil) -> URL {
        partialDirectory.appendingPathComponent("\(Self.partialName(sha256, uploader)).part")
    }
    func lengthURL(_ sha256: String, uploader: String? = nil) -> URL {
        partialDirectory.appendingPathComponent("\(Self.partialName(sha256, uploader)).length")
    }

    /// Starts (or finds) a partial file of `length` bytes that must hash to `sha256`.
    public func beginPartial(_ sha256: String, length: Int64, uploader: String? = nil) throws {
        guard Validation.isSHA256Hex(sha256) else { throw ZISyncError("'\(sha256)' is not a SHA-256") }
        guard uploader.map(Validation.isSatkerCode) ?? true else { throw ZISyncError("bad uploader '\(uploader!)'") }
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

    /// Drops a partial file (an expired upload).
    public func discardPartial(_ sha256: String, uploader: String? = nil) {
        try? FileManager.default.removeItem(at: partialURL(sha256, uploader: uploader))
        try? FileManager.default.removeItem(at: lengthURL(sha256, uploader: uploader))
    }

    /// A child's unfinished uploads: file, announced length, and when a byte last arrived.
    public func unfinishedUploads(by uploader: String) -> [(sha256: String, length: Int64, touched: Date)] {
        let suffix = "-\(uploader).length"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partialDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.compactMap { name in
            let sha = String(name.dropLast(suffix.count))
            guard Validation.isSHA256Hex(sha), let length = declaredLength(sha, uploader: uploader) else { return nil }
            let part = partialURL(sha, uploader: uploader).path
            let touched = (try? FileManager.default.attributesOfItem(atPath: part)[.modificationDate] as? Date) ?? nil
            return (sha, length, touched ?? .distantPast)
        }
    }

    /// Every child's unfinished uploads untouched since `date` are dropped; returns how many.
    public func expireUploads(untouchedSince date: Date) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partialDirectory.path)) ?? []
        var dropped = 0
        for name in names where name.hasSuffix(".length") {
            let stem = String(name.dropLast(".length".count))
            guard let dash = stem.firstIndex(of: "-") else { continue }  // a download, not an upload
            let (sha, uploader) = (String(stem[..<dash]), String(stem[stem.index(after: dash)...]))
            let part = partialURL(sha, uploader: uploader).path
            let touched = (try? FileManager.default.attributesOfItem(atPath: part)[.modificationDate] as? Date) ?? nil
            if (touched ?? .distantPast) < date {
                discardPartial(sha, uploader: uploader)
                dropped += 1
            }
        }
        return dropped
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
        guard uploader != nil || !contains(sha256), let (held, length) = progress(sha256, uploader: uploader),
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
        guard let input = FileHandle(forReadingAtPath: url.path) else { throw ZISyncError("cannot read \(url.path)") }
        var hasher = SHA256()
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        try input.close()
        let got = Hashing.hex(hasher.finalize())
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

/// Appends to a partial file as bytes arrive (a tus PATCH body), so that a transfer cut in
/// the middle keeps what reached the disk and resumes from there.
public final class PartialWriter {
    let store: FileStore
    let sha256: String
    let uploader: String?
    let handle: FileHandle
    public let start: Int64
    public private(set) var offset: Int64
    public let length: Int64
    private var unsynced = 0
    /// Bytes written between fsyncs: what a power cut can lose at most.
    public static let syncEvery = 256 * 1024

    init(store: FileStore, sha256: String, uploader: String?, at offset: Int64, length: Int64) throws {
        self.store = store
        self.sha256 = sha256
        self.uploader = uploader
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
        if offset == length { try store.completePartial(sha256, uploader: uploader) }
        return offset
    }
}

extension FileStore {
    /// A writer appending at `offset`, which must be the partial file's current size.
    public func partialWriter(_ sha256: String, uploader: String? = nil, at offset: Int64) throws -> PartialWriter {
        guard let (held, length) = progress(sha256, uploader: uploader), uploader != nil || !contains(sha256) else {
            throw ZISyncError("no upload of \(sha256) is in progress")
        }
        guard offset == held else { throw ZISyncError("offset \(offset) does not match the \(held) bytes held") }
        return try PartialWriter(store: self, sha256: sha256, uploader: uploader, at: offset, length: length)
    }
}
