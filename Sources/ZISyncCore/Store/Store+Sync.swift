import Foundation
import GRDB

/// What the network sync needs from the store: pages for a child, pulled pages with their
/// cursor, pushes with the child's last-seen time, and a few persistent facts for status.
extension Store {
    public struct Page: Sendable {
        public let changes: [Change]
        public let next: Int64
        public let more: Bool
    }

    /// Changes in `child`'s scope stored here after `cursor`, in arrival order.
    public func changesForChild(_ child: String, after cursor: Int64, limit: Int) throws -> Page {
        let scope = Scope(node: child, registry: registry)
        let scanLimit = max(limit * 20, 10_000)
        return try db.read { db in
            var changes: [Change] = []
            var next = cursor
            var scanned = 0
            let rows = try Row.fetchCursor(
                db, sql: "SELECT * FROM change_log WHERE local_seq > ? AND status = 'applied' ORDER BY local_seq",
                arguments: [cursor])
            while let row = try rows.next() {
                scanned += 1
                next = row["local_seq"]
                // Scope needs only these columns; decode the rows that are in it.
                if scope.contains(type: row["record_type"], owner: row["owner"], origin: row["origin"]) {
                    changes.append(try Self.storedChange(row).change)
                }
                if changes.count >= limit || scanned >= scanLimit {
                    let more =
                        try Bool.fetchOne(
                            db, sql: "SELECT EXISTS(SELECT 1 FROM change_log WHERE local_seq > ?)", arguments: [next])
                        ?? false
                    return Page(changes: changes, next: next, more: more)
                }
            }
            return Page(changes: changes, next: next, more: false)
        }
    }

    /// Applies a page pulled from the parent and stores the cursor in the same transaction.
    public func receivePulled(_ changes: [Change], from parent: String, cursor: Int64) throws -> ReceiveReport {
        try receive(
            changes, sender: nil, source: "pull from \(parent)", scope: Scope(node: node, registry: registry)
        ) { db, _ in
            try Self.setMeta(db, "pull_cursor", String(cursor))
        }
    }

    /// Applies a child's push and records when it was seen, in one transaction.
    /// `maxClockAhead`: how far (ms) a change's clock may run ahead of this node's; later ones wait.
    public func receivePush(_ changes: [Change], from child: String, at now: Int64, maxClockAhead: Int64) throws
        -> ReceiveReport
    {
        let notAfter = HLC(milliseconds: now + maxClockAhead, counter: 0xFFFF)
        return try receive(changes, sender: child, source: "push from \(child)", scope: nil, notAfter: notAfter) {
            db, report in
            let refusal = report.refused.first.map {
                "\(report.refused.count) change(s) refused, first \($0.change) (record \($0.recordID)): \($0.reason)"
            }
            try db.execute(
                sql: """
                    INSERT INTO child_seen(satker, last_seen, last_push, pushed, refused) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, last_push = excluded.last_push,
                        pushed = pushed + excluded.pushed, refused = refused + excluded.refused
                    """, arguments: [child, now, now, report.applied, report.refused.count])
            if let refusal {
                try db.execute(
                    sql: "UPDATE child_seen SET last_refusal = ?, last_refusal_at = ? WHERE satker = ?",
                    arguments: [refusal, now, child])
            } else {
                try db.execute(
                    sql: "UPDATE child_seen SET last_clean_push = ? WHERE satker = ?", arguments: [now, child])
            }
        }
    }

