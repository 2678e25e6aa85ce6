import CCurl
import Foundation

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

    /// One request on the handle. Everything libcurl points into lives here until
    /// `curl_easy_perform` has returned: the retained transfer (`box`), the error buffer and the
    /// header list; the body's bytes live in `performTransfer`, around the call itself.
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

        setTargetAndTLSOptions(request)
        setLimitOptions()
        _ = zs_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errorBuffer)
        headerList = Self.makeHeaderList(request.headers)
        _ = zs_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, headerList)
        setCallbacks(box)

        let code = performTransfer(request)
        _ = zs_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, nil)
        return try answer(request, transfer: transfer, code: code, errorBuffer: errorBuffer)
    }

    private func setString(_ option: CURLoption, _ value: String) { _ = zs_curl_setopt_string(handle, option, value) }
    private func setLong(_ option: CURLoption, _ value: Int) { _ = zs_curl_setopt_long(handle, option, value) }

    /// The URL and method, and whom to trust and show: the deployment CA, the parent's satker
    /// and the node's certificate (or the control socket instead).
    private func setTargetAndTLSOptions(_ request: HTTPRequest) {
        let curl = handle
        let c = configuration
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
    }

    /// Timeouts for weak links, the bandwidth cap and compressed answers.
    private func setLimitOptions() {
        let curl = handle
        let c = configuration
        setLong(CURLOPT_CONNECTTIMEOUT, c.connectTimeoutSeconds)
        setLong(CURLOPT_LOW_SPEED_LIMIT, c.lowSpeedBytesPerSecond)
        setLong(CURLOPT_LOW_SPEED_TIME, c.lowSpeedSeconds)
        setLong(CURLOPT_TIMEOUT, c.totalTimeoutSeconds)
        setLong(CURLOPT_NOSIGNAL, 1)
        setString(CURLOPT_ACCEPT_ENCODING, "")  // gzip and deflate, decoded by libcurl
        if c.unsentBytesLimit > 0 {
            _ = zs_curl_limit_unsent(curl, c.unsentBytesLimit)
            setLong(CURLOPT_UPLOAD_BUFFERSIZE, max(16_384, c.unsentBytesLimit))
        }
        if c.maxBytesPerSecond > 0 {
            _ = zs_curl_setopt_off_t(curl, CURLOPT_MAX_SEND_SPEED_LARGE, curl_off_t(c.maxBytesPerSecond))
            _ = zs_curl_setopt_off_t(curl, CURLOPT_MAX_RECV_SPEED_LARGE, curl_off_t(c.maxBytesPerSecond))
        }
    }

    /// The request's headers as a libcurl list, with `Expect:` to turn off 100-continue. The
    /// caller sets it on the handle and frees it after the transfer.
    private static func makeHeaderList(_ headers: [(String, String)]) -> UnsafeMutablePointer<curl_slist>? {
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")
        return headerList
    }

    /// The body, header and progress callbacks, each handed the transfer `box` that the caller
    /// keeps retained until the transfer is over.
    private func setCallbacks(_ box: Unmanaged<Transfer>) {
        let curl = handle
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
    }

    /// Runs the transfer. The body's bytes are handed to libcurl inside their
    /// `withUnsafeBytes` scope, which lasts until `curl_easy_perform` has returned.
    private func performTransfer(_ request: HTTPRequest) -> CURLcode {
        let curl = handle
        let body = request.body ?? Data()
        return body.withUnsafeBytes { raw in
            if request.body != nil {
                _ = zs_curl_setopt_off_t(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(raw.count))
                _ = zs_curl_setopt_pointer(curl, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
            }
            return curl_easy_perform(curl)
        }
    }

    /// The response once the transfer is over, or why there is none: an answer over the size
    /// limit, then a failed transfer (with libcurl's message from `errorBuffer`).
    private func answer(
        _ request: HTTPRequest, transfer: Transfer, code: CURLcode, errorBuffer: UnsafeMutablePointer<CChar>
    ) throws -> HTTPResponse {
        let curl = handle
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
