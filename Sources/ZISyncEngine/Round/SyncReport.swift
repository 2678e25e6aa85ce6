import ZISyncProtocol

/// What one sync round did (`zisync sync --json` prints it; docs/operations.md).
public struct SyncReport: Sendable, Codable {
    public var pushed = 0
    public var duplicates = 0
    /// Changes of this subtree the parent holds instead of applying after the round (their clock
    /// runs ahead of the parent's), as its last answer counted them.
    public var heldByParent = 0
    public var refused: [Refusal] = []
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

    public init() {}
}
