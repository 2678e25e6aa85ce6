import Foundation
import Logging
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

/// What a parent does for its children, whatever carries the requests: push, pull and report,
/// and evidence files (uploads with tus semantics, ranged downloads). The HTTPS routes of
/// ZISyncTransport and the in-process link both call it; every request names the child that
/// `admit` let in.
public struct ParentEndpoint: Sendable {
    public let store: Store
    let logger: Logger
    /// Milliseconds a pushed change's clock may run ahead of this node's before it waits.
    let maxClockAhead: Int64
    let limits: ServeLimits
    let gate: ChildGate
    /// This node's physical clock (milliseconds), injectable for tests.
    let now: @Sendable () -> Int64

    public init(
        store: Store, logger: Logger, maxClockAheadSeconds: Int = 300, limits: ServeLimits = .init(),
        now: @escaping @Sendable () -> Int64 = HybridClock.systemMilliseconds
    ) {
        self.store = store
        self.logger = logger
        maxClockAhead = Int64(maxClockAheadSeconds) * 1000
        self.limits = limits
        gate = ChildGate(limit: limits.maxRequestsPerChild)
        self.now = now
    }

    /// Runs one request of `child`, of which at most `limits.maxRequestsPerChild` run at once:
    /// however many connections an office opens, it cannot hold more of this node than that.
    public func serving<T>(_ child: Child, _ request: () async throws -> T) async throws -> T {
        guard await gate.enter(child.satker) else {
            throw EndpointError(
                .tooManyRequests,
                "\(child.satker) already has \(limits.maxRequestsPerChild) requests in progress here; try again shortly"
            )
        }
        do {
            let value = try await request()
            await gate.leave(child.satker)
            return value
        } catch {
            await gate.leave(child.satker)
            throw error
        }
    }

    /// A direct child of this node, as named by its certificate: the only identity requests carry.
    public struct Child: Sendable, Hashable {
        public let satker: String
    }

    /// The door: only a direct child of this node is served, and over HTTPS only with a
    /// certificate that is not revoked (`certificateDER`, the one its connection showed).
    public func admit(_ satker: String, certificateDER: [UInt8]? = nil) throws -> Child {
        if let certificateDER, let revoked = store.doorRefusal(certificateDER: certificateDER) {
            throw EndpointError(.forbidden, revoked)
        }
        guard store.registry[satker]?.parent == store.node else {
            throw EndpointError(.forbidden, "\(satker) is not a child of \(store.node)")
        }
        return Child(satker: satker)
    }

    // MARK: - Push, pull, report

    public func push(_ request: PushRequest, from child: Child) async throws -> PushAnswer {
        guard request.from == child.satker else {
            throw EndpointError(
                .forbidden, "the push says it is from \(request.from) but the certificate is \(child.satker)")
        }
        guard request.changes.count <= SyncProtocol.maxPushChanges else {
            throw EndpointError(.tooLarge, "at most \(SyncProtocol.maxPushChanges) changes per push")
        }
        var changes: [Change] = []
        var malformed: [Refusal] = []
        for (i, result) in request.changes.enumerated() {
            switch result {
            case .success(let change): changes.append(change)
            case .failure(let error):
                malformed.append(.init(change: "#\(i + 1)", record: "", reason: "malformed change: \(error)"))
            }
        }
        let now = self.now()
        let (store, ahead, received, certificates) = (self.store, maxClockAhead, changes, request.certificates)
        let (report, tips) = try await blocking {
            try store.ledger.receivePush(
                received, from: child.satker, at: now, maxClockAhead: ahead, certificates: certificates)
        }
        let answer = PushAnswer(
            accepted: report.applied, duplicates: report.duplicates, held: report.held,
            refused: malformed + report.refused, tips: tips.seqs, serverTime: now,
            heldReason: report.heldForClock == 0
                ? nil
                : "\(report.heldForClock) change(s) carry a clock more than \(maxClockAhead / 1000) s ahead of \(store.node)'s; they wait here until \(store.node)'s clock reaches them",
            tipHashes: tips.hashes
        )
        SyncMetrics.childSeen(child.satker, at: now)
        SyncMetrics.received(from: child.satker, applied: report.applied, refused: answer.refused.count)
        if let summary = Refusal.summary(answer.refused) {
            logger.warning("push from \(child.satker): refused \(summary)")
        }
        return answer
    }

