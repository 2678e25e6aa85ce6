import Foundation

/// What unfinished uploads one uploader (a child office over tus, a person in the web app) may
/// hold, and how long an untouched one is kept: the one policy of every resumable upload.
public struct UploadLimits: Sendable, Equatable {
    /// An upload no byte reached for this long is dropped.
    public var expirySeconds = 7 * 86_400
    /// The announced lengths of one uploader's unfinished uploads, together.
    public var maxUnfinishedBytesPerUploader: Int64 = 4 << 30
    /// How many unfinished uploads one uploader may hold (each is a file on disk).
    public var maxUnfinishedPerUploader = 64

    public init() {}
}

/// An upload refused by the quota: how much the uploader holds and what the limits are.
public struct UploadQuotaExceeded: Error, CustomStringConvertible, Sendable {
    public let uploader: String
    public let heldBytes: Int64
    public let heldCount: Int
    public let limits: UploadLimits

    public var description: String {
        heldCount >= limits.maxUnfinishedPerUploader
            ? "\(uploader) has \(heldCount) unfinished uploads here, the most one uploader may hold (they expire after \(limits.expirySeconds / 3600) h without progress)"
            : "\(uploader) has \(heldBytes >> 20) MB of unfinished uploads here; this file would pass its quota of \(limits.maxUnfinishedBytesPerUploader >> 20) MB (they expire after \(limits.expirySeconds / 3600) h without progress)"
    }
}

/// A request that was writing an upload when a newer one took it over.
public struct UploadSuperseded: Error, CustomStringConvertible, Sendable {
    public var description: String { "this upload was continued by a newer request" }
}

/// Which request writes each upload: the newest. After a cut link (a dead Wi-Fi, a reset
/// mobile line) the server may not hear for minutes that the old request died, and the resumed
/// one must not wait for it; the old one stops at its next chunk. One policy for tus and the web.
public final class UploadWriters: @unchecked Sendable {
    private let lock = NSLock()
    private var current: [String: Int] = [:]
    private var generation = 0

    public init() {}

    /// Makes the caller the writer of `upload`; the token it writes with.
    public func claim(_ upload: String) -> Int {
        lock.withLock {
            generation += 1
            current[upload] = generation
            return generation
        }
    }

    /// Ends the caller's turn, if it is still its turn.
    public func release(_ upload: String, _ token: Int) {
        lock.withLock { if current[upload] == token { current[upload] = nil } }
    }

    /// Runs `body` while `token` writes `upload`, under the lock a newer claim takes, so a newer
    /// request's offset is never overtaken; throws `UploadSuperseded` once a newer one claimed it.
    func whileCurrent<T>(_ upload: String, _ token: Int, _ body: () throws -> T) throws -> T {
        try lock.withLock {
            guard current[upload] == token else { throw UploadSuperseded() }
            return try body()
        }
    }
}
