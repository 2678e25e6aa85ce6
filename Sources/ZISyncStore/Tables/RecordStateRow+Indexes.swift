import GRDB
import Synchronization
import ZISyncCore

/// The writes of `record_state`: a record's state with its per-type columns (RecordIndexes decides
/// what to write; these are its statements), and the area evidence takes from its plan.
extension RecordRow {
    /// The per-type columns, in the order RecordIndexes gives their values: updated, area, status,
    /// deadline, plan, sha256, size, subject, verdict, verdict_hlc, lke.
    static let indexColumns = [
        "updated", "area", "status", "deadline", "plan", "sha256", "size", "subject", "verdict", "verdict_hlc", "lke",
    ]

    /// A new record with the per-type columns its type writes (`indexed`: a value for each of
    /// `indexColumns`; only the type's own are bound).
    static func insert(
        _ db: Database, id: String, type: String, owner: String, deleted: Bool, state: String,
        indexed: [(any DatabaseValueConvertible)?]
    ) throws {
        let (sql, used) = insertSQL(type)
        let values: [(any DatabaseValueConvertible)?] = [id, type, owner, deleted, state] + used.map { indexed[$0] }
        try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(values))
    }

    /// Sets these columns of an existing record, one cached statement per set of columns.
    static func update(
        _ db: Database, id: String, _ sets: [(column: String, value: (any DatabaseValueConvertible)?)]
    ) throws {
        let values: [(any DatabaseValueConvertible)?] = sets.map(\.value) + [id]
        try db.cachedStatement(sql: updateSQL(sets.map { "\($0.column) = ?" }))
            .execute(arguments: StatementArguments(values))
    }

    /// Sets every per-type column of a record (the migration that adds them).
    static func setIndexed(_ db: Database, id: String, _ indexed: [(any DatabaseValueConvertible)?]) throws {
        // The first `indexed.count` columns: a migration fills those that exist at its point.
        let names = indexColumns.prefix(indexed.count)
        try db.execute(
            sql: "UPDATE record_state SET \(names.map { "\($0) = ?" }.joined(separator: ", ")) WHERE record_id = ?",
            arguments: StatementArguments(indexed + [id]))
    }

    /// The live evidence of `owner` that names LKE items, through the partial index on `lke`.
    static func evidenceNamingItems(_ db: Database, owner: String) throws -> [RecordRow] {
        try fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT \(RecordRow.columns) FROM record_state INDEXED BY record_state_lke
                    WHERE owner = ? AND lke IS NOT NULL AND record_type = 'evidence' AND deleted = 0
                    """), arguments: [owner])
    }

    /// The area column of a record as stored.
    static func area(_ db: Database, _ id: String) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT area FROM record_state WHERE record_id = ?"), arguments: [id])
    }

    /// A plan's area, owner and whether it is deleted; nil when no plan has this id.
    static func plan(_ db: Database, _ id: String) throws -> (area: String?, owner: String, deleted: Bool)? {
        try Row.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT area, owner, deleted FROM record_state WHERE record_id = ? AND record_type = 'action_plan'"
            ),
            arguments: [id]
        ).map { (area: $0["area"] as String?, owner: $0["owner"] as String, deleted: $0["deleted"] as Bool) }
    }

    /// Gives the evidence of these plans their plan's area again (`-` for a plan without one) while
    /// the plan is live and of the same office, NULL otherwise: one statement, probing the plan index.
    static func takePlanAreas(_ db: Database, evidenceOf plans: [String]) throws {
        try db.execute(
            sql: """
                UPDATE record_state SET area = (
                    SELECT CASE WHEN p.deleted = 0 AND p.owner = record_state.owner THEN COALESCE(p.area, '-') END
                    FROM record_state p WHERE p.record_id = record_state.plan AND p.record_type = 'action_plan')
                WHERE plan IN (\(databaseQuestionMarks(count: plans.count))) AND record_type = 'evidence'
                """, arguments: StatementArguments(plans))
    }

    /// The columns of `indexColumns` each type writes, and its insert statement.
    static let insertSQLs: [String: (String, [Int])] = {
        var out: [String: (String, [Int])] = [:]
        let used: [String: [Int]] = [
            RecordType.actionPlan.rawValue: [0, 1, 2, 3], RecordType.evidence.rawValue: [0, 1, 4, 5, 6, 10],
            RecordType.review.rawValue: [0, 7, 8, 9],
        ]
        for type in RecordType.allCases.map(\.rawValue) {
            let columns = used[type] ?? [0]
            out[type] = (
                """
                INSERT INTO record_state(record_id, record_type, owner, deleted, state, \(columns.map { indexColumns[$0] }.joined(separator: ", ")))
                VALUES (?, ?, ?, ?, ?, \(databaseQuestionMarks(count: columns.count)))
                """, columns
            )
        }
        return out
    }()

    static func insertSQL(_ type: String) -> (String, [Int]) { insertSQLs[type] ?? insertSQLs["monev"]! }

    /// `UPDATE record_state SET a = ?, b = ? WHERE record_id = ?`, made once per set of columns.
    static func updateSQL(_ sets: [String]) -> String {
        let key = sets.joined(separator: ", ")
        return updateCache.withLock { cache in
            if let sql = cache[key] { return sql }
            let sql = "UPDATE record_state SET \(key) WHERE record_id = ?"
            cache[key] = sql
            return sql
        }
    }

    static let updateCache = Mutex<[String: String]>([:])
}
