import Foundation
import GRDB
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol

/// A node's local state: one SQLite database (GRDB) and the file store. Its parts, each a type
/// of its own: the change log (`changeLog`), the materialized records (`records`), the sync
/// ledger (`ledger`) and the audit queries (`audit`). Every write, local or received, goes
/// through `ApplySession`, the one apply path.
public final class Store: @unchecked Sendable {
    public let home: Home
    public let node: String
    public let files: FileStore
    let db: DatabasePool
    /// The system clock (milliseconds), injectable for tests.
    let systemNow: @Sendable () -> Int64
    private let lock = NSLock()
    private var clockOffset: Int64 = 0
    private var skewLimit: Int64 = 300_000
    private var cachedRegistry: SatkerRegistry
    private var cachedLKE: [String: LKERow]
    private var cachedSubtree: Set<String>
    private var signer: OriginKey?
    private var trust: DeploymentTrust?

    /// This node's signing key, when it has a certificate: its own changes are signed with it.
    public var originKey: OriginKey? { lock.withLock { signer } }
    /// The deployment CA, when this node knows it: received changes must be signed by their origin.
    public var deploymentTrust: DeploymentTrust? { lock.withLock { trust } }
    /// The certificates KPU RI revoked, read from the reference data each time (at KPU RI a
    /// revocation is written by the `pki revoke` command, beside the daemon).
    public var revocations: Revocations {
        (try? db.read { try ReferenceIndex.revocations($0) }) ?? Revocations([])
    }

    func setAuthenticity(signer: OriginKey?, trust: DeploymentTrust?) {
        lock.withLock {
            self.signer = signer
            self.trust = trust
        }
    }

    public var registry: SatkerRegistry { lock.withLock { cachedRegistry } }

    /// This node's physical clock: the system's, corrected by the offset measured against the
    /// parent when the two were found further apart than the skew limit (brief §5.3).
    var physicalNow: @Sendable () -> Int64 {
        let (system, offset) = (systemNow, lock.withLock { clockOffset })
        return { system() + offset }
    }

    /// Uses `milliseconds` (the parent's clock minus this one's) as the correction from now on;
    /// 0 when the clocks agree within the limit.
    public func useClockOffset(_ milliseconds: Int64) { lock.withLock { clockOffset = milliseconds } }

    /// How far (ms) a change's clock may run ahead of this node's before it waits instead of
    /// being applied, and before this node's own clock counts as run ahead (`clock_skew_limit_seconds`).
    public var clockSkewLimitMilliseconds: Int64 {
        get { lock.withLock { skewLimit } }
        set { lock.withLock { skewLimit = max(1000, newValue) } }
    }

    /// Every satker code in this node's subtree, itself included.
    public var subtree: Set<String> { lock.withLock { cachedSubtree } }

    /// This node's parent office, nil at KPU RI.
    public var parent: String? { registry[node]?.parent }

    public var authorization: Authorization {
        let rows = lock.withLock { cachedLKE }
        return Authorization(registry: registry, lkeCodeExists: { rows[$0] != nil }, lkeRow: { rows[$0] })
    }

    public var changeLog: ChangeLog { ChangeLog(store: self) }
    public var records: Records { Records(store: self) }
    public var ledger: SyncLedger { SyncLedger(store: self) }
    public var audit: Audit { Audit(store: self) }

    static func openPool(_ home: Home) throws -> DatabasePool {
        let pool = try DatabasePool(path: home.databaseURL.path, configuration: Schema.connection())
        try Schema.migrator(filesRoot: home.filesURL).migrate(pool)
        home.restrictPermissions()
        return pool
    }

