import Foundation
import ZISyncCore

/// What a child tells its parent about itself after each round (`POST /v1/report`), so the
/// parent's `status` can show how far behind each office is and why.
public struct ChildReport: Codable, Sendable, Equatable {
    /// Changes made in the child's subtree that the parent does not hold yet.
    public var pendingChanges: Int
    public var pendingFiles: Int
    public var pendingBytes: Int64
    /// When the oldest of those changes was made (ms since the epoch).
    public var oldestPending: Int64?
    /// The child's last problem, as its own `status` words it.
    public var problem: SyncProblem?
    /// A province's own children that need attention (failing or late), and how many are ok or
    /// never seen: so KPU RI sees the kab/kota too. Nil from a node without children.
    public var below: Below?

    public struct Below: Codable, Sendable, Equatable {
        public var attention: [OfficeState]
        public var ok: Int
        public var neverSeen: Int

        public init(attention: [OfficeState], ok: Int, neverSeen: Int) {
            self.attention = attention
            self.ok = ok
            self.neverSeen = neverSeen
        }
    }

    public struct OfficeState: Codable, Sendable, Equatable {
        public var satker: String
        /// failing or late.
        public var state: ChildState
        public var lagSeconds: Int64?
        public var problem: SyncProblem?

        public init(satker: String, state: ChildState, lagSeconds: Int64?, problem: SyncProblem?) {
            self.satker = satker
            self.state = state
            self.lagSeconds = lagSeconds
            self.problem = problem
        }
    }

    public init(
        pendingChanges: Int, pendingFiles: Int, pendingBytes: Int64, oldestPending: Int64?, problem: SyncProblem?,
        below: Below? = nil
    ) {
        self.pendingChanges = pendingChanges
        self.pendingFiles = pendingFiles
        self.pendingBytes = pendingBytes
        self.oldestPending = oldestPending
        self.problem = problem
        self.below = below
    }

    public func encoded() -> Data { (try? JSONEncoder().encode(self)) ?? Data("{}".utf8) }

    /// Offices a report may list as needing attention (a province has at most a few dozen).
    public static let maxAttention = 1_000

    /// A report as a parent may keep and show it: every number within its bounds (a lag, a time,
    /// a count that arithmetic could overflow is refused, naming the field), text cleaned.
    public static func decode(_ data: Data) throws(MalformedMessage) -> ChildReport {
        var report: ChildReport
        do {
            report = try JSONDecoder().decode(ChildReport.self, from: data)
        } catch {
            throw MalformedMessage("the body is not a zisync child report")
        }
        try check(report.pendingChanges, PeerBounds.count, "pendingChanges")
        try check(report.pendingFiles, PeerBounds.count, "pendingFiles")
        try check(report.pendingBytes, PeerBounds.bytes, "pendingBytes")
        if let oldest = report.oldestPending { try check(oldest, PeerBounds.time, "oldestPending") }
        report.problem = try report.problem?.checked("problem")
        if var below = report.below {
            guard below.attention.count <= maxAttention else {
                throw MalformedMessage("below.attention lists more than \(maxAttention) offices")
            }
            try check(below.ok, PeerBounds.count, "below.ok")
            try check(below.neverSeen, PeerBounds.count, "below.neverSeen")
            for i in below.attention.indices {
                let field = "below.attention[\(i)]"
                below.attention[i].satker = PeerText.clean(below.attention[i].satker, max: 32)
                if let lag = below.attention[i].lagSeconds { try check(lag, PeerBounds.seconds, field + ".lagSeconds") }
                below.attention[i].problem = try below.attention[i].problem?.checked(field + ".problem")
            }
            report.below = below
        }
        return report
    }
}
