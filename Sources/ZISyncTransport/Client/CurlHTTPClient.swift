import CCurl
import Foundation

/// What every request to the parent shares: the deployment CA (the only trusted root), the
/// node's client certificate, timeouts for weak links and an optional bandwidth cap.
public struct HTTPClientConfiguration: Sendable {
    public var caFile: String
    /// The node's certificate and key; empty sends no client certificate (a parent refuses that).
    public var certificateFile: String
    public var keyFile: String
    public var connectTimeoutSeconds = 15
    /// A transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedSeconds` is abandoned (a stalled link).
    public var lowSpeedBytesPerSecond = 64
    public var lowSpeedSeconds = 30
    /// Upper bound on one whole request, 0 for none.
    public var totalTimeoutSeconds = 0
    /// Bandwidth cap per direction in bytes per second, 0 for none.
    public var maxBytesPerSecond: Int64 = 0
    /// Talk plain HTTP over this Unix socket instead (the daemon's control socket).
    public var unixSocketPath: String?
    /// The satker the server's certificate must name (the configured parent), nil for none.
    public var serverSatker: String?

    public init(caFile: String, certificateFile: String, keyFile: String) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// A client of the local control socket at `path` (no TLS: the socket's file mode guards it).
    public static func controlSocket(_ path: String) -> HTTPClientConfiguration {
        var c = HTTPClientConfiguration(caFile: "", certificateFile: "", keyFile: "")
        c.unixSocketPath = path
        c.connectTimeoutSeconds = 2
        // A round may run long with nothing to report (a big push): the stream is not a stalled link.
        c.lowSpeedBytesPerSecond = 0
        c.lowSpeedSeconds = 0
        return c
    }
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: Data?
    /// When set, the response body is handed over piece by piece as it arrives instead of
    /// collected (a stream of progress lines).
    public var onBody: (@Sendable (Data) -> Void)?
    /// The most bytes of an answer's body (after decompression) that are accepted: a longer one
    /// fails the request instead of filling memory.
    public var maxResponseBytes = HTTPRequest.defaultMaxResponseBytes
    public static let defaultMaxResponseBytes = 64 << 20

    public init(
        method: String, url: String, headers: [(String, String)] = [], body: Data? = nil,
        onBody: (@Sendable (Data) -> Void)? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.onBody = onBody
    }
}

public struct HTTPResponse: Sendable {
    public let status: Int
    /// Header names in lower case.
    public let headers: [String: String]
    public let body: Data
    public var contentType: String { headers["content-type"] ?? "" }
}

/// A failed attempt: curl's code and message when the transfer failed, the HTTP status when
/// the server answered with something other than what was expected.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public let url: String
    public let curlCode: Int?
    public let curlMessage: String?
    public let httpStatus: Int?
    public let detail: String

    public init(url: String, curlCode: Int?, curlMessage: String?, httpStatus: Int?, detail: String) {
        self.url = url
        self.curlCode = curlCode
        self.curlMessage = curlMessage
        self.httpStatus = httpStatus
        self.detail = detail
    }

    public var description: String {
        var parts: [String] = []
        if let curlCode { parts.append("curl error \(curlCode): \(curlMessage ?? "")") }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        parts.append(detail)
        return parts.filter { !$0.isEmpty }.joined(separator: ", ") + " (\(url))"
    }

    public static func http(_ response: HTTPResponse, url: String, _ detail: String) -> TransportError {
        TransportError(url: url, curlCode: nil, curlMessage: nil, httpStatus: response.status, detail: detail)
    }
}

/// The one HTTPS client of zisync, over libcurl. Requests run one at a time on a private
/// thread (never on the cooperative pool) and reuse one connection to the parent.
public final class CurlHTTPClient: @unchecked Sendable {
    public let configuration: HTTPClientConfiguration
    private let queue = DispatchQueue(label: "zisync.curl")
    private let handle: UnsafeMutableRawPointer
    /// Set to abandon the transfer in flight (shutdown).
    private let cancelled = CancelFlag()

    /// `urn:zisync:satker:CODE` of `serverSatker`, as a C string that lives as long as the handle.
    private let serverURI: UnsafeMutablePointer<CChar>?

    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(configuration: HTTPClientConfiguration) {
        _ = Self.globalInit
        self.configuration = configuration
        handle = curl_easy_init()
        serverURI = configuration.serverSatker.map { strdup(DeploymentPKI.satkerURIPrefix + $0) }
    }

    deinit {
        curl_easy_cleanup(handle)
        free(serverURI)
    }

    public func cancel() { cancelled.set() }

