import Crypto
import Foundation
import ZISyncCore

/// The file transport's format: every change a node sends up, and the evidence files they name,
/// in one file a district can carry to its province on a USB stick (docs/protocol.md):
///
///     ZISYNC-BUNDLE 1\n
///     {header JSON}\n
///     one wire change JSON per line\n
///     per file: {"sha256":…,"size":N}\n, N raw bytes, \n
///     ZISYNC-BUNDLE-END <sha256 of every byte above>\n
///
/// The trailer catches a truncated copy before anything is applied. What goes in a bundle and
/// what is done with one are the sync engine's business (`BundleExchange`).
public enum BundleFile {
    public static let magic = "ZISYNC-BUNDLE 1"
    public static let trailerPrefix = "ZISYNC-BUNDLE-END "

    public struct Header: Codable, Sendable, Equatable {
        public var format: Int
        public var from: String
        public var to: String?
        public var created: String
        public var changes: Int
        public var files: Int
        /// The certificates of the bundle's origins, base64 DER (absent in bundles of earlier versions).
        public var certificates: [String]?

        public init(
            from: String, to: String?, created: Date = Date(), changes: Int, files: Int, certificates: [[UInt8]] = []
        ) {
            self.certificates = certificates.isEmpty ? nil : Certificates.base64(certificates)
            format = 1
            self.from = from
            self.to = to
            self.created = created.formatted(.iso8601)
            self.changes = changes
            self.files = files
        }
    }

    struct FileEntry: Codable {
        var sha256: String
        var size: Int64
    }

    /// One change line of a bundle: a change, or why it could not be read.
    public enum Line: Sendable {
        case change(Change)
        case malformed(Refusal)
    }

    /// Reads a bundle whose trailer has been checked: the header, then its changes in order,
    /// then its files.
    public final class Reader {
        public let header: Header
        let url: URL
        let lines: LineReader
        private var changesRead = 0
        private var filesRead = 0

        /// Checks the trailer first: nothing is read from a damaged or truncated file.
        public init(url: URL) throws {
            let body = try BundleFile.checkTrailer(url)
            self.url = url
            // Only what the end marker covers: the marker itself is never read as content.
            lines = try LineReader(url: url, limit: body)
            guard try lines.line() == magic else {
                throw ZISyncError("\(url.path) is not a zisync bundle (first line is not '\(magic)')")
            }
            guard let headerLine = try lines.line(),
                let header = try? JSONDecoder().decode(Header.self, from: Data(headerLine.utf8))
            else { throw ZISyncError("\(url.path): the bundle header is unreadable") }
            guard header.format == 1 else {
                throw ZISyncError("\(url.path): bundle format \(header.format) is not supported")
            }
            guard header.changes >= 0, header.files >= 0 else {
                throw ZISyncError("\(url.path): the bundle header has negative counts")
            }
            self.header = header
        }

        /// The next change line (nil after the last one), decoded on its own: a malformed line
        /// comes back as a failure naming its line, and the rest is still read.
        public func nextChange() throws -> Line? {
            guard changesRead < header.changes else { return nil }
            changesRead += 1
            guard let line = try lines.line() else {
                throw ZISyncError("\(url.path): ends after \(changesRead - 1) changes")
            }
            do throws(ChangeDecoder.Malformed) {
                return .change(try ChangeDecoder.change(from: Array(line.utf8)))
            } catch {
                return .malformed(
                    Refusal(change: "line \(changesRead + 2)", record: "", reason: "malformed change: \(error)"))
            }
        }

        /// The next file (false after the last one): `body(sha256, size, read)` may read the
        /// file's bytes through `read` (nil at its end); what it leaves unread is skipped. Call
        /// after the changes have been read (any left are skipped).
        public func nextFile(_ body: (String, Int64, () throws -> Data?) throws -> Void) throws -> Bool {
            while try nextChange() != nil {}
            guard filesRead < header.files else { return false }
            filesRead += 1
            guard let line = try lines.line(),
                let entry = try? JSONDecoder().decode(FileEntry.self, from: Data(line.utf8)),
                Validation.isSHA256Hex(entry.sha256), entry.size >= 0
            else { throw ZISyncError("\(url.path): a file entry is unreadable") }
            var remaining = entry.size
            let lines = self.lines
            try body(entry.sha256, entry.size) {
                guard remaining > 0 else { return nil }
                let chunk = try lines.bytes(Int(min(remaining, 1 << 20)))
                remaining -= Int64(chunk.count)
                return chunk
            }
            try lines.skip(remaining)
            _ = try lines.bytes(1)
            return true
        }
    }

    /// Checks the end marker; returns how many bytes it covers.
    @discardableResult
    static func checkTrailer(_ url: URL) throws -> UInt64 {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { throw ZISyncError("cannot read \(url.path)") }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        let trailerLength = UInt64(trailerPrefix.utf8.count + 64 + 1)
        guard size > trailerLength else { throw ZISyncError("\(url.path) is too short to be a zisync bundle") }
        try handle.seek(toOffset: size - trailerLength)
        let trailer = String(decoding: try handle.read(upToCount: Int(trailerLength)) ?? Data(), as: UTF8.self)
        guard trailer.hasPrefix(trailerPrefix), trailer.hasSuffix("\n") else {
            throw ZISyncError("\(url.path) is incomplete: its end marker is missing (truncated copy?)")
        }
        let expected = String(trailer.dropFirst(trailerPrefix.utf8.count).dropLast())
        try handle.seek(toOffset: 0)
        var hasher = SHA256()
        var remaining = size - trailerLength
        while remaining > 0, let chunk = try handle.read(upToCount: Int(min(remaining, 1 << 20))), !chunk.isEmpty {
            hasher.update(data: chunk)
            remaining -= UInt64(chunk.count)
        }
        guard Hashing.hex(hasher.finalize()) == expected else {
            throw ZISyncError("\(url.path) is damaged: its content does not match its end marker's checksum")
        }
        return size - trailerLength
    }
}