    private init(
        home: Home, node: String, db: DatabasePool, physicalNow: @escaping @Sendable () -> Int64
    ) throws {
        self.home = home
        self.node = node
        self.db = db
        self.systemNow = physicalNow
        let notes = FileNotes(db: db, node: node)
        self.files = try FileStore(root: home.filesURL, onStored: { notes.stored($0, size: $1) })
        cachedRegistry = SatkerRegistry([])
        cachedLKE = [:]
        cachedSubtree = []
        try reloadReference()
        try Schema.ensureRollUpIndexes(db, hasChildren: !cachedRegistry.children(of: node).isEmpty)
        notes.subtree = { [weak self] in self?.subtree ?? [] }
        notes.hasParent = { [weak self] in self?.parent != nil }
    }

    /// Creates a node: the database, the file store, and KPU RI's reference data
    /// (the satker registry and the LKE catalogue) entered as `00`'s changes.
    public static func initialize(
        home: Home, satker: String, physicalNow: @escaping @Sendable () -> Int64 = HybridClock.systemMilliseconds
    ) throws -> Store {
        let seed = try ReferenceSeed.load()
        guard seed.registry.contains(satker) else {
            throw ZISyncError(
                "unknown satker code '\(satker)': not in the registry of 553 offices (e.g. 00, 32, 32.17)")
        }
        if home.exists {
            throw ZISyncError("\(home.url.path) already holds a zisync node (zisync.db exists)")
        }
        try FileManager.default.createDirectory(
            at: home.url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let pool = try openPool(home)
        try pool.write { db in
            try NodeMetaRow.create(db, satker: satker)
        }
        let store = try Store(home: home, node: satker, db: pool, physicalNow: physicalNow)
        let report = try store.receive(
            seed.changes, sender: nil, source: "seed",
            authorization: Authorization(registry: seed.registry, lkeCodeExists: { seed.lkeCodes.contains($0) }))
        guard report.refused.isEmpty else {
            throw ZISyncError("reference seed refused: \(report.refused[0].reason)")
        }
        try store.reloadReference()
        return store
    }

    public static func open(
        home: Home, clockSkewLimitSeconds: Int = 300,
        physicalNow: @escaping @Sendable () -> Int64 = HybridClock.systemMilliseconds
    ) throws -> Store {
        guard home.exists else {
            throw ZISyncError(
                "no zisync node at \(home.url.path): run `zisync init --home \(home.url.path) --satker CODE` first")
        }
        let pool = try openPool(home)
        let (satker, offset) = try pool.read { db in
            (
                try NodeMetaRow.satker(db),
                try SyncState.fetchOne(db)?.clockOffsetMilliseconds ?? 0
            )
        }
        guard let satker else { throw ZISyncError("\(home.databaseURL.path) has no node identity") }
        // A clock found far off at the last sync is corrected by the offset measured then.
        let store = try Store(home: home, node: satker, db: pool, physicalNow: physicalNow)
        store.useClockOffset(offset)
        store.clockSkewLimitMilliseconds = Int64(clockSkewLimitSeconds) * 1000
        return store
    }

    /// Rebuilds the in-memory registry and LKE code set from the replicated reference records.
    func reloadReference() throws {
        let (registry, codes) = try db.read { db in
            (try ReferenceIndex.registry(db), try ReferenceIndex.lkeRows(db))
        }
        let subtree = registry.subtree(of: node)
        lock.withLock {
            cachedRegistry = registry
            cachedLKE = codes
            cachedSubtree = subtree
        }
    }
}

/// Records files entering the file store in the database (`local_file` and the transfer
/// queues), so that rounds and reports find them by query instead of by listing the disk.
final class FileNotes: @unchecked Sendable {
    let db: DatabasePool
    let node: String
    var subtree: @Sendable () -> Set<String> = { [] }
    var hasParent: @Sendable () -> Bool = { false }

    init(db: DatabasePool, node: String) {
        self.db = db
        self.node = node
    }

    func stored(_ sha256: String, size: Int64) {
        let subtree = self.subtree()
        let hasParent = self.hasParent()
        // Best effort: a file missed here is found by the next check of the disk (FileQueues).
        try? db.write { db in
            try FileQueues.stored(db, sha256: sha256, size: size, subtree: subtree, hasParent: hasParent)
        }
    }
}
