import Foundation
import ZISyncCore
import ZISyncProtocol

/// The round's view of its parent: the requests of the protocol, whatever carries them.
/// `HTTPSLink` (ZISyncTransport) speaks HTTPS through libcurl; `InProcessLink` calls the parent's
/// service code directly, for fast tests of the round's logic. A failed request throws a
/// `LinkFailure`.
public protocol ParentLink: Sendable {
    /// Sends a batch of changes (their wire forms) as `from`, with their origins' certificates;
    /// the parent's acknowledgement.
    func push(from: String, wire: [String], certificates: [[UInt8]]) async throws -> PushAnswer
    /// A page of the changes in this node's scope that the parent stored after `cursor`.
    func pull(after cursor: Int64, limit: Int) async throws -> PullPage
    /// A restore page: the pull's changes and this node's own subtree's chains after `cursor`.
    func restore(after cursor: Int64, limit: Int) async throws -> PullPage
    /// How this office stands, after a round.
    func report(_ report: ChildReport) async throws
    /// How much of a file the parent holds, announcing the upload (tus creation) when needed.
    /// `lane`: which of the link's connections carries the file (files go up several at a time,
    /// each on its own connection, so that no file's round trips leave the line idle).
    func uploadOffset(sha256: String, size: Int64, lane: Int) async throws -> Int64
    /// Sends `chunk` at `offset` of a file; the parent's offset after it.
    func upload(sha256: String, offset: Int64, chunk: Data, progress: TransferProgress?, lane: Int) async throws
        -> Int64
    /// Bytes of a file in `range`; nil when the parent does not hold the file.
    func download(sha256: String, range: ByteRange, progress: TransferProgress?) async throws -> Data?
    /// Abandons the request in flight (shutdown); what is stored stays stored.
    func cancel()
}

/// Bytes moved so far by the request in flight.
public typealias TransferProgress = @Sendable (Int64) -> Void

/// A request to the parent that failed, explained once: its cause, what failed (the request, with
/// the curl error or the HTTP status), what to do, and whether trying again may help.
public struct LinkFailure: Error, CustomStringConvertible, Sendable {
    public let cause: SyncProblem.Cause
    public let message: String
    public let advice: String
    /// The transfer broke (refused, reset, stalled): worth retrying with backoff.
    public let isTransient: Bool
    /// The parent's status when it answered.
    public let status: Int?

    public init(cause: SyncProblem.Cause, message: String, advice: String, isTransient: Bool, status: Int? = nil) {
        self.cause = cause
        self.message = message
        self.advice = advice
        self.isTransient = isTransient
        self.status = status
    }

    public var description: String { message }

    /// The parent answered `status` (not the one expected) to `request`, saying `detail`.
    public static func answer(status: Int, detail: String, request: String) -> LinkFailure {
        let http = "HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)") from \(request)"
        let (cause, what, advice): (SyncProblem.Cause, String, String) =
            switch status {
            case 403 where detail.hasPrefix("revoked"):
                (
                    .revoked, "the parent refused this office's certificate",
                    "KPU RI revoked it: ask KPU RI for a new one (`zisync pki issue --dir PKI --satker CODE`), put it in the home's tls/ and reload (`systemctl reload zisync`)"
                )
            case 403:
                (
                    .forbidden, "the parent refused this office",
                    "the certificate must name a direct child of the parent: check `satker` and `parent` in zisync.toml and the satker the certificate was issued for"
                )
            case 429:
                (
                    .parentError, "the parent is busy with this office's other requests",
                    "nothing to do: zisync waits and tries again"
                )
            case 413:
                (
                    .protocol, "the parent found a request too large",
                    "lower sync.batch_changes or sync.batch_bytes in zisync.toml and reload (`systemctl reload zisync`)"
                )
            case 500...599:
                (
                    .parentError, "the parent failed while answering",
                    "retried automatically; if it lasts, the parent's operator should read `journalctl -u zisync` there"
                )
            default:
                (
                    .protocol, "the parent answered something unexpected",
                    "make sure both offices run the same zisync version; the parent's log says more"
                )
            }
        return LinkFailure(
            cause: cause, message: "\(what) (\(http))", advice: advice, isTransient: status == 429, status: status)
    }

    /// Something other than a zisync parent answered (a captive portal, a proxy's page).
    public static func notZISync(status: Int, contentType: String, request: String) -> LinkFailure {
        let what = contentType.isEmpty ? "no content type" : contentType
        return LinkFailure(
            cause: .notZISync,
            message:
                "something other than a zisync parent answered (HTTP \(status): the answer is not from a zisync parent (\(what)); a proxy or captive portal? from \(request))",
            advice:
                "a captive portal or proxy is in the way: log in to the network's portal, or set https_proxy, or fix `parent` in zisync.toml",
            isTransient: false, status: status)
    }

    /// A zisync answer with the right status whose body is not what the protocol says.
    public static func malformed(_ what: String, request: String, status: Int = 200) -> LinkFailure {
        answer(status: status, detail: what, request: request)
    }
}

extension ParentLink {
    public func uploadOffset(sha256: String, size: Int64) async throws -> Int64 {
        try await uploadOffset(sha256: sha256, size: size, lane: 0)
    }

    /// A push without certificates (the parent already holds its origins').
    public func push(from: String, wire: [String]) async throws -> PushAnswer {
        try await push(from: from, wire: wire, certificates: [])
    }
}
