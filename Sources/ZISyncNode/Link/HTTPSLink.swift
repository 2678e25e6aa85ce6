import Foundation
import ZISyncCore
import ZISyncEngine
import ZISyncProtocol
import ZISyncStore
import ZISyncTransport

/// The parent link over HTTPS with mutual TLS, through the one libcurl client. Two connections:
/// pushes alternate between them (two batches in flight), everything else uses the first.
/// Only a well-formed zisync answer counts: the protocol header, the expected status and content
/// type; anything else (a captive portal's `200 text/html`) is a failure.
public final class HTTPSLink: ParentLink, @unchecked Sendable {
    /// The parent's base URL, `https://HOST:PORT`.
    public let base: String
    let http: CurlHTTPClient
    let pushLane: CurlHTTPClient
    private let lock = NSLock()
    private var pushes = 0

    public init(config: NodeConfig, home: Home) throws {
        guard let parent = config.parent else {
            throw ZISyncError("this node has no parent configured ('parent' in zisync.toml)")
        }
        base = parent.hasSuffix("/") ? String(parent.dropLast()) : parent
        var c = HTTPClientConfiguration(
            caFile: config.path(config.caFile, home: home),
            certificateFile: config.path(config.certificateFile, home: home),
            keyFile: config.path(config.keyFile, home: home))
        c.connectTimeoutSeconds = config.connectTimeoutSeconds
        c.lowSpeedSeconds = config.lowSpeedSeconds
        c.maxBytesPerSecond = config.maxBytesPerSecond
        http = CurlHTTPClient(configuration: c)
        pushLane = CurlHTTPClient(configuration: c)
    }

