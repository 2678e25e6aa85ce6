import ZISyncProtocol

/// What one sync round did (`zisync sync --json` prints it; docs/operations.md).
public struct SyncReport: Sendable, Codable {
    public var pushed = 0
    public var duplicates = 0
    /// Changes of this subtree the parent holds instead of applying after the round (their clock
    /// runs ahead of the parent's), as its last answer counted them.
    public var heldByParent = 0
    /// This office's own changes re-stamped because its clock had run ahead.
    public var restamped = 0
    public var refused: [Refusal] = []
    /// Changes the parent sent that this node refused (not its origin's, outside its scope).
    public var refusedHere: [Refusal] = []
    public var filesUploaded = 0
    public var bytesUploaded: Int64 = 0
    public var pulled = 0
    /// Changes from above waiting here after the pull because their clock runs ahead of this one.
    public var heldHere = 0
    /// The parent holds less than it had acknowledged (restored from an older backup) or is
    /// another database: the next round sends again what it lacks and confirms every file.
    public var parentLostData = false
    /// Why this node had to fetch its own chain from the parent this round (set by what the
    /// parent said it holds), when it had to.
    public var recovery: String?
    /// Changes brought back from the parent by a restore, and own changes written again on top
    /// of the parent's chain after it (those the parent held differently).
    public var restored = 0
    public var rewritten = 0
    public var filesDownloaded = 0
    public var bytesDownloaded: Int64 = 0
    /// Files that failed on their own this round, each named with its reason; they are tried
    /// again in a later round (backing off), and the round went on without them.
    public var fileProblems: [String] = []
    /// The first of them, explained (internal: the round's problem when nothing worse happened).
    var fileProblem: SyncProblem?
    /// Files skipped this round because their own next attempt is not due yet.
    public var filesWaiting = 0
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

    enum CodingKeys: String, CodingKey {
        case pushed, duplicates, heldByParent, restamped, refused, refusedHere, parentLostData, recovery, restored,
            rewritten
        case filesUploaded, bytesUploaded, pulled,
            heldHere,
            filesDownloaded
        case bytesDownloaded, fileProblems, filesWaiting, clockSkewMilliseconds, seconds, pushSeconds
        case uploadSeconds, pullSeconds, downloadSeconds, problem
    }
}
