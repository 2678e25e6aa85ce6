import Crypto
import Foundation
import ZISyncCore
import ZISyncStore

/// A bukti dukung on its way from a browser: announced with its length (and SHA-256 when the
/// browser can compute it), then sent in chunks, each appended at the offset the server holds.
/// A dropped connection keeps what reached the disk; the browser asks the offset and goes on.
/// Nothing is stored as evidence until every byte is here and the hash checks.
final class WebUploads: @unchecked Sendable {
    struct Meta: Codable {
        let id: String
        let user: String
        let length: Int64
        let name: String
        let plan: String
        let title: String?
        let kind: String?
        let lke: String?
        let sha256: String?
        let createdAt: Int64
    }

    let directory: URL
    private let lock = NSLock()
    /// The request now writing each upload, by a number that grows with every new request.
    private var writers: [String: Int] = [:]
    private var generation = 0
    /// The largest file a browser may send, and how many unfinished uploads a person may hold.
    static let maxLength: Int64 = 2 << 30
    static let maxUnfinishedPerUser = 16
    /// An upload untouched this long is dropped.
    static let expirySeconds: TimeInterval = 48 * 3600

    init(home: Home) throws {
        directory = home.url.appendingPathComponent("web-uploads", isDirectory: true)
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func partURL(_ id: String) -> URL { directory.appendingPathComponent("\(id).part") }
    func metaURL(_ id: String) -> URL { directory.appendingPathComponent("\(id).json") }

    static func isID(_ s: String) -> Bool {
        s.utf8.count == 32 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Starts an upload; returns its id.
    func begin(_ meta: (String) -> Meta) throws -> String {
        expire()
        let id = String(Hashing.sha256Hex(Data(UUID().uuidString.utf8)).prefix(32))
        let m = meta(id)
        guard unfinished(of: m.user).count < Self.maxUnfinishedPerUser else {
            throw WebRefusal(
                status: .tooManyRequests,
                message:
                    "Terlalu banyak unggahan yang belum selesai (\(Self.maxUnfinishedPerUser)); selesaikan atau tunggu."
            )
        }
        guard
            FileManager.default.createFile(
                atPath: partURL(id).path, contents: nil, attributes: [.posixPermissions: 0o600])
        else { throw WebSetupError("cannot create \(partURL(id).path)") }
        try JSONEncoder().encode(m).write(to: metaURL(id), options: .atomic)
        return id
    }

    func meta(_ id: String) -> Meta? {
        guard Self.isID(id), let data = try? Data(contentsOf: metaURL(id)) else { return nil }
        return try? JSONDecoder().decode(Meta.self, from: data)
    }

    /// Bytes held of an upload.
    func offset(_ id: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: partURL(id).path)[.size]) as? NSNumber)?.int64Value ?? 0
    }

    func unfinished(of user: String) -> [Meta] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.compactMap { meta(String($0.dropLast(5))) }.filter {
            $0.user == user
        }
    }

    /// Makes this request the upload's one writer. The newest request wins: after a Wi-Fi drop
    /// the server may never hear that the old connection died, and the browser's retry must not
    /// wait for it; the old request writes nothing more (`append` checks before each chunk).
    func claim(_ id: String) -> Int {
        lock.withLock {
            generation += 1
            writers[id] = generation
            return generation
        }
    }

    func release(_ id: String, _ writer: Int) {
        lock.withLock { if writers[id] == writer { writers[id] = nil } }
    }

    /// Appends the chunks of `body` at `offset`, which must be the bytes held, as `writer` (from
    /// `claim`). Every byte that arrives is written; the file is synced when the request ends,
    /// however it ends.
    func append<S: AsyncSequence>(_ id: String, writer: Int, at offset: Int64, length: Int64, body: S) async throws
        -> Int64
    where S.Element == Data {
        let held = self.offset(id)
        guard offset == held else {
            throw WebRefusal(
                status: .conflict, message: "Posisi unggahan \(offset) tidak sama dengan \(held) byte yang diterima.")
        }
        guard let out = FileHandle(forWritingAtPath: partURL(id).path) else {
            throw WebSetupError("cannot write \(partURL(id).path)")
        }
        defer {
            try? out.synchronize()
            try? out.close()
        }
        try out.seekToEnd()
        var now = held
        for try await chunk in body {
            guard now + Int64(chunk.count) <= length else {
                throw WebRefusal.bad("Berkas lebih panjang dari \(length) byte yang diumumkan.")
            }
            // Checked and written under the lock, so a newer request's offset is never overtaken.
            try lock.withLock {
                guard writers[id] == writer else {
                    throw WebRefusal(
                        status: .conflict, message: "Unggahan ini dilanjutkan oleh permintaan yang lebih baru.")
                }
                try out.write(contentsOf: chunk)
            }
            now += Int64(chunk.count)
        }
        return now
    }

    /// The SHA-256 of a complete upload.
    func hash(_ id: String) throws -> String {
        guard let input = FileHandle(forReadingAtPath: partURL(id).path) else {
            throw WebSetupError("cannot read \(partURL(id).path)")
        }
        defer { try? input.close() }
        var hasher = SHA256()
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return Hashing.hex(hasher.finalize())
    }

    func discard(_ id: String) {
        try? FileManager.default.removeItem(at: partURL(id))
        try? FileManager.default.removeItem(at: metaURL(id))
    }

    /// Drops uploads nobody touched for two days.
    func expire(now: Date = Date()) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasSuffix(".json") {
            let id = String(name.dropLast(5))
            let touched =
                (try? FileManager.default.attributesOfItem(atPath: partURL(id).path)[.modificationDate] as? Date)
                ?? nil
            if (touched ?? .distantPast) < now.addingTimeInterval(-Self.expirySeconds) { discard(id) }
        }
    }
}
