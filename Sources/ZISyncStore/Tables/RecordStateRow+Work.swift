import GRDB

/// The named queries of `record_state` behind the domain operations (Work/): plans and evidence
/// of a set of offices, a satker's LKE answers, the review queue and a subject's latest review.
extension RecordRow {
    /// Live plans of `owners` (of one area, when given), by owner, area and last change.
    static func plans(_ db: Database, owners: [String], area: String?) throws -> RecordCursor<RecordRow> {
        let (sql, arguments) = plansQuery(owners: owners, area: area)
        return try fetchCursor(db, sql: sql, arguments: arguments)
    }

    /// The same plans as raw rows (id, type, owner, state), for `PlainRecord`: the state is read
    /// as bytes, not made a String first.
    static func plainPlans(_ db: Database, owners: [String], area: String?) throws -> RowCursor {
        let (sql, arguments) = plansQuery(owners: owners, area: area)
        return try Row.fetchCursor(db, sql: sql, arguments: arguments)
    }

    /// Live plans of `owners` (of one area, when given), in the list's order, which the
    /// `record_state_plan_list` index follows.
    private static func plansQuery(owners: [String], area: String?) -> (String, StatementArguments) {
        var arguments: [any DatabaseValueConvertible] = owners
        var areaFilter = ""
        if let area {
            areaFilter = "AND area = ?"
            arguments.append(area)
        }
        return (
            """
            SELECT \(RecordRow.columns) FROM record_state
            WHERE record_type = 'action_plan' AND deleted = 0
              AND owner IN (\(databaseQuestionMarks(count: owners.count))) \(areaFilter)
            ORDER BY owner, COALESCE(area, ''), updated, record_id
            """, StatementArguments(arguments)
        )
    }

    /// Live evidence of `owners` (of one plan, when given), by owner and last change.
    static func evidence(_ db: Database, owners: [String], plan: String?) throws -> RecordCursor<RecordRow> {
        var arguments: [any DatabaseValueConvertible] = owners
        var planFilter = ""
        if let plan {
            planFilter = "AND plan = ?"
            arguments.append(plan)
        }
        return try fetchCursor(
            db,
            sql: """
                SELECT \(RecordRow.columns) FROM record_state
                WHERE record_type = 'evidence' AND deleted = 0
                  AND owner IN (\(databaseQuestionMarks(count: owners.count))) \(planFilter)
                ORDER BY owner, updated, record_id
                """, arguments: StatementArguments(arguments))
    }

    /// `satker`'s live LKE answers whose ids start with `prefix` (one cycle).
    static func lkeAnswers(_ db: Database, satker: String, prefix: String) throws -> RecordCursor<RecordRow> {
        try fetchCursor(
            db,
            // Through the (record_type, owner) index: the satker's answers only, whatever else is stored.
            sql: """
                SELECT \(RecordRow.columns) FROM record_state
                WHERE record_type = 'lke_answer' AND owner = ? AND record_id >= ? AND record_id < ? AND deleted = 0
                """, arguments: [satker, prefix, prefix + "\u{10FFFF}"])
    }

    /// The offices with LKE answers stored here.
    static func lkeAnswerOwners(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT owner FROM record_state WHERE record_type = 'lke_answer'")
    }

    /// Whether `satker` has a live LKE answer whose id starts with `prefix`.
    static func hasLKEAnswers(_ db: Database, satker: String, prefix: String) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: """
                SELECT 1 FROM record_state WHERE record_type = 'lke_answer' AND owner = ?
                AND record_id >= ? AND record_id < ? AND deleted = 0 LIMIT 1
                """, arguments: [satker, prefix, prefix + "\u{10FFFF}"]) ?? false
    }

    /// Live plans and evidence (of `owners`; everyone's when nil) that no live review names, least
    /// recently changed first, at most `limit + 1`: through the index on the reviews' subject.
    static func unreviewed(_ db: Database, owners: [String]?, limit: Int) throws -> RecordCursor<RecordRow> {
        try fetchCursor(
            db,
            sql: """
                SELECT \(RecordRow.columns) FROM record_state r
                WHERE r.record_type IN ('action_plan', 'evidence') AND r.deleted = 0
                  \(owners.map { "AND r.owner IN (\(databaseQuestionMarks(count: $0.count)))" } ?? "")
                  AND NOT EXISTS (SELECT 1 FROM record_state v WHERE v.subject = r.record_id AND v.deleted = 0)
                ORDER BY r.updated, r.record_id LIMIT \(max(0, limit) + 1)
                """, arguments: StatementArguments(owners ?? []))
    }

    /// The id of a subject's latest live review, by the clock of its verdict (the lowest id on a tie).
    static func latestReview(_ db: Database, of subject: String) throws -> String? {
        try String.fetchOne(
            db,
            sql: """
                SELECT record_id FROM record_state WHERE subject = ? AND deleted = 0
                ORDER BY verdict_hlc DESC, record_id LIMIT 1
                """, arguments: [subject])
    }
}
