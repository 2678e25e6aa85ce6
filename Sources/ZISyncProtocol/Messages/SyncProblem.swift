import Foundation
import ZISyncCore

/// A sync problem in an operator's words: what failed, its cause, and what to do.
public struct SyncProblem: Codable, Sendable, Equatable {
    /// A short key for scripts and metrics.
    public enum Cause: String, Codable, Sendable, CaseIterable {
        case dns, unreachable, timeout, link, tls, certificate, forbidden
        case notZISync = "not_zisync"
        case parentError = "parent_error"
        case `protocol`, refused, held, clock, local, stopped
        /// KPU RI revoked this office's certificate.
        case revoked
        case notSeen = "not_seen"

        /// The link itself failed: the parent cannot be told about it over that link.
        public var isLinkFailure: Bool {
            switch self {
            case .dns, .unreachable, .timeout, .link, .tls, .certificate, .stopped, .notZISync: true
            default: false
            }
        }
    }

    public var cause: Cause
    /// What failed: which request, record or file, with the HTTP status or curl error.
    public var message: String
    /// What to do about it.
    public var advice: String
    /// When it happened (ms since the epoch).
    public var at: Int64

    public init(cause: Cause, message: String, advice: String, at: Int64) {
        self.cause = cause
        self.message = message
        self.advice = advice
        self.at = at
    }

    /// A problem another node stated: its time within bounds, its words cleaned for a log or a terminal.
    func checked(_ field: String) throws(MalformedMessage) -> SyncProblem {
        try check(at, PeerBounds.time, field + ".at")
        return SyncProblem(cause: cause, message: PeerText.clean(message), advice: PeerText.clean(advice), at: at)
    }
}
