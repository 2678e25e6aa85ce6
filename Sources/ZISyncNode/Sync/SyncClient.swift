import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncTransport

/// What one sync round did.
public struct SyncReport: Sendable, Codable {
    public var pushed = 0
    public var duplicates = 0
    /// Changes the parent holds instead of applying (their clock runs ahead of the parent's).
    public var heldByParent = 0
    public var refused: [PushResponse.Refusal] = []
    public var filesUploaded = 0
    public var bytesUploaded: Int64 = 0
    public var pulled = 0
    public var filesDownloaded = 0
    public var bytesDownloaded: Int64 = 0
    /// Parent's clock minus ours, in milliseconds (positive: ours is behind).
    public var clockSkewMilliseconds: Int64 = 0
    public var seconds = 0.0
    /// Time spent in each phase, in seconds.
    public var pushSeconds = 0.0
    public var uploadSeconds = 0.0
    public var pullSeconds = 0.0
    public var downloadSeconds = 0.0
    /// Left for the operator although the round went through (refused or held changes).
    public var problem: SyncProblem?
}

/// One full round with the parent: push the changes it lacks, upload the files it lacks
/// (tus, resuming), pull what is in this node's scope, download the files records name.
public final class SyncClient: @unchecked Sendable {
    public let store: Store
    public let config: NodeConfig
    let http: CurlHTTPClient
    /// A second connection, so that a push batch travels while the parent stores the previous one.
    let pushLane: CurlHTTPClient
    let base: String
    let parentSatker: String

