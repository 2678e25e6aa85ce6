import Foundation

/// A pull page as the parent serves it: the changes in their stored wire forms, sent as they are
/// (never decoded and encoded again), with what the page says besides. `encoded()` is the body a
/// child decodes as a `PullPage`.
public struct ServedPage: Sendable, Equatable {
    public var wire: [String]
    public var next: Int64
    public var more: Bool
    public var serverTime: Int64
    public var parent: String?
    /// On the last page: what the parent holds of the child's subtree.
    public var tips: [String: Int64]?
    public var tipHashes: [String: String]?
    public var certificates: [[UInt8]]

    public init(
        wire: [String], next: Int64, more: Bool, serverTime: Int64, parent: String? = nil,
        tips: [String: Int64]? = nil, tipHashes: [String: String]? = nil, certificates: [[UInt8]] = []
    ) {
        self.wire = wire
        self.next = next
        self.more = more
        self.serverTime = serverTime
        self.parent = parent
        self.tips = tips
        self.tipHashes = tipHashes
        self.certificates = certificates
    }

    public func encoded() -> Data {
        PullPage.encode(
            wire: wire, next: next, more: more, serverTime: serverTime, parent: parent, tips: tips,
            tipHashes: tipHashes, certificates: certificates)
    }
}
