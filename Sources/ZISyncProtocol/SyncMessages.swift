import CompressNIO
import Foundation
import NIOCore
import ZISyncCore

/// The HTTPS protocol between a child and its parent (docs/protocol.md, "Sync over HTTPS").
public enum SyncProtocol {
    public static let version = "1"
    /// Sent on every request and every answer; an answer without it is not a zisync answer.
    public static let header = "ZISync-Protocol"
    public static let jsonType = "application/json"

    public static let pushPath = "/v1/push"
    public static let pullPath = "/v1/pull"
    public static let filesPath = "/v1/files"
    public static let reportPath = "/v1/report"

    /// Limits a parent enforces and a child respects.
    public static let maxPushChanges = 5000
    public static let maxPushBytes = 8 << 20
    public static let maxPullChanges = 5000
    public static let maxFileBytes: Int64 = 1 << 31
    /// One upload request's body (a tus PATCH): the unit an interrupted upload can lose, since
    /// every earlier chunk was acknowledged. 1 MiB keeps round trips few on a slow, distant link
    /// (a 2 MB file at 64 KB/s: two waits for an answer) while a cut costs at most 16 s of such a
    /// link. The parent also writes each chunk to disk as it arrives (docs/decisions.md).
    public static let chunkBytes = 1 << 20
    /// Largest Range asked for in one download request.
    public static let downloadRangeBytes = 4 << 20

    public static func gzip(_ data: Data) throws -> Data {
        var buffer = ByteBuffer(bytes: data)
        let out = try buffer.compress(with: .gzip())
        return Data(out.readableBytesView)
    }

    public static func gunzip(_ data: Data, limit: Int = maxPushBytes * 4) throws -> Data {
        var buffer = ByteBuffer(bytes: data)
        let out = try buffer.decompress(with: .gzip(), maxSize: limit)
        return Data(out.readableBytesView)
    }

    /// `{"changes":[…],"from":"…"}` built from the changes' wire forms without re-encoding.
    public static func changesBody(_ changes: [Change], extra: [(String, String)]) -> Data {
        changesBody(wire: changes.map(\.wireJSON), extra: extra)
    }

    public static func changesBody(wire: some Collection<String>, extra: [(String, String)]) -> Data {
        var out = Data("{\"changes\":[".utf8)
        for (i, c) in wire.enumerated() {
            if i > 0 { out.append(0x2C) }
            out.append(contentsOf: c.utf8)
        }
        out.append(contentsOf: "]".utf8)
        for (key, jsonValue) in extra { out.append(contentsOf: ",\"\(key)\":\(jsonValue)".utf8) }
        out.append(contentsOf: "}".utf8)
        return out
    }
}

public struct PushResponse: Codable, Sendable, Equatable {
    public struct Refusal: Codable, Sendable, Equatable {
        public let change: String
        public let record: String
        public let reason: String

        public init(change: String, record: String, reason: String) {
            self.change = change
            self.record = record
            self.reason = reason
        }
    }

    public var accepted: Int
    public var duplicates: Int
    public var held: Int
    public var refused: [Refusal]
    /// The chain tips the parent now holds for every origin in the child's subtree.
    public var tips: [String: Int64]
    /// The parent's clock in milliseconds, for skew detection.
    public var serverTime: Int64
    /// Why changes were held rather than applied (a clock running ahead), when they were.
    public var heldReason: String?

    public init(
        accepted: Int, duplicates: Int, held: Int, refused: [Refusal], tips: [String: Int64], serverTime: Int64,
        heldReason: String? = nil
    ) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.held = held
        self.refused = refused
        self.tips = tips
        self.serverTime = serverTime
        self.heldReason = heldReason
    }
}

public struct ErrorResponse: Codable, Sendable {
    public let error: String

    public init(error: String) { self.error = error }
}

/// What a child tells its parent about itself after each round (`POST /v1/report`), so the
/// parent's `status` can show how far behind each office is and why.
public struct ChildReport: Codable, Sendable, Equatable {
    /// Changes made in the child's subtree that the parent does not hold yet.
    public var pendingChanges: Int
    public var pendingFiles: Int
    public var pendingBytes: Int64
    /// When the oldest of those changes was made (ms since the epoch).
    public var oldestPending: Int64?
    /// The child's last problem, as its own `status` words it.
    public var problem: SyncProblem?
    /// A province's own children that need attention (failing or late), and how many are ok or
    /// never seen: so KPU RI sees the kab/kota too. Nil from a node without children.
    public var below: Below?

    public struct Below: Codable, Sendable, Equatable {
        public var attention: [OfficeState]
        public var ok: Int
        public var neverSeen: Int

        public init(attention: [OfficeState], ok: Int, neverSeen: Int) {
            self.attention = attention
            self.ok = ok
            self.neverSeen = neverSeen
        }
    }

    public struct OfficeState: Codable, Sendable, Equatable {
        public var satker: String
        /// failing or late.
        public var state: String
        public var lagSeconds: Int64?
        public var problem: SyncProblem?

        public init(satker: String, state: String, lagSeconds: Int64?, problem: SyncProblem?) {
            self.satker = satker
            self.state = state
            self.lagSeconds = lagSeconds
            self.problem = problem
        }
    }

    public init(
        pendingChanges: Int, pendingFiles: Int, pendingBytes: Int64, oldestPending: Int64?, problem: SyncProblem?,
        below: Below? = nil
    ) {
        self.pendingChanges = pendingChanges
        self.pendingFiles = pendingFiles
        self.pendingBytes = pendingBytes
        self.oldestPending = oldestPending
        self.problem = problem
        self.below = below
    }
}

/// A sync problem in an operator's words: what failed, its cause, and what to do.
public struct SyncProblem: Codable, Sendable, Equatable {
    /// A short key for scripts and metrics: dns, unreachable, timeout, link, tls, certificate,
    /// forbidden, not_zisync, parent_error, protocol, refused, held, local, stopped.
    public var cause: String
    /// What failed: which request, record or file, with the HTTP status or curl error.
    public var message: String
    /// What to do about it.
    public var advice: String
    /// When it happened (ms since the epoch).
    public var at: Int64

    public init(cause: String, message: String, advice: String, at: Int64) {
        self.cause = cause
        self.message = message
        self.advice = advice
        self.at = at
    }
}
