import Crypto
import Foundation
import ZISyncCore

/// The file transport: every change a node sends up, and the evidence files they name, in
/// one file a district can carry to its province on a USB stick. Layout (docs/protocol.md):
///
///     ZISYNC-BUNDLE 1\n
///     {header JSON}\n
///     one wire change JSON per line\n
///     per file: {"sha256":…,"size":N}\n, N raw bytes, \n
///     ZISYNC-BUNDLE-END <sha256 of every byte above>\n
///
/// The trailer catches a truncated copy before anything is applied.
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
    }

    struct FileEntry: Codable {
        var sha256: String
        var size: Int64
    }

    public struct ExportSummary: Sendable {
        public let changes: Int
        public let files: Int
        public let bytes: Int64
    }

    /// Writes the bundle of changes `store` sends to its parent into `url` (atomically).
    public static func export(from store: Store, to url: URL, all: Bool = false) throws -> ExportSummary {
        let changes = try store.changesForParent(all: all)
        var shas: [String] = []
        var seen = Set<String>()
        for c in changes where c.recordType == RecordType.evidence.rawValue {
            if let sha = c.fields["sha256"]?.stringValue, store.files.contains(sha), seen.insert(sha).inserted {
                shas.append(sha)
            }
        }
        return try write(
            changes, from: store.node, to: store.registry[store.node]?.parent, files: shas, fileStore: store.files,
            to: url)
    }

    /// Writes `changes` and the stored files `files` as a bundle at `url` (atomically).
    public static func write(
        _ changes: [Change], from: String, to parent: String?, files shas: [String], fileStore: FileStore, to url: URL
    ) throws -> ExportSummary {
        let header = Header(
            format: 1, from: from, to: parent, created: ISO8601DateFormatter().string(from: Date()),
            changes: changes.count, files: shas.count)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil),
            let out = FileHandle(forWritingAtPath: tmp.path)
        else { throw ZISyncError("cannot write \(url.path)") }
        var hasher = SHA256()
        var written: Int64 = 0
        func emit(_ data: Data) throws {
            hasher.update(data: data)
            try out.write(contentsOf: data)
            written += Int64(data.count)
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try emit(Data((magic + "\n").utf8))
            try emit(try encoder.encode(header) + Data("\n".utf8))
            var buffer = Data()
            for c in changes {
                buffer.append(contentsOf: c.wireJSON.utf8)
                buffer.append(0x0A)
                if buffer.count > 1 << 20 {
                    try emit(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try emit(buffer)
            for sha in shas {
                let size = fileStore.size(of: sha) ?? 0
                try emit(try encoder.encode(FileEntry(sha256: sha, size: size)) + Data("\n".utf8))
                guard let input = FileHandle(forReadingAtPath: fileStore.url(for: sha).path) else {
                    throw ZISyncError("cannot read stored file \(sha)")
                }
                var copied: Int64 = 0
                while copied < size, let chunk = try input.read(upToCount: Int(min(size - copied, 1 << 20))),
                    !chunk.isEmpty
                {
                    try emit(chunk)
                    copied += Int64(chunk.count)
                }
                try input.close()
                if copied != size { throw ZISyncError("stored file \(sha) changed size while exporting") }
                try emit(Data("\n".utf8))
            }
            let trailer = trailerPrefix + Hashing.hex(hasher.finalize()) + "\n"
            try out.write(contentsOf: Data(trailer.utf8))
            written += Int64(trailer.utf8.count)
            try out.synchronize()
            try out.close()
            if rename(tmp.path, url.path) != 0 { throw ZISyncError("cannot move the bundle to \(url.path)") }
        } catch {
            try? out.close()
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        return ExportSummary(changes: changes.count, files: shas.count, bytes: written)
    }

    public struct ImportSummary: Sendable {
        public let from: String
        public let report: ReceiveReport
        public let filesStored: Int
        public let filesSkipped: Int
        /// Evidence whose file is still not on this node (the gap shows, nothing fails).
        public let filesMissing: Int
    }

    /// Checks and applies a bundle: the trailer first (nothing is applied from a damaged
    /// file), then every change through the same validation as a network push.
    public static func importBundle(_ url: URL, into store: Store) throws -> ImportSummary {
        try checkTrailer(url)
        let reader = try LineReader(url: url)
        guard try reader.line() == magic else {
            throw ZISyncError("\(url.path) is not a zisync bundle (first line is not '\(magic)')")
        }
        guard let headerLine = try reader.line(),
            let header = try? JSONDecoder().decode(Header.self, from: Data(headerLine.utf8))
        else { throw ZISyncError("\(url.path): the bundle header is unreadable") }
        guard header.format == 1 else {
            throw ZISyncError("\(url.path): bundle format \(header.format) is not supported")
        }
        guard store.registry.contains(header.from) else {
            throw ZISyncError("bundle is from unknown satker '\(header.from)'")
        }
        guard store.registry.isStrictAncestor(store.node, of: header.from) else {
            throw ZISyncError(
                "bundle is from \(header.from), which is not an office below this node (\(store.node)); refused")
        }
        var changes: [Change] = []
        var malformed: [ReceiveReport.Refusal] = []
        for i in 0..<header.changes {
            guard let line = try reader.line() else { throw ZISyncError("\(url.path): ends after \(i) changes") }
            do {
                changes.append(try WireDecoder.change(from: Data(line.utf8)))
            } catch {
                malformed.append(.init(change: "line \(i + 3)", recordID: "", reason: "malformed change: \(error)"))
            }
        }
        var report = try store.receive(changes, sender: header.from, source: "bundle \(url.lastPathComponent)")
        report.refused.insert(contentsOf: malformed, at: 0)
        let wanted = try Set(store.records(.evidence, includeDeleted: true).compactMap { $0.string("sha256") })
        var stored = 0
        var skipped = 0
        for _ in 0..<header.files {
            guard let line = try reader.line(),
                let entry = try? JSONDecoder().decode(FileEntry.self, from: Data(line.utf8)),
                Validation.isSHA256Hex(entry.sha256), entry.size >= 0
            else { throw ZISyncError("\(url.path): a file entry is unreadable") }
            if wanted.contains(entry.sha256) && !store.files.contains(entry.sha256) {
                var remaining = entry.size
                _ = try store.files.put(expected: entry.sha256) {
                    guard remaining > 0 else { return nil }
                    let chunk = try reader.bytes(Int(min(remaining, 1 << 20)))
                    remaining -= Int64(chunk.count)
                    return chunk
                }
                stored += 1
            } else {
                try reader.skip(entry.size)
                skipped += 1
            }
            _ = try reader.bytes(1)
        }
        let missing = try store.records(.evidence).filter { !($0.string("sha256").map(store.files.contains) ?? true) }
        return ImportSummary(
            from: header.from, report: report, filesStored: stored, filesSkipped: skipped, filesMissing: missing.count)
    }

    static func checkTrailer(_ url: URL) throws {
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
    }
}

/// A parent's acknowledgement of a bundle: the chain tips it now holds for every origin in the
/// child's subtree. The child records them (`zisync bundle ack`) so that its next bundle carries
/// only what the parent lacks, evidence files included.
public struct BundleReceipt: Codable, Sendable, Equatable {
    public var format = 1
    public var kind = "zisync-receipt"
    public var from: String
    public var `for`: String
    public var created: String
    public var tips: [String: Int64]

    public static func make(by store: Store, for child: String) throws -> BundleReceipt {
        BundleReceipt(
            from: store.node, for: child, created: ISO8601DateFormatter().string(from: Date()),
            tips: try store.chainTips(subtree: child))
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// Reads a receipt and records it on `store`, which must be the office it was made for,
    /// from its parent.
    public static func apply(_ url: URL, to store: Store) throws -> BundleReceipt {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ZISyncError("cannot read \(url.path)")
        }
        guard let receipt = try? JSONDecoder().decode(BundleReceipt.self, from: data),
            receipt.kind == "zisync-receipt", receipt.format == 1
        else { throw ZISyncError("\(url.path) is not a zisync bundle receipt") }
        guard receipt.for == store.node else {
            throw ZISyncError("the receipt is for \(receipt.for), not for this node (\(store.node))")
        }
        guard receipt.from == store.registry[store.node]?.parent else {
            throw ZISyncError("the receipt is from \(receipt.from), which is not this node's parent")
        }
        try store.acknowledge(receipt.tips)
        return receipt
    }
}

/// Reads lines and raw byte runs from a file through one buffer.
final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var offset = 0

    init(url: URL) throws {
        guard let h = FileHandle(forReadingAtPath: url.path) else { throw ZISyncError("cannot read \(url.path)") }
        handle = h
    }

    deinit { try? handle.close() }

    private func fill() throws -> Bool {
        if offset > 0 {
            buffer.removeSubrange(buffer.startIndex..<(buffer.startIndex + offset))
            offset = 0
        }
        guard let more = try handle.read(upToCount: 1 << 20), !more.isEmpty else { return false }
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