    public init(store: Store, config: NodeConfig, home: Home) throws {
        guard let parent = config.parent else {
            throw ZISyncError("this node has no parent configured ('parent' in zisync.toml)")
        }
        guard let parentSatker = store.registry[store.node]?.parent else {
            throw ZISyncError("\(store.node) is the root: it has no parent to sync with")
        }
        self.store = store
        self.config = config
        self.parentSatker = parentSatker
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

    /// Abandons the transfer in flight (what is stored stays stored; the next round resumes).
    public func cancel() {
        http.cancel()
        pushLane.cancel()
    }

    public typealias Progress = @Sendable (String) -> Void

    public func round(progress: Progress? = nil) async throws -> SyncReport {
        let started = Date()
        var report = SyncReport()
        do {
            var mark = Date()
            func lap() -> Double {
                defer { mark = Date() }
                return Date().timeIntervalSince(mark)
            }
            try await push(&report, progress: progress)
            report.pushSeconds = lap()
            try await uploadFiles(&report, progress: progress)
            report.uploadSeconds = lap()
            try await pull(&report, progress: progress)
            report.pullSeconds = lap()
            try await downloadFiles(&report, progress: progress)
            report.downloadSeconds = lap()
        } catch {
            let now = HybridClock.systemMilliseconds()
            let problem = SyncProblem.explain(error, parent: base, at: now)
            try? store.setMeta(Self.problemMeta(problem))
            NodeMetrics.failure(cause: problem.cause)
            // The parent hears of it too, unless the link itself is what failed.
            let linkFailed = ["dns", "unreachable", "timeout", "link", "tls", "certificate", "stopped", "not_zisync"]
                .contains(problem.cause)
            await reportToParent(problem: problem, send: !linkFailed)
            throw SyncFailure(problem: problem, underlying: error)
        }
        report.seconds = Date().timeIntervalSince(started)
        let now = HybridClock.systemMilliseconds()
        // A round that went through can still leave the operator something to do.
        let problem: SyncProblem? =
            if !report.refused.isEmpty {
                .refused(report.refused, at: now)
            } else if report.heldByParent > 0, let reason = try store.meta("held_by_parent") {
                .held(reason, at: now)
            } else {
                nil
            }
        report.problem = problem
        var meta = Self.problemMeta(problem)
        // The parent now holds every change this node had when the round began.
        meta["last_sync_ok"] = String(now)
        meta["last_push_ok"] = String(now)
        try store.setMeta(meta)
        NodeMetrics.round(report)
        if let problem { NodeMetrics.failure(cause: problem.cause) }
        await reportToParent(problem: problem, send: true)
        return report
    }

    static func problemMeta(_ problem: SyncProblem?) -> [String: String?] {
        [
            "last_error": problem?.message, "last_error_at": problem.map { String($0.at) },
            "last_error_cause": problem?.cause, "last_error_advice": problem?.advice,
        ]
    }

    /// Updates the backlog metrics and, when `send`, tells the parent how this office stands
    /// (pending work, last problem). Best effort: a report that does not arrive changes nothing.
    func reportToParent(problem: SyncProblem?, send: Bool) async {
        guard let report = try? childReport(problem: problem) else { return }
        NodeMetrics.pending(changes: report.pendingChanges, files: report.pendingFiles)
        guard send, let body = try? JSONEncoder().encode(report) else { return }
        let url = base + SyncProtocol.reportPath
        _ = try? await http.send(
            HTTPRequest(
                method: "POST", url: url, headers: headers([("Content-Type", SyncProtocol.jsonType)]), body: body))
    }

    func childReport(problem: SyncProblem?) throws -> ChildReport {
        let uploaded = try store.uploadedFiles()
        let files = try store.filesForParent().filter { !uploaded.contains($0.sha256) }
        return ChildReport(
            pendingChanges: try store.pendingUploadCount, pendingFiles: files.count,
            pendingBytes: files.map(\.size).reduce(0, +), oldestPending: try store.oldestPendingMilliseconds,
            problem: problem, below: try NodeStatus.below(store: store, config: config))
    }

    // MARK: - Requests

    /// Sends a request, retrying failed transfers (curl errors: cut, stalled, refused links)
    /// with exponential backoff and jitter. HTTP answers are never retried here.
    func send(
        _ request: HTTPRequest, via client: CurlHTTPClient? = nil, progress: (@Sendable (Int64, Int64) -> Void)? = nil
    ) async throws -> HTTPResponse {
        var attempt = 0
        while true {
            do {
                return try await (client ?? http).send(request, progress: progress)
            } catch let error as TransportError where error.curlCode != nil && attempt + 1 < max(1, config.retries) {
                attempt += 1
                try await Task.sleep(nanoseconds: Backoff.delay(attempt: attempt))
            }
        }
    }

    func headers(_ extra: [(String, String)] = []) -> [(String, String)] {
        [(SyncProtocol.header, SyncProtocol.version)] + extra
    }

    /// Accepts only a well-formed zisync answer: expected status, protocol header, and JSON
    /// where JSON is expected. A captive portal's `200 text/html` fails here.
    func check(_ r: HTTPResponse, _ url: String, status: Set<Int>, json: Bool = true) throws {
        let isZISync = r.headers[SyncProtocol.header.lowercased()] == SyncProtocol.version
        if !isZISync {
            throw TransportError.http(
                r, url: url,
                "the answer is not from a zisync parent (\(r.contentType.isEmpty ? "no content type" : r.contentType)); a proxy or captive portal?"
            )
        }
        guard status.contains(r.status) else {
            let message = (try? JSONDecoder().decode(ErrorResponse.self, from: r.body))?.error ?? ""
            throw TransportError.http(r, url: url, message)
        }
        if json && !r.contentType.hasPrefix(SyncProtocol.jsonType) {
            throw TransportError.http(r, url: url, "expected JSON, got \(r.contentType)")
        }
    }

    func noteClock(_ serverTime: Int64, _ report: inout SyncReport) throws {
        // Clock and skew in one transaction (no chain tips to record here).
        try store.acknowledge([:], clockMilliseconds: serverTime, meta: clockMeta(serverTime, &report))
    }

    /// Measures the skew against the parent's clock. Beyond the limit, local writes from now
    /// on use the parent's time (the offset); within it, the system clock is trusted again.
    func clockMeta(_ serverTime: Int64, _ report: inout SyncReport) -> [String: String?] {
        let skew = serverTime - HybridClock.systemMilliseconds()
        report.clockSkewMilliseconds = skew
        let skewed = abs(skew) > Int64(config.clockSkewLimitSeconds) * 1000
        return ["clock_skew_ms": String(skew), "clock_offset_ms": skewed ? String(skew) : nil]
    }

    // MARK: - Push

    func push(_ report: inout SyncReport, progress: Progress? = nil) async throws {
        let pending = try store.wireChangesForParent()
        // Batch boundaries by count and bytes.
        var bounds: [Range<Int>] = []
        var index = 0
        while index < pending.count {
            let start = index
            var bytes = 0
            while index < pending.count, index - start < config.batchChanges {
                let size = pending[index].utf8.count
                if index > start && bytes + size > config.batchBytes { break }
                bytes += size
                index += 1
            }
            bounds.append(start..<index)
        }
        let node = store.node
        let makeBody: @Sendable (Range<Int>) throws -> Data = { range in
            try SyncProtocol.gzip(SyncProtocol.changesBody(wire: pending[range], extra: [("from", "\"\(node)\"")]))
        }
        // Two batches in flight on two connections: one travels and is decoded while the parent
        // stores the other. Should the later one be stored first, the parent holds its changes
        // until the earlier one arrives, so order never matters for correctness.
        let url = base + SyncProtocol.pushPath
        var inFlight: [Task<(HTTPResponse, PushResponse?), Error>] = []
        func post(_ k: Int) -> Task<(HTTPResponse, PushResponse?), Error> {
            let lane = k % 2 == 0 ? http : pushLane
            let range = bounds[k]
            return Task {
                let r = try await self.send(
                    HTTPRequest(
                        method: "POST", url: url,
                        headers: self.headers([("Content-Type", SyncProtocol.jsonType), ("Content-Encoding", "gzip")]),
                        body: try makeBody(range)), via: lane)
                return (r, try? JSONDecoder().decode(PushResponse.self, from: r.body))
            }
        }
        var next = 0
        while next < bounds.count || !inFlight.isEmpty {
            while inFlight.count < 2 && next < bounds.count {
                inFlight.append(post(next))
                next += 1
            }
            let (r, decoded) = try await inFlight.removeFirst().value
            try check(r, url, status: [200])
            guard let answer = decoded else {
                throw TransportError.http(r, url: url, "the push answer is not a zisync push answer")
            }
            report.pushed += answer.accepted
            report.duplicates += answer.duplicates
            report.refused += answer.refused
            report.heldByParent += answer.heldReason == nil ? 0 : answer.held
            var meta = clockMeta(answer.serverTime, &report)
            meta["last_push_ok"] = String(HybridClock.systemMilliseconds())
            meta["held_by_parent"] = answer.heldReason
            if !answer.refused.isEmpty {
                let total = (Int(try store.meta("refused_by_parent") ?? "0") ?? 0) + answer.refused.count
                meta["refused_by_parent"] = String(total)
                meta["last_refusal"] =
                    "\(answer.refused[0].change) (record \(answer.refused[0].record)): \(answer.refused[0].reason)"
            }
            // Acknowledgement, clock and status in one transaction.
            try store.acknowledge(answer.tips, clockMilliseconds: answer.serverTime, meta: meta)
            progress?("push: \(report.pushed + report.duplicates + report.refused.count)/\(pending.count) changes")
        }
    }

    // MARK: - Files up (tus)

    func uploadFiles(_ report: inout SyncReport, progress: Progress?) async throws {
        let uploaded = try store.uploadedFiles()
        for (sha, size) in try store.filesForParent() where !uploaded.contains(sha) {
            do {
                try await uploadFile(sha, size: size, &report, progress: progress)
            } catch {
                throw RoundStepError(step: "uploading \(try fileLabel(sha, size: size))", underlying: error)
            }
        }
    }

    /// "bukti dukung 'daftar-hadir.pdf' (2.1 MB, sha256 3f2a9c…)", for messages.
    func fileLabel(_ sha: String, size: Int64) throws -> String {
        let name = try store.evidenceFileName(sha256: sha).map { "'\($0)'" } ?? "file"
        let size = NodeStatus.bytes(size)
        return "bukti dukung \(name) (\(size), sha256 \(sha.prefix(12))…)"
    }

    func uploadFile(_ sha: String, size: Int64, _ report: inout SyncReport, progress: Progress?) async throws {
        let url = base + SyncProtocol.filesPath + "/" + sha
        var offset = try await uploadOffset(sha, size: size, url: url)
        var failures = 0
        while offset < size {
            let chunk = try store.files.read(sha, offset: offset, count: SyncProtocol.chunkBytes)
            let digest = Data(Hashing.sha256Hex(chunk).hexBytes).base64EncodedString()
            let request = HTTPRequest(
                method: "PATCH", url: url,
                headers: tus([
                    ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", String(offset)),
                    ("Upload-Checksum", "sha256 \(digest)"),
                ]), body: chunk)
            let r: HTTPResponse
            do {
                r = try await http.send(
                    request,
                    progress: Self.transferProgress(
                        progress, "upload \(sha.prefix(12))", base: offset, total: size, upload: true))
            } catch let error as TransportError where error.curlCode != nil && failures + 1 < max(1, config.retries) {
                // The link broke mid-chunk: ask the parent how much it holds and go on from there.
                failures += 1
                try await Task.sleep(nanoseconds: Backoff.delay(attempt: failures))
                offset = try await uploadOffset(sha, size: size, url: url)
                continue
            }
            if [409, 423].contains(r.status), failures + 1 < max(1, config.retries) {
                // The parent holds a different amount than we thought (a cut PATCH drained late).
                failures += 1
                try await Task.sleep(nanoseconds: Backoff.delay(attempt: failures))
                offset = try await uploadOffset(sha, size: size, url: url)
                continue
            }
            try check(r, url, status: [204], json: false)
            guard let next = Int64(r.headers["upload-offset"] ?? ""), next > offset else {
                throw TransportError.http(r, url: url, "the parent did not advance the upload offset")
            }
            report.bytesUploaded += next - offset
            offset = next
        }
        try store.markUploaded(sha)
        report.filesUploaded += 1
    }

    /// How much of a file the parent holds. A creation request (tus creation) for a file the
    /// parent already holds in part answers with its offset, so one round trip serves both.
    func uploadOffset(_ sha: String, size: Int64, url: String) async throws -> Int64 {
        let create = try await send(
            HTTPRequest(
                method: "POST", url: base + SyncProtocol.filesPath,
                headers: tus([
                    ("Upload-Length", String(size)),
                    ("Upload-Metadata", "sha256 \(Data(sha.utf8).base64EncodedString())"),
                ]), body: Data()))
        try check(create, base + SyncProtocol.filesPath, status: [201], json: false)
        if let offset = create.headers["upload-offset"].flatMap({ Int64($0) }) { return offset }
        let head = try await send(HTTPRequest(method: "HEAD", url: url, headers: tus()))
        try check(head, url, status: [200], json: false)
        return Int64(head.headers["upload-offset"] ?? "") ?? 0
    }

    static func transferProgress(_ progress: Progress?, _ label: String, base: Int64, total: Int64, upload: Bool)
        -> (@Sendable (Int64, Int64) -> Void)?
    {
        guard let progress else { return nil }
        return { sent, received in
            let done = base + (upload ? sent : received)
            progress("\(label): \(done)/\(total) bytes (\(total > 0 ? done * 100 / total : 100)%)")
        }
    }

    func tus(_ extra: [(String, String)] = []) -> [(String, String)] {
        headers([("Tus-Resumable", "1.0.0")] + extra)
    }

    // MARK: - Pull

    func pull(_ report: inout SyncReport, progress: Progress? = nil) async throws {
        var cursor = Int64(try store.meta("pull_cursor") ?? "0") ?? 0
        while true {
            let url = base + SyncProtocol.pullPath + "?after=\(cursor)&limit=\(config.batchChanges)"
            let r = try await send(HTTPRequest(method: "GET", url: url, headers: headers()))
            try check(r, url, status: [200])
            guard let page = try? WireDecoder.changes(in: r.body), let next = page.other["next"] as? Int64,
                let more = page.other["more"] as? Bool, let serverTime = page.other["serverTime"] as? Int64
            else {
                throw TransportError.http(r, url: url, "the pull answer is not a zisync pull answer")
            }
            let changes = try page.changes.map { try $0.get() }
            let applied = try store.receivePulled(changes, from: parentSatker, cursor: next)
            report.pulled += applied.applied
            progress?("pull: \(report.pulled) changes")
            try noteClock(serverTime, &report)
            cursor = next
            if !more { break }
        }
        try store.setMeta(["last_pull_ok": String(HybridClock.systemMilliseconds())])
    }

    // MARK: - Files down (Range)

    func downloadFiles(_ report: inout SyncReport, progress: Progress?) async throws {
        for (sha, size) in try store.missingFiles() {
            do {
                try await downloadFile(sha, size: size, &report, progress: progress)
            } catch {
                throw RoundStepError(step: "downloading \(try fileLabel(sha, size: size))", underlying: error)
            }
        }
    }

    func downloadFile(_ sha: String, size: Int64, _ report: inout SyncReport, progress: Progress?) async throws {
        try store.files.beginPartial(sha, length: size)
        var offset = store.files.progress(sha)?.offset ?? 0
        let url = base + SyncProtocol.filesPath + "/" + sha
        while offset < size {
            let last = min(size, offset + Int64(SyncProtocol.downloadRangeBytes)) - 1
            let from = offset
            let r = try await send(
                HTTPRequest(method: "GET", url: url, headers: headers([("Range", "bytes=\(offset)-\(last)")])),
                progress: Self.transferProgress(
                    progress, "download \(sha.prefix(12))", base: from, total: size, upload: false))
            if r.status == 404 && r.headers[SyncProtocol.header.lowercased()] == SyncProtocol.version { break }
            try check(r, url, status: [206], json: false)
            guard !r.body.isEmpty else { throw TransportError.http(r, url: url, "empty range answer") }
            offset = try store.files.appendPartial(sha, at: offset, r.body)
            report.bytesDownloaded += Int64(r.body.count)
        }
        if store.files.contains(sha) { report.filesDownloaded += 1 }
    }
}

extension String {
    /// Bytes of a hex string.
    var hexBytes: [UInt8] {
        var out: [UInt8] = []
        var it = utf8.makeIterator()
        while let a = it.next(), let b = it.next() {
            func v(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
            out.append(v(a) << 4 | v(b))
        }
        return out
    }
}

/// Exponential backoff with jitter, bounded.
public enum Backoff {
    public static func delay(attempt: Int, base: Double = 0.5, cap: Double = 30) -> UInt64 {
        let exp = min(cap, base * pow(2, Double(max(0, attempt - 1))))
        return UInt64(exp * Double.random(in: 0.5...1.0) * 1_000_000_000)
    }
}
