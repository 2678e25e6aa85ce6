import Foundation
import GRDB

/// A node's local state: the change log, the materialized records and the file store.
/// Every write, local or received, goes through `ApplySession.apply`.
public final class Store: @unchecked Sendable {
    public let home: Home
    public let node: String
    public let files: FileStore
    let db: DatabasePool
    let physicalNow: @Sendable () -> Int64
    private let lock = NSLock()
    private var cachedRegistry: SatkerRegistry
    private var cachedLKECodes: Set<String>

    public var registry: SatkerRegistry { lock.withLock { cachedRegistry } }

    public var authorization: Authorization {
        let codes = lock.withLock { cachedLKECodes }
        return Authorization(registry: registry, lkeCodeExists: { codes.contains($0) })
    }

    static func openPool(_ home: Home) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: home.databaseURL.path, configuration: config)
        try Schema.migrator.migrate(pool)
        return pool
    }

    private init(
        home: Home, node: String, db: DatabasePool, physicalNow: @escaping @Sendable () -> Int64
    ) throws {
        self.home = home
        self.node = node
        self.db = db
        self.physicalNow = physicalNow
        self.files = try FileStore(root: home.filesURL)
        cachedRegistry = SatkerRegistry([])
        cachedLKECodes = []
        try reloadReference()
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
        try FileManager.default.createDirectory(at: home.url, withIntermediateDirectories: true)
        let pool = try openPool(home)
        try pool.write { db in
            try db.execute(sql: "INSERT INTO node_meta(key, value) VALUES ('satker', ?)", arguments: [satker])
            try db.execute(sql: "INSERT INTO node_meta(key, value) VALUES ('hlc', '0')")
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
        home: Home, physicalNow: @escaping @Sendable () -> Int64 = HybridClock.systemMilliseconds
    ) throws -> Store {
        guard home.exists else {
            throw ZISyncError(
                "no zisync node at \(home.url.path): run `zisync init --home \(home.url.path) --satker CODE` first")
        }
        let pool = try openPool(home)
        let satker = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = 'satker'")
        }
        let offsetText = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = 'clock_offset_ms'")
        }
        let offset = offsetText.flatMap { Int64($0) } ?? 0
        guard let satker else { throw ZISyncError("\(home.databaseURL.path) has no node identity") }
        // A clock found far off at the last sync is corrected by the offset measured then.
        if offset == 0 { return try Store(home: home, node: satker, db: pool, physicalNow: physicalNow) }
        let system = physicalNow
        return try Store(home: home, node: satker, db: pool, physicalNow: { system() + offset })
    }

    /// Rebuilds the in-memory registry and LKE code set from the replicated reference records.
    func reloadReference() throws {
        let (satkers, codes) = try db.read { db -> ([Satker], Set<String>) in
            var satkers: [Satker] = []
            for row in try Row.fetchAll(
                db, sql: "SELECT state FROM record_state WHERE record_type = 'satker' AND deleted = 0")
            {
                let f = try RecordStateCodec.decode(row[0])
                guard let code = f["code"]?.value.stringValue,
                    let level = f["level"]?.value.stringValue.flatMap(SatkerLevel.init(rawValue:))
                else { continue }
                if f["active"]?.value == .bool(false) { continue }
                satkers.append(
                    Satker(
                        code: code, level: level, parent: f["parent"]?.value.stringValue,
                        name: f["name"]?.value.stringValue ?? code))
            }
            var codes = Set<String>()
            for row in try Row.fetchAll(
                db, sql: "SELECT record_id FROM record_state WHERE record_type = 'lke_item' AND deleted = 0")
            {
                let id: String = row[0]
                codes.insert(String(id.dropFirst("lke:".count)))
            }
            return (satkers.sorted { $0.code < $1.code }, codes)
        }
        lock.withLock {
            cachedRegistry = SatkerRegistry(satkers)
            cachedLKECodes = codes
        }
    }

    // MARK: - Writing

    /// One local write to one record: builds the change (next sequence, HLC tick, base =
    /// the heads this node holds, previous hash) and applies it in one transaction.
    @discardableResult
    public func write(
        type: RecordType, recordID: String, owner: String, fields: [String: FieldValue], actor: String
    ) throws -> Change {
        try writeBatch { try $0.write(type: type, recordID: recordID, owner: owner, fields: fields, actor: actor) }[0]
    }

    /// Several local writes in one transaction: all of them are stored, or none.
    @discardableResult
    public func writeBatch(_ body: (inout LocalWriter) throws -> Void) throws -> [Change] {
        let auth = authorization
        return try db.write { db in
            var session = try ApplySession(db: db, store: self, authorization: auth)
            var writer = LocalWriter(session: session)
            try body(&writer)
            session = writer.session
            try session.finish()
            return writer.written
        }
    }

    /// Applies changes from elsewhere (a bundle, a push, the seed) in one transaction.
    /// `sender` is the office that delivered them; nil when no subtree check applies.
    public func receive(
        _ changes: [Change], sender: String?, source: String, authorization: Authorization? = nil
    ) throws -> ReceiveReport {
        try receive(changes, sender: sender, source: source, authorization: authorization, scope: nil) { _, _ in }
    }

    /// The general form: `scope`, when given, refuses changes outside this node's scope (a pull);
    /// `alongside` runs in the same transaction (a cursor, a child's last-seen time).
    func receive(
        _ changes: [Change], sender: String?, source: String, authorization: Authorization? = nil,
        scope: Scope?, notAfter: HLC? = nil, alongside: (Database, ReceiveReport) throws -> Void
    ) throws -> ReceiveReport {
        let auth = authorization ?? self.authorization
        let report = try db.write { db in
            var session = try ApplySession(db: db, store: self, authorization: auth)
            session.notAfter = notAfter
            var report = ReceiveReport()
            if notAfter != nil, let sender {
                // Changes held for their clock whose time has come go first.
                try session.releaseDue(in: sender, source: source, report: &report)
            }
            for change in changes {
                if let scope, !scope.contains(change) {
                    try session.refuse(
                        change, reason: "change \(change.id) is outside the scope of \(node)", sender: sender,
                        source: source, report: &report)
                    continue
                }
                try session.receive(change, sender: sender, source: source, report: &report)
            }
            try alongside(db, report)
            try session.finish()
            report.held = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_change") ?? 0
            return report
        }
        if changes.contains(where: { RecordType(rawValue: $0.recordType)?.isReference == true }) {
            try reloadReference()
        }
        return report
    }
}

