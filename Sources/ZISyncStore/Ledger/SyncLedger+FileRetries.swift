import Foundation
import GRDB

extension SyncLedger {
    /// Which way a file goes.
    public enum FileDirection: String, Sendable {
        case up, down
    }

    /// A file whose last transfer failed on its own, and when it is tried again.
    public struct FileRetry: Sendable, Equatable {
        public let sha256: String
        public let failures: Int
        public let retryAt: Int64
        public let problem: String
    }

    /// Waits after a file's `failures`-th failure: 1, 2, 4 … minutes, at most 6 hours.
    public static func fileBackoffMilliseconds(_ failures: Int) -> Int64 {
        min(Int64(60_000) << Int64(min(max(failures - 1, 0), 9)), 21_600_000)
    }

    /// Records that a file's transfer failed for a reason of its own.
    public func fileFailed(_ sha256: String, _ direction: FileDirection, problem: String, at now: Int64) throws {
        try db.write { db in
            let failures = (try FileRetryRow.failures(db, sha256: sha256, direction: direction.rawValue) ?? 0) + 1
            try FileRetryRow.set(
                db, sha256: sha256, direction: direction.rawValue, failures: failures,
                retryAt: now + Self.fileBackoffMilliseconds(failures), problem: problem)
        }
    }

    public func fileSucceeded(_ sha256: String, _ direction: FileDirection) throws {
        try db.write { db in
            try FileRetryRow.delete(db, sha256: sha256, direction: direction.rawValue)
        }
    }

    /// The files waiting for another attempt in `direction`, by hash.
    public func fileRetries(_ direction: FileDirection) throws -> [String: FileRetry] {
        try db.read { db in
            var out: [String: FileRetry] = [:]
            for row in try FileRetryRow.all(db, direction: direction.rawValue) {
                out[row.sha256] = FileRetry(
                    sha256: row.sha256, failures: row.failures, retryAt: row.retryAt, problem: row.problem)
            }
            return out
        }
    }
}
