import Crypto
import Foundation
import ZISyncCore

/// Evidence uploads speak tus 1.0.0 with the creation and checksum extensions
/// (docs/protocol.md, "Evidence files"): the names and values both sides use.
public enum Tus {
    public static let version = "1.0.0"
    public static let resumable = "Tus-Resumable"
    public static let versionHeader = "Tus-Version"
    public static let extensionHeader = "Tus-Extension"
    public static let maxSizeHeader = "Tus-Max-Size"
    public static let checksumAlgorithmHeader = "Tus-Checksum-Algorithm"
    public static let uploadOffset = "Upload-Offset"
    public static let uploadLength = "Upload-Length"
    public static let uploadMetadata = "Upload-Metadata"
    public static let uploadChecksum = "Upload-Checksum"
    public static let extensions = "creation,checksum"
    public static let checksumAlgorithms = "sha256,sha1"
    /// The content type of a PATCH body.
    public static let chunkType = "application/offset+octet-stream"

    /// `Upload-Metadata`: comma-separated `key base64value` pairs.
    public static func metadata(_ header: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in header.split(separator: ",") {
            let kv = pair.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
            guard let key = kv.first else { continue }
            let value =
                kv.count > 1 ? Data(base64Encoded: String(kv[1])).map { String(decoding: $0, as: UTF8.self) } : ""
            out[String(key)] = value ?? ""
        }
        return out
    }

    /// The metadata of a zisync upload: the file's SHA-256 names it.
    public static func metadata(sha256: String) -> String {
        "sha256 \(Data(sha256.utf8).base64EncodedString())"
    }

    /// `Upload-Checksum: sha256 <base64 of the digest>` for a chunk.
    public static func checksum(of chunk: Data) -> String {
        "sha256 \(Data(SHA256.hash(data: chunk)).base64EncodedString())"
    }

    /// Reads an `Upload-Checksum` header: the algorithm and the expected digest in hex.
    public static func parseChecksum(_ header: String) -> (ChunkChecksum, String)? {
        let parts = header.split(separator: " ")
        guard parts.count == 2, let algorithm = ChunkChecksum(rawValue: String(parts[0])),
            let digest = Data(base64Encoded: String(parts[1]))
        else { return nil }
        return (algorithm, Hashing.hex(digest))
    }
}

/// tus checksum algorithms accepted for a chunk (sha1 because common tus clients default to it).
public enum ChunkChecksum: String, Sendable {
    case sha256, sha1
}

/// Hashes a chunk as it streams in.
// Hash states are plain values; a hasher is moved into the task that reads a body, never shared.
public struct ChunkHasher: @unchecked Sendable {
    var sha256 = SHA256()
    var sha1 = Insecure.SHA1()
    public let algorithm: ChunkChecksum

    public init(_ algorithm: ChunkChecksum) { self.algorithm = algorithm }

    public mutating func update(_ data: Data) {
        switch algorithm {
        case .sha256: sha256.update(data: data)
        case .sha1: sha1.update(data: data)
        }
    }

    public func finalHex() -> String {
        switch algorithm {
        case .sha256: return Hashing.hex(sha256.finalize())
        case .sha1: return Hashing.hex(sha1.finalize())
        }
    }
}

/// `Range: bytes=FROM-TO` of a download, and the `Content-Range` of its answer.
public struct ByteRange: Sendable, Equatable {
    public var start: Int64
    /// Inclusive; nil for "to the end".
    public var end: Int64?

    public init(start: Int64, end: Int64?) {
        self.start = start
        self.end = end
    }

    public var header: String { "bytes=\(start)-\(end.map(String.init) ?? "")" }

    /// Nil when the header is not a single `bytes=FROM-[TO]` range.
    public init?(header: String) {
        guard header.hasPrefix("bytes=") else { return nil }
        let parts = header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let s = Int64(parts[0]), s >= 0 else { return nil }
        start = s
        if parts[1].isEmpty {
            end = nil
        } else {
            guard let e = Int64(parts[1]), e >= s else { return nil }
            end = e
        }
    }

    public static func contentRange(start: Int64, count: Int, size: Int64) -> String {
        "bytes \(start)-\(start + Int64(count) - 1)/\(size)"
    }

    /// `bytes START-END/SIZE` as (start, count, size); nil unless well formed and consistent.
    public static func parseContentRange(_ header: String) -> (start: Int64, count: Int64, size: Int64)? {
        guard header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let size = Int64(parts[1]) else { return nil }
        let ends = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2, let start = Int64(ends[0]), let end = Int64(ends[1]),
            start >= 0, end >= start, end < size
        else { return nil }
        return (start, end - start + 1, size)
    }
}