    /// Sends a request; `progress(sent, received)` is called during long transfers.
    public func send(
        _ request: HTTPRequest, progress: (@Sendable (Int64, Int64) -> Void)? = nil
    ) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.perform(request, progress: progress) })
            }
        }
    }

    private final class Transfer {
        var body = Data()
        var headers: [String: String] = [:]
        var progress: (@Sendable (Int64, Int64) -> Void)?
        var onBody: (@Sendable (Data) -> Void)?
        var received = 0
        var limit = HTTPRequest.defaultMaxResponseBytes
        var overLimit = false
        let cancelled: CancelFlag
        init(cancelled: CancelFlag) { self.cancelled = cancelled }
    }

    private func perform(_ request: HTTPRequest, progress: (@Sendable (Int64, Int64) -> Void)?) throws -> HTTPResponse {
        let curl = handle
        curl_easy_reset(curl)
        let transfer = Transfer(cancelled: cancelled)
        transfer.progress = progress
        transfer.onBody = request.onBody
        transfer.limit = request.maxResponseBytes
        let box = Unmanaged.passRetained(transfer)
        defer { box.release() }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        let c = configuration

        func setString(_ option: CURLoption, _ value: String) { _ = zs_curl_setopt_string(curl, option, value) }
        func setLong(_ option: CURLoption, _ value: Int) { _ = zs_curl_setopt_long(curl, option, value) }

        setString(CURLOPT_URL, request.url)
        setString(CURLOPT_CUSTOMREQUEST, request.method)
        if request.method == "HEAD" { setLong(CURLOPT_NOBODY, 1) }
        if !c.caFile.isEmpty {
            // The deployment CA and nothing else: not the system's CA file or directory, so no
            // publicly trusted or TLS-inspecting certificate for the parent's name is believed.
            setString(CURLOPT_CAINFO, c.caFile)
            _ = zs_curl_setopt_null(curl, CURLOPT_CAPATH)
            setLong(CURLOPT_SSL_SESSIONID_CACHE, 0)
        }
        if let serverURI { _ = zs_curl_require_peer_uri(curl, serverURI) }
        if let socket = c.unixSocketPath { setString(CURLOPT_UNIX_SOCKET_PATH, socket) }
        if !c.certificateFile.isEmpty {
            setString(CURLOPT_SSLCERT, c.certificateFile)
            setString(CURLOPT_SSLKEY, c.keyFile)
        }
        setLong(CURLOPT_SSL_VERIFYPEER, 1)
        setLong(CURLOPT_SSL_VERIFYHOST, 2)
        setLong(CURLOPT_CONNECTTIMEOUT, c.connectTimeoutSeconds)
        setLong(CURLOPT_LOW_SPEED_LIMIT, c.lowSpeedBytesPerSecond)
        setLong(CURLOPT_LOW_SPEED_TIME, c.lowSpeedSeconds)
        setLong(CURLOPT_TIMEOUT, c.totalTimeoutSeconds)
        setLong(CURLOPT_NOSIGNAL, 1)
        setString(CURLOPT_ACCEPT_ENCODING, "")  // gzip and deflate, decoded by libcurl
        if c.maxBytesPerSecond > 0 {
            _ = zs_curl_setopt_off_t(curl, CURLOPT_MAX_SEND_SPEED_LARGE, curl_off_t(c.maxBytesPerSecond))
            _ = zs_curl_setopt_off_t(curl, CURLOPT_MAX_RECV_SPEED_LARGE, curl_off_t(c.maxBytesPerSecond))
        }
        _ = zs_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errorBuffer)
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")
        _ = zs_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, headerList)

        let body = request.body ?? Data()
        _ = zs_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, box.toOpaque())
        _ = zs_curl_setopt_data_callback(curl, CURLOPT_WRITEFUNCTION) { ptr, size, count, user in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            guard let ptr else { return size * count }
            t.received += size * count
            if t.received > t.limit {
                t.overLimit = true
                return 0  // libcurl fails the transfer (CURLE_WRITE_ERROR)
            }
            let bytes = UnsafeRawPointer(ptr).assumingMemoryBound(to: UInt8.self)
            if let onBody = t.onBody {
                onBody(Data(bytes: bytes, count: size * count))
            } else {
                t.body.append(bytes, count: size * count)
            }
            return size * count
        }
        _ = zs_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, box.toOpaque())
        _ = zs_curl_setopt_data_callback(curl, CURLOPT_HEADERFUNCTION) { ptr, size, count, user in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: size * count), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                t.headers = [:]  // a new response (after 100 Continue or a redirect)
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                t.headers[name] = value
            }
            return size * count
        }
        _ = zs_curl_setopt_pointer(curl, CURLOPT_XFERINFODATA, box.toOpaque())
        _ = zs_curl_setopt_xferinfo(curl) { user, _, received, _, sent in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            if t.cancelled.isSet { return 1 }
            t.progress?(Int64(sent), Int64(received))
            return 0
        }
        setLong(CURLOPT_NOPROGRESS, 0)

        let code: CURLcode = body.withUnsafeBytes { raw in
            if request.body != nil {
                _ = zs_curl_setopt_off_t(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(raw.count))
                _ = zs_curl_setopt_pointer(curl, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
            }
            return curl_easy_perform(curl)
        }
        _ = zs_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, nil)
        if transfer.overLimit {
            var status = 0
            _ = zs_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
            throw TransportError(
                url: request.url, curlCode: nil, curlMessage: nil, httpStatus: status,
                detail: "the answer's body is larger than \(request.maxResponseBytes) bytes")
        }
        if code != CURLE_OK {
            let detail = String(
                decoding: UnsafeRawBufferPointer(start: errorBuffer, count: strlen(errorBuffer)), as: UTF8.self)
            throw TransportError(
                url: request.url, curlCode: Int(code.rawValue),
                curlMessage: String(validatingCString: curl_easy_strerror(code)) ?? "",
                httpStatus: nil, detail: detail)
        }
        var status = 0
        _ = zs_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)
    }
}

/// A flag set from any thread and read by libcurl's progress callback.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
