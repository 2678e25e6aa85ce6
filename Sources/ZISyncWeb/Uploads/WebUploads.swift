import Foundation
import ZISyncCore
import ZISyncStore

/// A bukti dukung on its way from a browser, through the store's one resumable upload
/// (`FileStore`'s partial files, as a child's tus upload): announced with its length (and SHA-256
/// when the browser can compute it) under an upload id, with `web-NAME` as its uploader, so the
/// node's `UploadLimits` (quota, expiry) and the newest-request-writes rule hold for it too; then
/// sent in chunks, each appended at the offset held. A dropped connection keeps what reached the
/// disk; the browser asks the offset and goes on. Nothing is stored as evidence until every byte
/// is here and the hash checks. What the browser announced (the plan, the name, …) is kept beside it.
struct WebUploads: Sendable {
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

    let files: FileStore
    let limits: UploadLimits
    /// Which uploads are being finished, and the answers of those finished lately.
    let finishes = UploadFinishes()
    /// The largest file a browser may send.
    static let maxLength: Int64 = 2 << 30

    /// The uploader a person's uploads are kept under.
    static func uploader(_ user: String) -> String { "web-" + user }

    /// Starts an upload within the person's quota; returns its id.
    func begin(_ meta: (String) -> Meta) throws -> String {
        let id = String(Hashing.sha256Hex(Data(UUID().uuidString.utf8)).prefix(32))
        let m = meta(id)
        let uploader = Self.uploader(m.user)
        do {
            try files.beginUpload(id, length: m.length, uploader: uploader, limits: limits)
        } catch let e as UploadQuotaExceeded {
            throw WebRefusal(
                status: .tooManyRequests,
                message:
                    "Terlalu banyak unggahan yang belum selesai (\(e.heldCount) berkas, \(Words.bytes(e.heldBytes))); selesaikan atau tunggu."
            )
        }
        try files.setUploadMeta(try JSONEncoder().encode(m), key: id, uploader: uploader)
        return id
    }

    /// The person's own upload `id` (another's is not found).
    func meta(_ id: String, user: String) -> Meta? {
        guard let data = files.uploadMeta(key: id, uploader: Self.uploader(user)) else { return nil }
        return try? JSONDecoder().decode(Meta.self, from: data)
    }

    /// Bytes held of an upload.
    func offset(_ m: Meta) -> Int64 { files.progress(m.id, uploader: Self.uploader(m.user))?.offset ?? 0 }

    /// Appends the chunks of `body` at `offset`, which must be the bytes held, as the upload's
    /// newest request. Every byte that arrives is written; the file is synced when the request
    /// ends, however it ends.
    func append<S: AsyncSequence>(_ m: Meta, at offset: Int64, body: S) async throws -> Int64 where S.Element == Data {
        let uploader = Self.uploader(m.user)
        let held = self.offset(m)
        guard offset == held else {
            throw WebRefusal(
                status: .conflict, message: "Posisi unggahan \(offset) tidak sama dengan \(held) byte yang diterima.")
        }
        let token = files.claimWriter(m.id, uploader: uploader)
        defer { files.releaseWriter(m.id, uploader: uploader, token) }
        let writer: PartialWriter
        do {
            writer = try files.partialWriter(m.id, uploader: uploader, at: offset, token: token)
        } catch {
            throw WebRefusal(status: .conflict, message: "Unggahan ini tidak dapat dilanjutkan; mulai lagi.")
        }
        do {
            for try await chunk in body {
                do {
                    try writer.write(chunk)
                } catch is UploadSuperseded {
                    throw WebRefusal(
                        status: .conflict, message: "Unggahan ini dilanjutkan oleh permintaan yang lebih baru.")
                } catch is ZISyncError {
                    throw WebRefusal.bad("Berkas lebih panjang dari \(m.length) byte yang diumumkan.")
                }
            }
        } catch {
            _ = try? writer.finish()
            throw error
        }
        return try writer.finish()
    }

    /// The SHA-256 of a complete upload.
    func hash(_ m: Meta) throws -> String { try files.hashPartial(m.id, uploader: Self.uploader(m.user)) }

    /// Where its bytes are, for the bukti dukung to take them.
    func url(_ m: Meta) -> URL { files.partialURL(m.id, uploader: Self.uploader(m.user)) }

    func discard(_ m: Meta) { files.discardPartial(m.id, uploader: Self.uploader(m.user)) }
}
