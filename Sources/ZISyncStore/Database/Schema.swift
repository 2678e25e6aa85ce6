import Foundation
import GRDB

/// The node database's schema: its migrations (`Migration.all`, one version per file under
/// Migrations/), the roll-up indexes a node with children makes, and how a connection to it is
/// set up. (The statements on its tables are the tables' own, Tables/.)
enum Schema {
    /// Every connection: durable commits, a wait for a busy database, a larger page cache.
    static func connection() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // The writer keeps 32 MiB of pages (SQLite's default is 2): a batch's writes find a
            // national store's indexes in memory instead of a system call per page. Readers keep
            // 8 MiB each: a daemon's readers (pulls served, the outbox relayed, status, the web)
            // each filled 32 MiB and held it while relaying (about 20 MB of a province's peak).
            // Taken only as used.
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -8192" : "PRAGMA cache_size = -32768")
        }
        return config
    }

    static func migrator(filesRoot: URL) -> DatabaseMigrator {
        var m = DatabaseMigrator()
        for migration in Migration.all {
            m.registerMigration(migration.name) { db in try migration.apply(db, filesRoot) }
        }
        return m
    }

    /// Indexes that cover the roll-up's columns, so a province or KPU RI counts its subtree's
    /// plans and evidence from them instead of from the records (evidence carries its plan's area,
    /// RecordIndexes). A kab/kota's roll-up covers its own office only, and its writes do not pay
    /// for them.
    static let rollUpIndexes = [
        "record_state_plans": """
        CREATE INDEX IF NOT EXISTS record_state_plans ON record_state(owner, area, status, deadline)
        WHERE record_type = 'action_plan' AND deleted = 0
        """,
        "record_state_evidence": """
        CREATE INDEX IF NOT EXISTS record_state_evidence ON record_state(owner, area, sha256)
        WHERE record_type = 'evidence' AND deleted = 0
        """,
    ]

    /// Makes the roll-up indexes when a node has children and lacks them (at open). Idempotent:
    /// commands started beside a province's first daemon start all find them missing, and each
    /// makes them or finds them made (`IF NOT EXISTS`, in one write transaction).
    static func ensureRollUpIndexes(_ pool: DatabasePool, hasChildren: Bool) throws {
        guard hasChildren else { return }
        let present = try pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'"))
        }
        let missing = rollUpIndexes.filter { !present.contains($0.key) }
        guard !missing.isEmpty else { return }
        try pool.write { db in
            for sql in missing.values { try db.execute(sql: sql) }
        }
    }

    static func hasRollUpIndexes(_ db: Database) throws -> Bool {
        try Int.fetchOne(
            db,
            sql:
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('record_state_plans', 'record_state_evidence')"
        ) == 2
    }
}
