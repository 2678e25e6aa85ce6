import Foundation
import ZISyncCore

/// One child as its parent judges it (the children table of `status`, the web's Satker di bawah;
/// docs/operations.md): what the daemon answers on its control socket.
public struct ChildStatus: Sendable, Codable {
    public let satker: String
    public let name: String
    public let state: ChildState
    public let lastSeen: Int64?
    public let lastPush: Int64?
    public let lastPull: Int64?
    /// How old the oldest change is that this node does not have from the child yet (as far as
    /// it knows): the age of its oldest pending change, else the time since last seen.
    public let lagSeconds: Int64?
    /// What the child last reported of itself (nil before its first report).
    public let pendingChanges: Int?
    public let pendingFiles: Int?
    public let pendingBytes: Int64?
    public let problem: SyncProblem?
    public let pushed: Int
    public let refused: Int
    public let reportedAt: Int64?
    /// The child's own children as it last reported them (a province seen from KPU RI).
    public let below: ChildReport.Below?

    public init(
        satker: String, name: String, state: ChildState, lastSeen: Int64?, lastPush: Int64?, lastPull: Int64?,
        lagSeconds: Int64?, pendingChanges: Int?, pendingFiles: Int?, pendingBytes: Int64?, problem: SyncProblem?,
        pushed: Int, refused: Int, reportedAt: Int64?, below: ChildReport.Below?
    ) {
        self.satker = satker
        self.name = name
        self.state = state
        self.lastSeen = lastSeen
        self.lastPush = lastPush
        self.lastPull = lastPull
        self.lagSeconds = lagSeconds
        self.pendingChanges = pendingChanges
        self.pendingFiles = pendingFiles
        self.pendingBytes = pendingBytes
        self.problem = problem
        self.pushed = pushed
        self.refused = refused
        self.reportedAt = reportedAt
        self.below = below
    }
}
