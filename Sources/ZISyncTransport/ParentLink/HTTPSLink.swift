import Foundation
import ZISyncEngine
import ZISyncProtocol

/// The parent link over HTTPS with mutual TLS, through the one libcurl client. Two connections:
/// pushes alternate between them (two batches in flight), everything else uses the first.
/// Only a well-formed zisync answer counts: the protocol header, the expected status and content
/// type; anything else (a captive portal's `200 text/html`) is a failure.
public final class HTTPSLink: ParentLink, @unchecked Sendable {
    /// The parent's base URL, `https://HOST:PORT`.
    public let base: String
    let parentSatker: String
    let http: CurlHTTPClient
    let pushLane: CurlHTTPClient
    /// The connections files go up on, one per file in flight (the first two are shared with the
    /// rest of the round, which does not run while files go up).
    let fileLanes: [CurlHTTPClient]
    private let lock = NSLock()
    private var pushes = 0

    /// `parent`: the parent's base URL; `parentSatker`: the office the parent's certificate must
    /// name; `configuration`: this office's certificate, key and CA and the link's timeouts.
    public init(parent: String, parentSatker: String, configuration: HTTPClientConfiguration) {
        self.parentSatker = parentSatker
        base = parent.hasSuffix("/") ? String(parent.dropLast()) : parent
        var c = configuration
        c.serverSatker = parentSatker
        // Uploads' progress follows the wire, so the next body starts as one ends (`SendSlots`).
        c.unsentBytesLimit = 16_384
        http = CurlHTTPClient(configuration: c)
        pushLane = CurlHTTPClient(configuration: c)
        fileLanes = [http, pushLane] + (2..<SyncRound.filesInFlight).map { _ in CurlHTTPClient(configuration: c) }
    }

    public func cancel() {
        for client in fileLanes { client.cancel() }
    }

    // MARK: - Requests

    static let protocolHeader = (SyncProtocol.header, SyncProtocol.version)
    static let tusHeader = (Tus.resumable, Tus.version)

    /// Sends one request; a failed transfer becomes a `LinkFailure` explaining the curl error.
    func send(
        _ request: HTTPRequest, via client: CurlHTTPClient? = nil, progress: TransferProgress? = nil,
        upload: Bool = false
    )
        async throws -> HTTPResponse
    {
        var watch: (@Sendable (Int64, Int64) -> Void)?
        if let progress {
            watch = { sent, received in progress(upload ? sent : received) }
        }
        do {
            return try await (client ?? http).send(request, progress: watch)
        } catch let error as TransportError {
            throw HTTPSFailures.failure(error, parent: base, parentSatker: parentSatker)
        }
    }

    /// Accepts only a well-formed zisync answer with one of `status` (and JSON where JSON is expected).
    func check(_ r: HTTPResponse, _ url: String, status: Set<Int>, json: Bool = true) throws {
        guard r.headers[SyncProtocol.header.lowercased()] == SyncProtocol.version else {
            // A server error without the header: the parent (or a proxy before it) failing, not a portal.
            if r.status >= 500 {
                throw LinkFailure.answer(status: r.status, detail: "without the zisync header", request: url)
            }
            throw LinkFailure.notZISync(status: r.status, contentType: r.contentType, request: url)
        }
        guard status.contains(r.status) else {
            let message =
                (try? JSONDecoder().decode(ErrorAnswer.self, from: r.body)).map { PeerText.clean($0.error) } ?? ""
            throw LinkFailure.answer(status: r.status, detail: message, request: url)
        }
        if json && !r.contentType.hasPrefix(SyncProtocol.jsonType) {
            throw LinkFailure.answer(status: r.status, detail: "expected JSON, got \(r.contentType)", request: url)
        }
    }

    // MARK: - Push, pull, report

    public func push(from: String, wire: [String], certificates: [[UInt8]]) async throws -> PushAnswer {
        let lane = lock.withLock {
            defer { pushes += 1 }
            return pushes % 2 == 0 ? http : pushLane
        }
        let url = base + Route.push
        let body = try SyncProtocol.gzip(PushRequest.encode(from: from, wire: wire, certificates: certificates))
        let r = try await send(
            HTTPRequest(
                method: "POST", url: url,
                headers: [
                    Self.protocolHeader, ("Content-Type", SyncProtocol.jsonType), ("Content-Encoding", "gzip"),
                ], body: body), via: lane)
        try check(r, url, status: [200])
        do {
            return try PushAnswer.decode(r.body, sent: wire.count)
        } catch {
            throw LinkFailure.malformed("the push answer is not a zisync push answer (\(error))", request: url)
        }
    }