    /// Stores what a child reported of itself (JSON, read by `status`).
    public func childReported(_ child: String, report: String, at now: Int64) throws {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO child_seen(satker, last_seen, report, reported_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, report = excluded.report,
                        reported_at = excluded.reported_at
                    """, arguments: [child, now, report, now])
        }
    }

    public func childPulled(_ child: String, at now: Int64) throws {
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO child_seen(satker, last_seen, last_pull) VALUES (?, ?, ?)
                    ON CONFLICT(satker) DO UPDATE SET last_seen = excluded.last_seen, last_pull = excluded.last_pull
                    """, arguments: [child, now, now])
        }
    }

    public struct ChildSeen: Sendable {
        public let satker: String
        public let lastSeen: Int64
        public let lastPush: Int64?
        public let lastPull: Int64?
        public let pushed: Int
        public let refused: Int
        /// The child's own last report (JSON) and when it came.
        public let report: String?
        public let reportedAt: Int64?
        public let lastRefusal: String?
        public let lastRefusalAt: Int64?
        /// The last push from it in which nothing was refused.
        public let lastCleanPush: Int64?
    }

    public func childrenSeen() throws -> [ChildSeen] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM child_seen ORDER BY satker").map {
                ChildSeen(
                    satker: $0["satker"], lastSeen: $0["last_seen"], lastPush: $0["last_push"],
                    lastPull: $0["last_pull"], pushed: $0["pushed"], refused: $0["refused"], report: $0["report"],
                    reportedAt: $0["reported_at"], lastRefusal: $0["last_refusal"],
                    lastRefusalAt: $0["last_refusal_at"], lastCleanPush: $0["last_clean_push"])
            }
        }
    }

    public func meta(_ key: String) throws -> String? {
        try db.read { db in try String.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = ?", arguments: [key])
        }
    }

    public func setMeta(_ values: [String: String?]) throws {
        try db.write { db in try Self.setMeta(db, values) }
    }

    static func setMeta(_ db: Database, _ values: [String: String?]) throws {
        for (key, value) in values {
            if let value {
                try setMeta(db, key, value)
            } else {
                try db.execute(sql: "DELETE FROM node_meta WHERE key = ?", arguments: [key])
            }
        }
    }

    static func setMeta(_ db: Database, _ key: String, _ value: String) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO node_meta(key, value) VALUES (?, ?)", arguments: [key, value])
    }

    /// SHA-256s of evidence files that records here name but the file store lacks.
    public func missingFiles() throws -> [(sha256: String, size: Int64)] {
        var seen = Set<String>()
        return try records(.evidence, includeDeleted: true).compactMap { e in
            guard let sha = e.string("sha256"), !files.contains(sha), seen.insert(sha).inserted else { return nil }
            return (sha, e["size"].intValue ?? 0)
        }
    }

    /// Files named by this node's own subtree's evidence, for uploading to the parent.
    public func filesForParent() throws -> [(sha256: String, size: Int64)] {
        var seen = Set<String>()
        return try records(.evidence, subtree: node, includeDeleted: true).compactMap { e in
            guard let sha = e.string("sha256"), files.contains(sha), seen.insert(sha).inserted else { return nil }
            return (sha, files.size(of: sha) ?? 0)
        }
    }

    public var pendingUploadCount: Int {
        get throws {
            let acked = try acknowledged()
            return try db.read { db in
                var n = 0
                for row in try Row.fetchAll(db, sql: "SELECT origin, seq FROM origin_head") {
                    let origin: String = row[0]
                    guard registry.isInSubtree(origin, of: node) else { continue }
                    n += max(0, Int((row[1] as Int64) - (acked[origin] ?? 0)))
                }
                return n
            }
        }
    }

    /// When the oldest change of this subtree that the parent does not hold yet was made
    /// (milliseconds), or nil when the parent holds everything.
    public var oldestPendingMilliseconds: Int64? {
        get throws {
            let acked = try acknowledged()
            return try db.read { db in
                var oldest: Int64?
                for row in try Row.fetchAll(db, sql: "SELECT origin, seq FROM origin_head") {
                    let origin: String = row[0]
                    guard registry.isInSubtree(origin, of: node), (row[1] as Int64) > (acked[origin] ?? 0) else {
                        continue
                    }
                    if let hlc = try Int64.fetchOne(
                        db, sql: "SELECT MIN(hlc) FROM change_log WHERE origin = ? AND seq > ?",
                        arguments: [origin, acked[origin] ?? 0])
                    {
                        let ms = HLC(rawValue: hlc).milliseconds
                        oldest = min(oldest ?? ms, ms)
                    }
                }
                return oldest
            }
        }
    }

    /// The arrival number of the newest change stored here (0 when none).
    public var newestArrival: Int64 {
        get throws { try db.read { try Int64.fetchOne($0, sql: "SELECT MAX(local_seq) FROM change_log") ?? 0 } }
    }

    /// The file name a bukti dukung record gives a stored file, for messages.
    public func evidenceFileName(sha256: String) throws -> String? {
        try db.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT json_extract(state, '$.file_name.v') FROM record_state
                    WHERE record_type = 'evidence' AND json_extract(state, '$.sha256.v') = ? LIMIT 1
                    """, arguments: [sha256])
        }
    }

    public func markUploaded(_ sha256: String) throws {
        try db.write {
            try $0.execute(sql: "INSERT OR IGNORE INTO uploaded_file(sha256) VALUES (?)", arguments: [sha256])
        }
    }

    public func uploadedFiles() throws -> Set<String> {
        try db.read { Set(try String.fetchAll($0, sql: "SELECT sha256 FROM uploaded_file")) }
    }

    /// Folds a clock reading (the parent's, from a sync answer) into this node's HLC.
    /// The owners of evidence records (deleted ones included) that name a file: who may send
    /// or fetch it. Read in SQL so a file request does not decode every evidence record.
    public func evidenceOwners(sha256: String) throws -> Set<String> {
        try db.read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT owner FROM record_state
                        WHERE record_type = 'evidence' AND json_extract(state, '$.sha256.v') = ?
                        """, arguments: [sha256]))
        }
    }

    static func observeClock(_ db: Database, milliseconds: Int64) throws {
        let last = try Int64.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = 'hlc'") ?? 0
        let seen = HLC(milliseconds: milliseconds, counter: 0).rawValue
        if seen > last { try setMeta(db, "hlc", String(seen)) }
    }
}