    public func cancel() {
        http.cancel()
        pushLane.cancel()
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
            throw HTTPSFailures.failure(error, parent: base)
        }
    }

    /// Accepts only a well-formed zisync answer with one of `status` (and JSON where JSON is expected).
    func check(_ r: HTTPResponse, _ url: String, status: Set<Int>, json: Bool = true) throws {
        guard r.headers[SyncProtocol.header.lowercased()] == SyncProtocol.version else {
            throw LinkFailure.notZISync(status: r.status, contentType: r.contentType, request: url)
        }
        guard status.contains(r.status) else {
            let message = (try? JSONDecoder().decode(ErrorAnswer.self, from: r.body))?.error ?? ""
            throw LinkFailure.answer(status: r.status, detail: message, request: url)
        }
        if json && !r.contentType.hasPrefix(SyncProtocol.jsonType) {
            throw LinkFailure.answer(status: r.status, detail: "expected JSON, got \(r.contentType)", request: url)
        }
    }

    // MARK: - Push, pull, report

    public func push(from: String, wire: [String]) async throws -> PushAnswer {
        let lane = lock.withLock {
            defer { pushes += 1 }
            return pushes % 2 == 0 ? http : pushLane
        }
        let url = base + Route.push
        let body = try SyncProtocol.gzip(PushRequest.encode(from: from, wire: wire))
        let r = try await send(
            HTTPRequest(
                method: "POST", url: url,
                headers: [
                    Self.protocolHeader, ("Content-Type", SyncProtocol.jsonType), ("Content-Encoding", "gzip"),
                ], body: body), via: lane)
        try check(r, url, status: [200])
        guard let answer = try? JSONDecoder().decode(PushAnswer.self, from: r.body) else {
            throw LinkFailure.malformed("the push answer is not a zisync push answer", request: url)
        }
        return answer
    }

    public func pull(after cursor: Int64, limit: Int) async throws -> PullPage {
        let url = base + Route.pull(after: cursor, limit: limit)
        let r = try await send(HTTPRequest(method: "GET", url: url, headers: [Self.protocolHeader]))
        try check(r, url, status: [200])
        do {
            return try PullPage.decode(r.body)
        } catch {
            throw LinkFailure.malformed("the pull answer is not a zisync pull answer (\(error))", request: url)
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

    public func uploadOffset(sha256: String, size: Int64) async throws -> Int64 {
        let url = base + Route.files
        let create = try await send(
            HTTPRequest(
                method: "POST", url: url,
                headers: [
                    Self.protocolHeader, Self.tusHeader, (Tus.uploadLength, String(size)),
                    (Tus.uploadMetadata, Tus.metadata(sha256: sha256)),
                ], body: Data()))
        try check(create, url, status: [201], json: false)
        if let offset = create.headers[Tus.uploadOffset.lowercased()].flatMap({ Int64($0) }) { return offset }
        let fileURL = base + Route.file(sha256)
        let head = try await send(
            HTTPRequest(method: "HEAD", url: fileURL, headers: [Self.protocolHeader, Self.tusHeader]))
        try check(head, fileURL, status: [200], json: false)
        return Int64(head.headers[Tus.uploadOffset.lowercased()] ?? "") ?? 0
    }

    public func upload(sha256: String, offset: Int64, chunk: Data, progress: TransferProgress?) async throws -> Int64 {
        let url = base + Route.file(sha256)
        let r = try await send(
            HTTPRequest(
                method: "PATCH", url: url,
                headers: [
                    Self.protocolHeader, Self.tusHeader, ("Content-Type", Tus.chunkType),
                    (Tus.uploadOffset, String(offset)), (Tus.uploadChecksum, Tus.checksum(of: chunk)),
                ], body: chunk), progress: progress, upload: true)
        try check(r, url, status: [204], json: false)
        guard let next = Int64(r.headers[Tus.uploadOffset.lowercased()] ?? "") else {
            throw LinkFailure.malformed("the parent did not advance the upload offset", request: url, status: r.status)
        }
        return next
    }

    public func download(sha256: String, range: ByteRange, progress: TransferProgress?) async throws -> Data? {
        let url = base + Route.file(sha256)
        let r = try await send(
            HTTPRequest(method: "GET", url: url, headers: [Self.protocolHeader, ("Range", range.header)]),
            progress: progress)
        if r.status == 404 && r.headers[SyncProtocol.header.lowercased()] == SyncProtocol.version { return nil }
        try check(r, url, status: [206], json: false)
        return r.body
    }
}

/// Failed transfers explained: curl's error codes mapped to causes, messages that name the
/// parent and the curl error, and what to do.
public enum HTTPSFailures {
    public static func failure(_ t: TransportError, parent: String) -> LinkFailure {
        guard let code = t.curlCode else {
            return LinkFailure.answer(status: t.httpStatus ?? 0, detail: t.detail, request: t.url)
        }
        let curl = "curl error \(code): \(t.detail.isEmpty ? t.curlMessage ?? "" : t.detail)"
        func broken(_ cause: SyncProblem.Cause, _ message: String, _ advice: String) -> LinkFailure {
            LinkFailure(cause: cause, message: message, advice: advice, isTransient: code != 42)
        }
        switch code {
        case 6:
            return broken(
                .dns, "the parent's host name in \(parent) does not resolve (\(curl))",
                "check `parent` in zisync.toml and this office's DNS and internet link; zisync keeps retrying")
        case 7:
            return broken(
                .unreachable, "could not connect to the parent at \(parent) (\(curl))",
                "the parent's zisync daemon may be stopped or a firewall blocks the port; zisync keeps retrying. If it lasts, ask the parent's operator to check `systemctl status zisync`"
            )
        case 28:
            return broken(
                .timeout, "the link to the parent stalled or timed out (\(curl))",
                "a weak or broken link; the next round resumes where this one stopped. If it keeps happening, set sync.max_bytes_per_second or a smaller sync.batch_bytes"
            )
        case 35, 56, 55:
            return broken(
                .tls, "the secure connection to the parent failed (\(curl))",
                "the parent may have refused this office's certificate (expired, revoked or from another CA): check `openssl x509 -noout -enddate -in tls/node.crt` and ask for a new one (`zisync pki issue`)"
            )
        case 58, 77:
            return broken(
                .certificate, "this office's certificate, key or CA file cannot be used (\(curl))",
                "run `zisync config check`; the files named under [tls] must be this office's PEM certificate and key and the deployment CA"
            )
        case 60:
            return broken(
                .certificate,
                "the parent's certificate is not from the deployment CA or not for its host name (\(curl))",
                "check that tls.ca is the deployment's ca.crt and that `parent` uses the host name the parent's certificate was issued for"
            )
        case 42:
            return broken(
                .stopped, "the transfer was stopped (daemon shutting down)", "nothing to do: the next round resumes")
        default:
            return broken(
                .link, "the connection to the parent broke (\(curl))",
                "usually a weak link; the next round resumes where this one stopped")
        }
    }
}