/// What happened to a batch of received changes.
public struct ReceiveReport: Sendable, Equatable {
    public struct Refusal: Sendable, Equatable {
        public let change: String
        public let recordID: String
        public let reason: String

        public init(change: String, recordID: String, reason: String) {
            self.change = change
            self.recordID = recordID
            self.reason = reason
        }
    }

    public var applied = 0
    public var duplicates = 0
    public var refused: [Refusal] = []
    /// Changes waiting (after this batch) for an earlier change of their origin.
    public var held = 0
    /// Of this batch, changes held because their clock is ahead of this node's (brief §5.3).
    public var heldForClock = 0

    public init() {}
}

/// Builds local changes inside a `writeBatch` transaction.
public struct LocalWriter {
    var session: ApplySession
    public private(set) var written: [Change] = []

    init(session: ApplySession) { self.session = session }

    @discardableResult
    public mutating func write(
        type: RecordType, recordID: String, owner: String, fields: [String: FieldValue], actor: String
    ) throws -> Change {
        let change = try session.makeLocalChange(
            type: type, recordID: recordID, owner: owner, fields: fields, actor: actor)
        written.append(change)
        return change
    }

    /// The record as this transaction sees it (including earlier writes in the batch).
    public mutating func record(_ id: String) throws -> StoredRecord? { try session.record(id) }
}
