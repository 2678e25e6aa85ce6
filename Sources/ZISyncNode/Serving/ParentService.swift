import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ZISyncCore
import ZISyncProtocol
import ZISyncTransport

/// What a parent serves its children: push, pull and evidence files (tus 1.0.0 uploads with
/// the creation and checksum extensions, Range downloads). Every request is authenticated
/// by its client certificate and must come from a direct child of this node.
public struct ParentService: Sendable {
    public let store: Store
    let logger: Logger
    let uploads = UploadLocks()
    /// Milliseconds a pushed change's clock may run ahead of this node's before it waits.
    let maxClockAhead: Int64

    public init(store: Store, logger: Logger, maxClockAheadSeconds: Int = 300) {
        self.store = store
        self.logger = logger
        maxClockAhead = Int64(maxClockAheadSeconds) * 1000
    }

    static let protocolField = HTTPField.Name(SyncProtocol.header)!
    static let tusResumable = HTTPField.Name("Tus-Resumable")!
    static let tusVersion = HTTPField.Name("Tus-Version")!
    static let tusExtension = HTTPField.Name("Tus-Extension")!
    static let tusMaxSize = HTTPField.Name("Tus-Max-Size")!
    static let tusChecksumAlgorithm = HTTPField.Name("Tus-Checksum-Algorithm")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
    static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
    static let uploadChecksum = HTTPField.Name("Upload-Checksum")!

    public func router() -> Router<PeerRequestContext> {
        let router = Router(context: PeerRequestContext.self)
        router.add(middleware: ChildAuthentication(store: store))
        router.post("/v1/push") { request, context in try await self.push(request, context) }
        router.get("/v1/pull") { request, context in try await self.pull(request, context) }
        router.post("/v1/report") { request, context in try await self.report(request, context) }
        router.on("/v1/files", method: .options) { _, _ in Self.tusOptions() }
        router.post("/v1/files") { request, context in try await self.createUpload(request, context) }
        router.on("/v1/files/:sha", method: .head) { request, context in try await self.uploadStatus(request, context) }
        router.patch("/v1/files/:sha") { request, context in try await self.appendUpload(request, context) }
        router.get("/v1/files/:sha") { request, context in try await self.download(request, context) }
        return router
    }

    // MARK: push and pull

    func push(_ request: Request, _ context: PeerRequestContext) async throws -> Response {
        let child = try await context.peerSatker()
        var request = request
        var body = Data(buffer: try await request.collectBody(upTo: SyncProtocol.maxPushBytes))
        if request.headers[.contentEncoding] == "gzip" { body = try SyncProtocol.gunzip(body) }
        guard let push = try? WireDecoder.changes(in: body), let from = push.other["from"] as? String else {
            return Self.error(.badRequest, "the push body is not a zisync push")
        }
        guard from == child else {
            return Self.error(.forbidden, "the push says it is from \(from) but the certificate is \(child)")
        }
        guard push.changes.count <= SyncProtocol.maxPushChanges else {
            return Self.error(.contentTooLarge, "at most \(SyncProtocol.maxPushChanges) changes per push")
        }
        var changes: [Change] = []
        var malformed: [PushResponse.Refusal] = []
        for (i, result) in push.changes.enumerated() {
            switch result {
            case .success(let change): changes.append(change)
            case .failure(let error):
                malformed.append(.init(change: "#\(i + 1)", record: "", reason: "malformed change: \(error)"))
            }
        }
        let now = HybridClock.systemMilliseconds()
        let store = self.store
        let received = changes
        let ahead = maxClockAhead
        let (report, tips) = try await blocking {
            let report = try store.receivePush(received, from: child, at: now, maxClockAhead: ahead)
            return (report, try store.chainTips(subtree: child))
        }
        let response = PushResponse(
            accepted: report.applied, duplicates: report.duplicates, held: report.held,
            refused: malformed
                + report.refused.map { .init(change: $0.change, record: $0.recordID, reason: $0.reason) },
            tips: tips, serverTime: now,
            heldReason: report.heldForClock == 0
                ? nil
                : "\(report.heldForClock) change(s) carry a clock more than \(maxClockAhead / 1000) s ahead of \(store.node)'s; they wait here until \(store.node)'s clock reaches them"
        )
        NodeMetrics.childSeen(child, at: now)
        NodeMetrics.received(from: child, applied: report.applied, refused: response.refused.count)
        if !response.refused.isEmpty {
            logger.warning(
                "push from \(child): \(response.refused.count) refused, first: \(response.refused[0].reason)")
        }
        return try Self.json(try JSONEncoder().encode(response), request: request)
    }

