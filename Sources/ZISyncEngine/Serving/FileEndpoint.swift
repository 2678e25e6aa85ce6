import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

/// A piece of a stored file, as a download answers it.
public struct FileSlice: Sendable {
    public let data: Data
    public let start: Int64
    public let size: Int64
    /// Answered to a Range request (206 with `Content-Range`), not the whole file (200).
    public let partial: Bool
}

extension ParentEndpoint {
    /// A child may send or fetch a file only if an evidence record in its subtree names it.
    func fileIsNamed(_ sha256: String, by child: Child) async throws -> Bool {
        let store = self.store
        return try await blocking {
            try store.ledger.evidenceOwners(sha256: sha256).contains {
                store.registry.isInSubtree($0, of: child.satker)
            }
        }
    }

    /// tus creation: announces a file of `length` bytes; answers how much of it is here already
    /// (a file held in part or whole answers its offset, so one round trip serves both).
    public func createUpload(sha256: String, length: Int64, from child: Child) async throws -> Int64 {
        guard length >= 0, length <= SyncProtocol.maxFileBytes else {
            throw EndpointError(.badRequest, "Upload-Length missing or too large")
        }
        guard Validation.isSHA256Hex(sha256) else {
            throw EndpointError(.badRequest, "Upload-Metadata must carry sha256 (hex, base64-encoded)")
        }
        guard try await fileIsNamed(sha256, by: child) else {
            throw EndpointError(
                .forbidden, "no evidence record of \(child.satker)'s subtree names \(sha256); push the record first")
        }
        let files = store.files
        return try await blocking {
            do {
                try files.beginPartial(sha256, length: length)
            } catch let e as ZISyncError {
                throw EndpointError(.conflict, e.description)
            }
            return files.progress(sha256)?.offset ?? 0
        }
    }

    /// tus HEAD: the offset and length of an upload.
    public func uploadStatus(sha256: String, for child: Child) async throws -> (offset: Int64, length: Int64) {
        guard Validation.isSHA256Hex(sha256), try await fileIsNamed(sha256, by: child) else {
            throw EndpointError(.notFound, "no upload of that file")
        }
        let files = store.files
        guard
            let progress = try await blocking({ () -> (offset: Int64, length: Int64)? in
                try files.finishIfComplete(sha256)
                return files.progress(sha256)
            })
        else { throw EndpointError(.notFound, "no upload of that file") }
        return progress
    }

    /// tus PATCH: appends `body` at `offset`, streaming it to disk as it arrives, so a cut keeps
    /// what arrived and the next HEAD reports it. One writer per file at a time: a PATCH cut by a
    /// broken link may still be draining when the resumed one arrives. Answers the new offset.
    public func appendUpload<Body: AsyncSequence & Sendable>(
        sha256: String, offset: Int64, checksum: (ChunkChecksum, String)?, body: Body, from child: Child
    ) async throws -> Int64 where Body.Element == Data {
        guard Validation.isSHA256Hex(sha256), try await fileIsNamed(sha256, by: child) else {
            throw EndpointError(.notFound, "no upload of that file")
        }
        let files = store.files
        guard let held = try await blocking({ files.progress(sha256)?.offset }) else {
            throw EndpointError(.notFound, "no upload of that file")
        }
        guard offset == held else { throw EndpointError(.conflict, "Upload-Offset must be \(held)") }
        guard await uploads.acquire(sha256) else {
            throw EndpointError(.locked, "another upload of this file is still in progress")
        }
        defer { Task { await uploads.release(sha256) } }
        let now = try await blocking { files.progress(sha256)?.offset }
        guard now == offset else { throw EndpointError(.conflict, "Upload-Offset must be \(now ?? 0)") }
        let box: WriterBox
        do {
            box = try await blocking { WriterBox(try files.partialWriter(sha256, at: offset)) }
        } catch let e as ZISyncError {
            throw EndpointError(.conflict, e.description)
        }
        var hasher = checksum.map { ChunkHasher($0.0) }
        do {
            for try await data in body {
                hasher?.update(data)
                do {
                    try await blocking { try box.writer.write(data) }
                } catch let e as ZISyncError {
                    throw EndpointError(.badRequest, e.description)
                }
            }
        } catch {
            _ = try? await blocking { try box.writer.finish() }
            throw error
        }
        if let hasher, let (_, expected) = checksum, hasher.finalHex() != expected {
            try await blocking {
                try box.writer.rollBack()
                _ = try box.writer.finish()
            }
            throw EndpointError(.checksumMismatch, "chunk checksum mismatch")
        }
        do {
            return try await blocking { try box.writer.finish() }
        } catch let e as ZISyncError {
            throw EndpointError(.badRequest, e.description)
        }
    }

    /// A download: the bytes of `range` (the whole file without one), at most a bounded amount
    /// per answer.
    public func download(sha256: String, range: ByteRange?, for child: Child) async throws -> FileSlice {
        let files = store.files
        guard Validation.isSHA256Hex(sha256),
            let size = try await blocking({ files.contains(sha256) ? files.size(of: sha256) : nil })
        else {
            throw EndpointError(.notFound, "file not here")
        }
        guard try await fileIsNamed(sha256, by: child) else {
            throw EndpointError(.forbidden, "not in \(child.satker)'s scope")
        }
        var start: Int64 = 0
        var end = size - 1
        if let range {
            guard range.start < size else {
                throw EndpointError(.rangeNotSatisfiable, "bad range '\(range.header)' for \(size) bytes")
            }
            start = range.start
            if let e = range.end { end = min(e, size - 1) }
        }
        let count = Int(min(end - start + 1, Int64(SyncProtocol.maxRangeAnswerBytes)))
        let from = start
        let data = try await blocking { try files.read(sha256, offset: from, count: max(0, count)) }
        return FileSlice(data: data, start: start, size: size, partial: range != nil)
    }
}

/// Which files have a PATCH being written, so that two never write one partial file.
actor UploadLocks {
    private var active: Set<String> = []

    /// Waits up to ten seconds for the file's previous writer to finish.
    func acquire(_ sha: String) async -> Bool {
        for _ in 0..<200 {
            if active.insert(sha).inserted { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return false
    }

    func release(_ sha: String) { active.remove(sha) }
}

/// Hands a partial file's writer to the blocking queue (it is used by one request at a time).
final class WriterBox: @unchecked Sendable {
    let writer: PartialWriter
    init(_ writer: PartialWriter) { self.writer = writer }
}
