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

    /// Writes a bundle to a temporary file next to `url` and moves it there once complete, so a
    /// crash never leaves half a bundle under the name.
    public final class Writer {
        let url: URL
        let tmp: URL
        let out: FileHandle
        var hasher = SHA256()
        public private(set) var bytes: Int64 = 0
        private var buffer = Data()
        private let encoder: JSONEncoder = {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            return e
        }()

        public init(url: URL, header: Header) throws {
            self.url = url
            tmp = url.deletingLastPathComponent().appendingPathComponent(
                ".\(url.lastPathComponent).\(UUID().uuidString)")
            guard FileManager.default.createFile(atPath: tmp.path, contents: nil),
                let handle = FileHandle(forWritingAtPath: tmp.path)
            else { throw ZISyncError("cannot write \(url.path)") }
            out = handle
            try emit(Data((magic + "\n").utf8))
            try emit(try encoder.encode(header) + Data("\n".utf8))
        }

        private func emit(_ data: Data) throws {
            hasher.update(data: data)
            try out.write(contentsOf: data)
            bytes += Int64(data.count)
        }

        /// One change in its wire form.
        public func change(_ wire: String) throws {
            buffer.append(contentsOf: wire.utf8)
            buffer.append(0x0A)
            if buffer.count > 1 << 20 { try flush() }
        }

        private func flush() throws {
            try emit(buffer)
            buffer.removeAll(keepingCapacity: true)
        }

        /// One file of `size` bytes, read through `chunk(offset, count)`.
        public func file(sha256: String, size: Int64, chunk: (Int64, Int) throws -> Data) throws {
            try flush()
            try emit(try encoder.encode(FileEntry(sha256: sha256, size: size)) + Data("\n".utf8))
            var copied: Int64 = 0
            while copied < size {
                let data = try chunk(copied, Int(min(size - copied, 1 << 20)))
                guard !data.isEmpty else { break }
                try emit(data)
                copied += Int64(data.count)
            }
            if copied != size { throw ZISyncError("stored file \(sha256) changed size while exporting") }
            try emit(Data("\n".utf8))
        }

        /// Writes the trailer, syncs and moves the bundle into place.
        public func finish() throws {
            try flush()
            let trailer = trailerPrefix + Hashing.hex(hasher.finalize()) + "\n"
            try out.write(contentsOf: Data(trailer.utf8))
            bytes += Int64(trailer.utf8.count)
            try out.synchronize()
            try out.close()
            if rename(tmp.path, url.path) != 0 { throw ZISyncError("cannot move the bundle to \(url.path)") }
        }

        /// Removes the unfinished temporary file (after an error).
        public func abandon() {
            try? out.close()
            try? FileManager.default.removeItem(at: tmp)
        }
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

/// A parent's acknowledgement of a bundle: the chain tips it now holds for every origin in the
/// child's subtree, and the files of the bundle it now holds. The child records them
/// (`zisync bundle ack`) so that its next bundle carries only what the parent lacks.
public struct BundleReceipt: Codable, Sendable, Equatable {
    public var format = 1
    public var kind = "zisync-receipt"
    public var from: String
    public var `for`: String
    public var created: String
    public var tips: [String: Int64]
    /// SHA-256s of evidence files the parent holds (absent in receipts of earlier versions).
    public var files: [String]?
    /// The hash of each tip: the office believes a tip only when it holds the same change.
    public var tipHashes: [String: String]?
    /// The importer's certificate (base64 DER) and its signature of the rest of the receipt:
    /// a receipt marks changes as delivered, so only the parent may make one.
    public var certificate: String?
    public var signature: String?

    public init(
        from: String, for child: String, tips: [String: Int64], files: [String], created: Date = Date(),
        tipHashes: [String: String]? = nil
    ) {
        self.tipHashes = tipHashes
        self.from = from
        self.for = child
        self.created = created.formatted(.iso8601)
        self.tips = tips
        self.files = files
    }

    /// What the importer signs: the receipt without its signature, keys sorted.
    public var signedBytes: [UInt8] {
        var unsigned = self
        unsigned.signature = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array("zisync-receipt-v1:".utf8) + Array((try? encoder.encode(unsigned)) ?? Data())
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    public static func read(_ url: URL) throws -> BundleReceipt {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ZISyncError("cannot read \(url.path)")
        }
        guard let receipt = try? JSONDecoder().decode(BundleReceipt.self, from: data),
            receipt.kind == "zisync-receipt", receipt.format == 1
        else { throw ZISyncError("\(url.path) is not a zisync bundle receipt") }
        return receipt
    }
}

/// Reads lines and raw byte runs from a file through one buffer.
final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var offset = 0
    /// Bytes left to read from the file.
    private var left: UInt64

    init(url: URL, limit: UInt64) throws {
        guard let h = FileHandle(forReadingAtPath: url.path) else { throw ZISyncError("cannot read \(url.path)") }
        handle = h
        left = limit
    }

    deinit { try? handle.close() }

    private func fill() throws -> Bool {
        if offset > 0 {
            buffer.removeSubrange(buffer.startIndex..<(buffer.startIndex + offset))
            offset = 0
        }
        guard left > 0, let more = try handle.read(upToCount: Int(min(left, 1 << 20))), !more.isEmpty else {
            return false
        }
        left -= UInt64(more.count)
        buffer.append(more)
        return true
    }

    func line() throws -> String? {
        while true {
            let start = buffer.startIndex + offset
            if let nl = buffer[start...].firstIndex(of: 0x0A) {
                let text = String(decoding: buffer[start..<nl], as: UTF8.self)
                offset = nl + 1 - buffer.startIndex
                return text
            }
            if try !fill() { return nil }
        }
    }

    func bytes(_ count: Int) throws -> Data {
        while buffer.count - offset < count {
            if try !fill() { throw ZISyncError("bundle ends in the middle of a file") }
        }
        let start = buffer.startIndex + offset
        let out = buffer[start..<(start + count)]
        offset += count
        return Data(out)
    }

    func skip(_ count: Int64) throws {
        var remaining = count
        while remaining > 0 {
            let n = Int(min(remaining, 1 << 20))
            _ = try bytes(n)
            remaining -= Int64(n)
        }
    }
}