    public func pull(after cursor: Int64, limit: Int) async throws -> PullPage {
        try await page(base + Route.pull(after: cursor, limit: limit), what: "pull")
    }

    public func restore(after cursor: Int64, limit: Int) async throws -> PullPage {
        try await page(base + Route.restore(after: cursor, limit: limit), what: "restore")
    }

    func page(_ url: String, what: String) async throws -> PullPage {
        let r = try await send(HTTPRequest(method: "GET", url: url, headers: [Self.protocolHeader]))
        try check(r, url, status: [200])
        do {
            return try PullPage.decode(r.body)
        } catch {
            throw LinkFailure.malformed("the \(what) answer is not a zisync pull answer (\(error))", request: url)
        }
    }

    public func report(_ report: ChildReport) async throws {
        let url = base + Route.report
        let r = try await send(
            HTTPRequest(
                method: "POST", url: url, headers: [Self.protocolHeader, ("Content-Type", SyncProtocol.jsonType)],
                body: report.encoded()))
        try check(r, url, status: [200])
    }

    // MARK: - Files (tus up, Range down)

    func lane(_ n: Int) -> CurlHTTPClient { fileLanes[abs(n) % fileLanes.count] }

    public func uploadOffset(sha256: String, size: Int64, lane n: Int) async throws -> Int64 {
        let url = base + Route.files
        let create = try await send(
            HTTPRequest(
                method: "POST", url: url,
                headers: [
                    Self.protocolHeader, Self.tusHeader, (Tus.uploadLength, String(size)),
                    (Tus.uploadMetadata, Tus.metadata(sha256: sha256)),
                ], body: Data()), via: lane(n))
        try check(create, url, status: [201], json: false)
        if let offset = create.headers[Tus.uploadOffset.lowercased()] {
            return try Self.offset(offset, within: 0...size, request: url)
        }
        let fileURL = base + Route.file(sha256)
        let head = try await send(
            HTTPRequest(method: "HEAD", url: fileURL, headers: [Self.protocolHeader, Self.tusHeader]), via: lane(n))
        try check(head, fileURL, status: [200], json: false)
        return try Self.offset(head.headers[Tus.uploadOffset.lowercased()] ?? "", within: 0...size, request: fileURL)
    }

    /// An `Upload-Offset` the parent stated, believed only within `bounds` (a negative offset, or
    /// one beyond what was sent, would make the child skip bytes or call a file uploaded).
    static func offset(_ header: String, within bounds: ClosedRange<Int64>, request: String) throws -> Int64 {
        guard let offset = Int64(header), bounds.contains(offset) else {
            throw LinkFailure.malformed(
                "Upload-Offset '\(PeerText.clean(header, max: 40))' is outside \(bounds.lowerBound)...\(bounds.upperBound)",
                request: request)
        }
        return offset
    }

    public func upload(sha256: String, offset: Int64, chunk: Data, progress: TransferProgress?, lane n: Int)
        async throws -> Int64
    {
        let url = base + Route.file(sha256)
        let r = try await send(
            HTTPRequest(
                method: "PATCH", url: url,
                headers: [
                    Self.protocolHeader, Self.tusHeader, ("Content-Type", Tus.chunkType),
                    (Tus.uploadOffset, String(offset)), (Tus.uploadChecksum, Tus.checksum(of: chunk)),
                ], body: chunk), via: lane(n), progress: progress, upload: true)
        try check(r, url, status: [204], json: false)
        return try Self.offset(
            r.headers[Tus.uploadOffset.lowercased()] ?? "", within: (offset + 1)...(offset + Int64(chunk.count)),
            request: url)
    }

    public func download(sha256: String, range: ByteRange, progress: TransferProgress?) async throws -> Data? {
        let url = base + Route.file(sha256)
        var request = HTTPRequest(method: "GET", url: url, headers: [Self.protocolHeader, ("Range", range.header)])
        request.maxResponseBytes = SyncProtocol.maxRangeAnswerBytes
        let r = try await send(request, progress: progress)
        if r.status == 404 && r.headers[SyncProtocol.header.lowercased()] == SyncProtocol.version { return nil }
        try check(r, url, status: [206], json: false)
        // The bytes must be the ones asked for: appended elsewhere they would spoil the partial file.
        guard let answered = ByteRange.parseContentRange(r.headers["content-range"] ?? ""),
            answered.start == range.start, answered.count == Int64(r.body.count),
            range.end.map({ answered.start + answered.count - 1 <= $0 }) ?? true
        else {
            throw LinkFailure.malformed(
                "the answer's Content-Range '\(PeerText.clean(r.headers["content-range"] ?? "", max: 80))' does not match \(range.header) and its \(r.body.count) bytes",
                request: url, status: r.status)
        }
        return r.body
    }
}
