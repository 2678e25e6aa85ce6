import CompressNIO
import Foundation
import NIOCore

/// The HTTPS protocol between a child and its parent (docs/protocol.md, "Sync over HTTPS"):
/// its version header, limits and body compression. Paths are in `Route`, tus names in `Tus`.
public enum SyncProtocol {
    public static let version = "1"
    /// Sent on every request and every answer; an answer without it is not a zisync answer.
    public static let header = "ZISync-Protocol"
    public static let jsonType = "application/json"
    public static let octetStream = "application/octet-stream"

    /// Limits a parent enforces and a child respects.
    public static let maxPushChanges = 5000
    public static let maxPushBytes = 8 << 20
    public static let maxPullChanges = 5000
    /// Pull page size when the child names none.
    public static let defaultPullLimit = 1000
    public static let maxReportBytes = 64 << 10
    public static let maxFileBytes: Int64 = 1 << 31
    /// One upload request's body (a tus PATCH): the unit an interrupted upload can lose, since
    /// every earlier chunk was acknowledged. 1 MiB keeps round trips few on a slow, distant link
    /// (a 2 MB file at 64 KB/s: two waits for an answer) while a cut costs at most 16 s of such a
    /// link. The parent also writes each chunk to disk as it arrives (docs/decisions.md).
    public static let chunkBytes = 1 << 20
    /// Largest Range asked for in one download request, and the most one answer carries.
    public static let downloadRangeBytes = 4 << 20
    public static let maxRangeAnswerBytes = 8 << 20

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
}

/// The protocol's paths, used by the parent's router and by the child's link alike.
public enum Route {
    public static let push = "/v1/push"
    public static let pull = "/v1/pull"
    public static let report = "/v1/report"
    /// `GET /v1/restore?after=CURSOR&limit=N`: a pull page that also carries the child's own
    /// subtree's chains, for an office that lost them (docs/protocol.md, "Restore").
    public static let restore = "/v1/restore"
    public static let files = "/v1/files"
    /// The router's pattern for one file, and the name of its parameter.
    public static let filePattern = "/v1/files/:sha"
    public static let fileParameter = "sha"

    public static func file(_ sha256: String) -> String { "\(files)/\(sha256)" }

    /// `GET /v1/pull?after=CURSOR&limit=N`.
    public static func pull(after cursor: Int64, limit: Int) -> String {
        "\(pull)?\(PullQuery.after)=\(cursor)&\(PullQuery.limit)=\(limit)"
    }

    public static func restore(after cursor: Int64, limit: Int) -> String {
        "\(restore)?\(PullQuery.after)=\(cursor)&\(PullQuery.limit)=\(limit)"
    }

    public enum PullQuery {
        public static let after = "after"
        public static let limit = "limit"
    }
}