    func pull(_ request: Request, _ context: PeerRequestContext) async throws -> Response {
        let child = try await context.peerSatker()
        let after = request.uri.queryParameters.get("after", as: Int64.self) ?? 0
        let limit = min(request.uri.queryParameters.get("limit", as: Int.self) ?? 1000, SyncProtocol.maxPullChanges)
        let store = self.store
        let now = HybridClock.systemMilliseconds()
        let page = try await blocking {
            let page = try store.changesForChild(child, after: after, limit: limit)
            try store.childPulled(child, at: now)
            return page
        }
        NodeMetrics.childSeen(child, at: now)
        NodeMetrics.sent(to: child, changes: page.changes.count)
        let body = SyncProtocol.changesBody(
            page.changes,
            extra: [("more", page.more ? "true" : "false"), ("next", "\(page.next)"), ("serverTime", "\(now)")])
        return try Self.json(body, request: request)
    }

    /// A child's account of itself after a round: kept for the children table of `status`.
    func report(_ request: Request, _ context: PeerRequestContext) async throws -> Response {
        let child = try await context.peerSatker()
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: 64 << 10))
        guard let report = try? JSONDecoder().decode(ChildReport.self, from: body) else {
            return Self.error(.badRequest, "the body is not a zisync child report")
        }
        let now = HybridClock.systemMilliseconds()
        let store = self.store
        let text = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try await blocking { try store.childReported(child, report: text, at: now) }
        NodeMetrics.childSeen(child, at: now)
        if let problem = report.problem {
            logger.notice("\(child) reports: \(problem.message)")
        }
        return try Self.json(Data("{}".utf8), request: request)
    }

    // MARK: files (tus 1.0.0: core, creation, checksum)

    static func tusOptions() -> Response {
        var headers = HTTPFields()
        headers[tusResumable] = "1.0.0"
        headers[tusVersion] = "1.0.0"
        headers[tusExtension] = "creation,checksum"
        headers[tusChecksumAlgorithm] = "sha256,sha1"
        headers[tusMaxSize] = String(SyncProtocol.maxFileBytes)
        headers[protocolField] = SyncProtocol.version
        return Response(status: .noContent, headers: headers)
    }

    /// The child may send or fetch a file only if an evidence record in its subtree names it.
    func fileIsNamed(_ sha: String, by child: String) async throws -> Bool {
        let store = self.store
        return try await blocking {
            try store.evidenceOwners(sha256: sha).contains { store.registry.isInSubtree($0, of: child) }
        }
    }

    func createUpload(_ request: Request, _ context: PeerRequestContext) async throws -> Response {
        let child = try await context.peerSatker()
        guard request.headers[Self.tusResumable] == "1.0.0" else {
            return Self.tusError(.preconditionFailed, "Tus-Resumable 1.0.0 required")
        }
        guard let lengthText = request.headers[Self.uploadLength], let length = Int64(lengthText), length >= 0,
            length <= SyncProtocol.maxFileBytes
        else { return Self.tusError(.badRequest, "Upload-Length missing or too large") }
        guard let sha = Self.metadata(request.headers[Self.uploadMetadata] ?? "")["sha256"], Validation.isSHA256Hex(sha)
        else { return Self.tusError(.badRequest, "Upload-Metadata must carry sha256 (hex, base64-encoded)") }
        guard try await fileIsNamed(sha, by: child) else {
            return Self.tusError(
                .forbidden, "no evidence record of \(child)'s subtree names \(sha); push the record first")
        }
        try store.files.beginPartial(sha, length: length)
        var headers = HTTPFields()
        headers[Self.tusResumable] = "1.0.0"
        headers[.location] = "/v1/files/\(sha)"
        headers[Self.uploadOffset] = String(store.files.progress(sha)?.offset ?? 0)
        headers[Self.protocolField] = SyncProtocol.version
        return Response(status: .created, headers: headers)
    }

    func uploadStatus(_ request: Request, _ context: PeerRequestContext) async throws -> Response {
        let child = try await context.peerSatker()
        let sha = context.parameters.get("sha") ?? ""
        guard Validation.isSHA256Hex(sha), try await fileIsNamed(sha, by: child) else {
            return Self.tusError(.notFound, "no upload of that file")
        }
        try store.files.finishIfComplete(sha)
        guard let (offset, length) = store.files.progress(sha) else {
            return Self.tusError(.notFound, "no upload of that file")
        }
        var headers = HTTPFields()
        headers[Self.tusResumable] = "1.0.0"
        headers[Self.uploadOffset] = String(offset)
        headers[Self.uploadLength] = String(length)
        headers[.cacheControl] = "no-store"
        headers[Self.protocolField] = SyncProtocol.version
        return Response(status: .ok, headers: headers)
    }

    func appendUpload(_ request: Request, _ context: PeerRequestContext) async throws -> Response {
        let child = try await context.peerSatker()
        let sha = context.parameters.get("sha") ?? ""
        guard request.headers[Self.tusResumable] == "1.0.0" else {
            return Self.tusError(.preconditionFailed, "Tus-Resumable 1.0.0 required")
        }
        guard request.headers[.contentType] == "application/offset+octet-stream" else {
            return Self.tusError(.unsupportedMediaType, "Content-Type must be application/offset+octet-stream")
        }
        guard Validation.isSHA256Hex(sha), try await fileIsNamed(sha, by: child),
            let (held, _) = store.files.progress(sha)
        else { return Self.tusError(.notFound, "no upload of that file") }
        guard let offsetText = request.headers[Self.uploadOffset], let offset = Int64(offsetText), offset == held else {
            return Self.tusError(.conflict, "Upload-Offset must be \(held)")
        }
        var algorithm: ChunkChecksum?
        var expected = ""
        if let checksum = request.headers[Self.uploadChecksum] {
            let parts = checksum.split(separator: " ")
            guard parts.count == 2, let a = ChunkChecksum(rawValue: String(parts[0])) else {
                return Self.tusError(.badRequest, "checksum algorithm must be one of sha256, sha1")
            }
            algorithm = a
            expected = Hashing.hex(Data(base64Encoded: String(parts[1])) ?? Data())
        }
        // One writer per file at a time: a PATCH cut by a broken link may still be draining
        // when the resumed one arrives.
        guard await uploads.acquire(sha) else {
            return Self.tusError(
                HTTPResponse.Status(code: 423, reasonPhrase: "Locked"),
                "another upload of this file is still in progress")
        }
        defer { Task { await uploads.release(sha) } }
        guard store.files.progress(sha)?.offset == offset else {
            return Self.tusError(.conflict, "Upload-Offset must be \(store.files.progress(sha)?.offset ?? 0)")
        }
        // Stream the body to disk as it arrives: a cut keeps what arrived, and the next
        // HEAD reports it, so a resumed upload re-sends only what was lost in flight.
        let writer: PartialWriter
        do {
            writer = try store.files.partialWriter(sha, at: offset)
        } catch let e as ZISyncError {
            return Self.tusError(.conflict, e.description)
        }
        var hasher = algorithm.map { ChunkHasher($0) }
        do {
            for try await buffer in request.body {
                let data = Data(buffer: buffer)
                hasher?.update(data)
                try writer.write(data)
            }
        } catch {
            _ = try? writer.finish()
            throw error
        }
        if let hasher, hasher.finalHex() != expected {
            try writer.rollBack()
            _ = try writer.finish()
            return Self.tusError(
                HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch"), "chunk checksum mismatch")
        }
        let newOffset: Int64
        do {
            newOffset = try writer.finish()
        } catch let e as ZISyncError {
            return Self.tusError(.badRequest, e.description)
        }
        var headers = HTTPFields()
        headers[Self.tusResumable] = "1.0.0"
        headers[Self.uploadOffset] = String(newOffset)
        headers[Self.protocolField] = SyncProtocol.version
        return Response(status: .noContent, headers: headers)
    }

    func download(_ request: Request, _ context: PeerRequestContext) async throws -> Response {
        let child = try await context.peerSatker()
        let sha = context.parameters.get("sha") ?? ""
        guard Validation.isSHA256Hex(sha), store.files.contains(sha), let size = store.files.size(of: sha) else {
            return Self.error(.notFound, "file not here")
        }
        guard try await fileIsNamed(sha, by: child) else { return Self.error(.forbidden, "not in \(child)'s scope") }
        var start: Int64 = 0
        var end = size - 1
        var status = HTTPResponse.Status.ok
        if let range = request.headers[.range], range.hasPrefix("bytes=") {
            let parts = range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let s = Int64(parts[0]), s < size else {
                return Self.error(.rangeNotSatisfiable, "bad range '\(range)' for \(size) bytes")
            }
            start = s
            if let e = Int64(parts[1]) { end = min(e, size - 1) }
            status = .partialContent
        }
        let count = Int(min(end - start + 1, Int64(SyncProtocol.maxPushBytes)))
        let files = store.files
        let from = start
        let data = try await blocking { try files.read(sha, offset: from, count: count) }
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.acceptRanges] = "bytes"
        headers[Self.protocolField] = SyncProtocol.version
        if status == .partialContent {
            headers[.contentRange] = "bytes \(start)-\(start + Int64(data.count) - 1)/\(size)"
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: helpers

    /// tus Upload-Metadata: comma-separated `key base64value` pairs.
    static func metadata(_ header: String) -> [String: String] {
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

    static func json(_ body: Data, request: Request) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = SyncProtocol.jsonType
        headers[protocolField] = SyncProtocol.version
        var payload = body
        if body.count > 1024, request.headers[.acceptEncoding]?.contains("gzip") == true {
            payload = try SyncProtocol.gzip(body)
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: payload)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = SyncProtocol.jsonType
        headers[protocolField] = SyncProtocol.version
        let body = (try? JSONEncoder().encode(ErrorResponse(error: message))) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func tusError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var r = error(status, message)
        r.headers[tusResumable] = "1.0.0"
        return r
    }
}

/// Which files have a PATCH being written, so that two never write one partial file.
actor UploadLocks {
    private var active: Set<String> = []

    /// Waits up to ten seconds for the file's previous writer to finish.
    func acquire(_ sha: String) async -> Bool {
        for _ in 0..<200 {
            if active.insert(sha).inserted { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return false
    }

    func release(_ sha: String) { active.remove(sha) }
}

/// tus checksum algorithms accepted for a chunk (sha1 because common tus clients default to it).
enum ChunkChecksum: String {
    case sha256, sha1

}

/// Hashes a chunk as it streams in.
struct ChunkHasher {
    var sha256 = SHA256()
    var sha1 = Insecure.SHA1()
    let algorithm: ChunkChecksum

    init(_ algorithm: ChunkChecksum) { self.algorithm = algorithm }

    mutating func update(_ data: Data) {
        switch algorithm {
        case .sha256: sha256.update(data: data)
        case .sha1: sha1.update(data: data)
        }
    }

    func finalHex() -> String {
        switch algorithm {
        case .sha256: return Hashing.hex(sha256.finalize())
        case .sha1: return Hashing.hex(sha1.finalize())
        }
    }
}

/// Admits only direct children of this node, named by their client certificate.
struct ChildAuthentication: RouterMiddleware {
    typealias Context = PeerRequestContext
    let store: Store

    func handle(
        _ request: Request, context: PeerRequestContext, next: (Request, PeerRequestContext) async throws -> Response
    ) async throws -> Response {
        let child: String
        do {
            child = try await context.peerSatker()
        } catch {
            return ParentService.error(.unauthorized, "client certificate does not name a satker: \(error)")
        }
        guard store.registry[child]?.parent == store.node else {
            return ParentService.error(.forbidden, "\(child) is not a child of \(store.node)")
        }
        if request.uri.path.hasPrefix("/v1/files") {
            return try await next(request, context)
        }
        guard request.headers[ParentService.protocolField] == SyncProtocol.version else {
            return ParentService.error(.badRequest, "\(SyncProtocol.header): \(SyncProtocol.version) required")
        }
        return try await next(request, context)
    }
}

/// Runs blocking store work off the cooperative thread pool.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