    /// A pull answer: a page of the changes in the child's scope after `cursor`.
    /// With `restore`, the page also carries the changes of the child's own subtree (their whole
    /// chains, as this node holds them): what an office that lost its disk fetches back.
    public func pull(after cursor: Int64, limit: Int?, for child: Child, restore: Bool = false) async throws
        -> ServedPage
    {
        let limit = max(1, min(limit ?? SyncProtocol.defaultPullLimit, SyncProtocol.maxPullChanges))
        let now = self.now()
        let store = self.store
        let (page, database, tips, certificates) = try await blocking {
            let page = try store.changeLog.page(
                for: child.satker, after: max(0, cursor), limit: limit, includingOwnChains: restore)
            try store.ledger.childPulled(child.satker, at: now)
            // The last page says what this node holds of the child's subtree, and which database it is.
            let tips = page.more ? nil : try store.changeLog.chainTips(subtree: child.satker)
            return (page, try store.ledger.databaseIdentity(), tips, try store.certificates(keyIDs: page.keyIDs))
        }
        SyncMetrics.childSeen(child.satker, at: now)
        SyncMetrics.sent(to: child.satker, changes: page.wire.count)
        return ServedPage(
            wire: Array(page.wire), next: page.next, more: page.more, serverTime: now, parent: database,
            tips: tips?.seqs, tipHashes: tips?.hashes, certificates: certificates)
    }

    /// A child's account of itself after a round: kept for the children table of `status`.
    public func report(_ report: ChildReport, from child: Child) async throws {
        // A child speaks for its own subtree only: another office's state shown under it would
        // mislead the parent's operator.
        let registry = self.store.registry
        if let stranger = report.below?.attention.first(where: {
            !registry.isStrictAncestor(child.satker, of: $0.satker)
        }) {
            throw EndpointError(
                .forbidden, "the report of \(child.satker) lists \(stranger.satker), which is not below \(child.satker)"
            )
        }
        let now = self.now()
        let store = self.store
        try await blocking { try store.ledger.childReported(child.satker, report: report, at: now) }
        SyncMetrics.childSeen(child.satker, at: now)
        if let problem = report.problem {
            logger.notice("\(child.satker) reports: \(problem.message)")
        }
    }
}

/// A request the parent refuses, with the HTTP status its answer carries and a reason.
public struct EndpointError: Error, CustomStringConvertible, Sendable {
    public enum Status: Int, Sendable {
        case badRequest = 400
        case forbidden = 403
        case notFound = 404
        case requestTimeout = 408
        case conflict = 409
        case preconditionFailed = 412
        case tooLarge = 413
        case unsupportedMediaType = 415
        case rangeNotSatisfiable = 416
        case locked = 423
        case tooManyRequests = 429
        /// tus: the chunk does not match its `Upload-Checksum`.
        case checksumMismatch = 460
        /// The child's quota of unfinished uploads is full.
        case insufficientStorage = 507
    }

    public let status: Status
    public let message: String
    public var description: String { message }

    public init(_ status: Status, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// What a node that serves children lets each child hold (`[serve]` in zisync.toml).
public struct ServeLimits: Sendable, Equatable {
    public var maxRequestsPerChild = 4
    /// What a child's unfinished uploads may hold and how long they are kept (the store's one
    /// upload policy, the web app's too).
    public var uploads = UploadLimits()
    /// One PATCH's body must arrive within this.
    public var uploadWriteTimeoutSeconds = 600

    public init() {}
}

/// Counts each child's requests in progress.
actor ChildGate {
    let limit: Int
    private var active: [String: Int] = [:]

    init(limit: Int) { self.limit = limit }

    func enter(_ satker: String) -> Bool {
        guard active[satker, default: 0] < limit else { return false }
        active[satker, default: 0] += 1
        return true
    }

    func leave(_ satker: String) {
        let n = active[satker, default: 1] - 1
        active[satker] = n > 0 ? n : nil
    }
}
