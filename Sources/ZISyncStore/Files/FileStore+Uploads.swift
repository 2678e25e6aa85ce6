import Foundation
import ZISyncCore

/// The policies of the one resumable upload (`FileStore+Partial`): who may upload under which key,
/// what the uploader said of it, the quota and expiry (`UploadLimits`), and which request writes
/// (`UploadWriters`).
extension FileStore {
    /// An upload's key: the file's SHA-256 (tus, downloads), or an upload id of 32 hex digits
    /// where the content's hash is known only at the end (a browser on plain HTTP).
    public static func isUploadKey(_ s: String) -> Bool {
        Validation.isSHA256Hex(s)
            || (s.utf8.count == 32 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) })
    }

    /// Who uploads: a child office (its satker code) or a person of this office (`web-NAME`).
    public static func isUploader(_ s: String) -> Bool {
        if Validation.isSatkerCode(s) { return true }
        return s.hasPrefix("web-") && Accounts.problem(name: String(s.dropFirst(4))) == nil
    }

    /// What the uploader said of its upload (the web: the plan, the name, the title), kept beside it.
    public func setUploadMeta(_ data: Data, key: String, uploader: String) throws {
        try data.write(to: metaURL(key, uploader: uploader), options: .atomic)
    }

    public func uploadMeta(key: String, uploader: String) -> Data? {
        guard Self.isUploadKey(key), Self.isUploader(uploader) else { return nil }
        return try? Data(contentsOf: metaURL(key, uploader: uploader))
    }

    /// Admits and begins an upload in one step, under one lock: uploads announced at the same
    /// moment cannot pass the quota together. An upload already begun (a creation asked again)
    /// is only continued, whatever the quota.
    public func beginUpload(_ key: String, length: Int64, uploader: String, limits: UploadLimits, now: Date = Date())
        throws
    {
        try Self.admission.withLock {
            if declaredLength(key, uploader: uploader) == nil {
                try admitUpload(uploader: uploader, length: length, limits: limits, now: now)
            }
            try beginPartial(key, length: length, uploader: uploader)
        }
    }

    /// One admission at a time in this process (one daemon serves a home).
    static let admission = NSLock()

    /// Admits a new upload of `length` bytes by `uploader` under `limits`: uploads untouched past
    /// the expiry are dropped first, then its unfinished ones must leave room (bytes and count).
    public func admitUpload(uploader: String, length: Int64, limits: UploadLimits, now: Date = Date()) throws {
        _ = expireUploads(untouchedSince: now.addingTimeInterval(-Double(limits.expirySeconds)))
        let unfinished = unfinishedUploads(by: uploader)
        let held = unfinished.reduce(Int64(0)) { $0 + $1.length }
        guard held + length <= limits.maxUnfinishedBytesPerUploader, unfinished.count < limits.maxUnfinishedPerUploader
        else {
            throw UploadQuotaExceeded(uploader: uploader, heldBytes: held, heldCount: unfinished.count, limits: limits)
        }
    }

    /// An uploader's unfinished uploads: key, announced length, and when a byte last arrived.
    public func unfinishedUploads(by uploader: String) -> [(sha256: String, length: Int64, touched: Date)] {
        let suffix = "-\(uploader).length"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partialDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.compactMap { name in
            let sha = String(name.dropLast(suffix.count))
            guard Self.isUploadKey(sha), let length = declaredLength(sha, uploader: uploader) else { return nil }
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

    /// Makes the caller the writer of an upload (the newest request writes); the token for
    /// `partialWriter`, to `releaseWriter` when the request ends.
    public func claimWriter(_ key: String, uploader: String) -> Int { writers.claim(Self.partialName(key, uploader)) }

    public func releaseWriter(_ key: String, uploader: String, _ token: Int) {
        writers.release(Self.partialName(key, uploader), token)
    }
}
