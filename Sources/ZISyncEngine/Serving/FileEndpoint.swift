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
    /// The one answer for a file a child may not fetch and a file not here: which of the two it
    /// is, is not the child's to learn.
    static let notHere = EndpointError(.notFound, "no such file for this office")

    /// tus creation: announces this child's upload of a file of `length` bytes, which must be
    /// the size an evidence record of its subtree gives it; answers how much of it is here (the
    /// child's own partial upload, or the whole file when the child may know that it is here).
    public func createUpload(sha256: String, length: Int64, from child: Child) async throws -> Int64 {
        guard length >= 0, length <= SyncProtocol.maxFileBytes else {
            throw EndpointError(.badRequest, "Upload-Length missing or too large")
        }
        guard Validation.isSHA256Hex(sha256) else {
            throw EndpointError(.badRequest, "Upload-Metadata must carry sha256 (hex, base64-encoded)")
        }
        let (store, limits, now) = (self.store, self.limits.uploads, self.now())
        return try await blocking {
            let sizes = try store.ledger.evidenceSizes(sha256: sha256, subtree: child.satker)
            guard !sizes.isEmpty else {
                throw EndpointError(
                    .forbidden, "no evidence record of \(child.satker)'s subtree names \(sha256); push the record first"
                )
            }
            guard sizes.contains(length) else {
                throw EndpointError(
                    .badRequest,
                    "Upload-Length \(length) is not the size the evidence record gives the file (\(sizes.sorted().map(String.init).joined(separator: ", ")) bytes)"
                )
            }
            if store.files.contains(sha256), try store.ledger.mayDownload(sha256: sha256, child: child.satker) {
                return length
            }
            let files = store.files
            do {
                try files.beginUpload(
                    sha256, length: length, uploader: child.satker, limits: limits,
                    now: Date(timeIntervalSince1970: Double(now) / 1000))
            } catch let e as UploadQuotaExceeded {
                throw EndpointError(.insufficientStorage, e.description)
            } catch let e as ZISyncError {
                throw EndpointError(.conflict, e.description)
            }
            return files.progress(sha256, uploader: child.satker)?.offset ?? 0
        }
    }

    /// tus HEAD: the offset and length of this child's upload.
    public func uploadStatus(sha256: String, for child: Child) async throws -> (offset: Int64, length: Int64) {
        guard Validation.isSHA256Hex(sha256) else { throw Self.notHere }
        let store = self.store
        return try await blocking {
            if store.files.contains(sha256), try store.ledger.mayDownload(sha256: sha256, child: child.satker),
                let size = store.files.size(of: sha256)
            {
                return (size, size)
            }
            try store.files.finishIfComplete(sha256, uploader: child.satker)
            guard let progress = store.files.progress(sha256, uploader: child.satker) else { throw Self.notHere }
            return progress
        }
    }

    /// tus PATCH: appends `body` at `offset` of this child's upload, streaming it to disk as it
    /// arrives, so a cut keeps what arrived and the next HEAD reports it. The newest request
    /// writes (a PATCH cut by a broken link may still be draining when the resumed one arrives:
    /// it stops at its next chunk), and each must arrive within the write deadline. Answers the
    /// new offset.
    public func appendUpload<Body: AsyncSequence & Sendable>(
        sha256: String, offset: Int64, checksum: (ChunkChecksum, String)?, body: Body, from child: Child
    ) async throws -> Int64 where Body.Element == Data {
        guard Validation.isSHA256Hex(sha256) else { throw Self.notHere }
        let files = store.files
        guard let held = try await blocking({ files.progress(sha256, uploader: child.satker)?.offset }) else {
            throw Self.notHere
        }
        guard offset == held else { throw EndpointError(.conflict, "Upload-Offset must be \(held)") }
        let token = files.claimWriter(sha256, uploader: child.satker)
        defer { files.releaseWriter(sha256, uploader: child.satker, token) }
        let box: WriterBox
        do {
            box = try await blocking {
                WriterBox(try files.partialWriter(sha256, uploader: child.satker, at: offset, token: token))
            }
        } catch let e as ZISyncError {
            throw EndpointError(.conflict, e.description)
        }
        let deadline = UInt64(limits.uploadWriteTimeoutSeconds) * 1_000_000_000
        let hasher: ChunkHasher?
        do {
            hasher = try await withThrowingTaskGroup(of: ChunkHasher??.self) { group in
                group.addTask {
                    var hasher = checksum.map { ChunkHasher($0.0) }
                    for try await data in body {
                        hasher?.update(data)
                        do {
                            try await blocking { try box.writer.write(data) }
                        } catch let e as ZISyncError {
                            throw EndpointError(.badRequest, e.description)
                        } catch let e as UploadSuperseded {
                            throw EndpointError(.conflict, e.description)
                        }
                    }
                    return .some(hasher)
                }
                group.addTask {
                    try await Task.sleep(nanoseconds: deadline)
                    return .none
                }
                let first = try await group.next()!
                group.cancelAll()
                guard let hasher = first else {
                    throw EndpointError(
                        .requestTimeout,
                        "the chunk did not arrive within \(limits.uploadWriteTimeoutSeconds) s; what arrived is kept")
                }
                return hasher
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
        let store = self.store
        do {
            return try await blocking {
                let offset = try box.writer.finish()
                if offset == box.writer.length { try store.ledger.fileUploaded(sha256, by: child.satker) }
                return offset
            }
        } catch let e as ZISyncError {
            throw EndpointError(.badRequest, e.description)
        }
    }

    /// A download: the bytes of `range`, at most a bounded amount per answer, or the whole file
    /// when no range is asked and it fits in one answer (a larger one must be fetched by ranges).
    public func download(sha256: String, range: ByteRange?, for child: Child) async throws -> FileSlice {
        let store = self.store
        guard Validation.isSHA256Hex(sha256),
            let size = try await blocking({ () -> Int64? in
                guard store.files.contains(sha256), try store.ledger.mayDownload(sha256: sha256, child: child.satker)
                else { return nil }
                return store.files.size(of: sha256)
            })
        else { throw Self.notHere }
        var start: Int64 = 0
        var end = size - 1
        if let range {
            guard range.start < size else {
                throw EndpointError(.rangeNotSatisfiable, "bad range '\(range.header)' for \(size) bytes")
            }
            start = range.start
            if let e = range.end { end = min(e, size - 1) }
        } else if size > Int64(SyncProtocol.maxRangeAnswerBytes) {
            throw EndpointError(
                .tooLarge,
                "the file has \(size) bytes, more than one answer carries (\(SyncProtocol.maxRangeAnswerBytes)); ask for it by Range"
            )
        }
        let count = Int(min(end - start + 1, Int64(SyncProtocol.maxRangeAnswerBytes)))
        let from = start
        let data = try await blocking { try store.files.read(sha256, offset: from, count: max(0, count)) }
        return FileSlice(data: data, start: start, size: size, partial: range != nil)
    }
}

/// Hands a partial file's writer to the blocking queue (it is used by one request at a time).
final class WriterBox: @unchecked Sendable {
    let writer: PartialWriter
    init(_ writer: PartialWriter) { self.writer = writer }
}
