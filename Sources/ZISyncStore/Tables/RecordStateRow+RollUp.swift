import GRDB

/// The roll-up's three aggregate queries over `record_state`'s per-type columns (RollUp), each
/// grouped by owner and area: the plans, the evidence, the latest verdicts. `owners` empty:
/// everyone's records, with no owner filter at all (KPU RI's roll-up). `covered`: the node has
/// the covering indexes for the first two (Schema.rollUpIndexes).
extension RecordRow {
    static let finished = "('selesai', 'diverifikasi')"

    /// Plans, done and overdue (a deadline before `today`, neither done nor cancelled).
    static func planCounts(_ db: Database, owners: [String], today: String, covered: Bool) throws -> RowCursor {
        try Row.fetchCursor(
            db,
            sql: """
                SELECT owner, COALESCE(area, '-') AS area, COUNT(*) AS plans,
                    SUM(COALESCE(status, 'draft') IN \(finished)) AS done,
                    SUM(deadline IS NOT NULL AND deadline < ?
                        AND COALESCE(status, 'draft') NOT IN ('selesai', 'diverifikasi', 'dibatalkan')) AS overdue
                FROM record_state \(indexed(by: "record_state_plans", covered))
                WHERE record_type = 'action_plan' AND deleted = 0 \(within("owner", owners))
                GROUP BY owner, COALESCE(area, '-')
                """, arguments: StatementArguments([today] + owners))
    }

    /// Evidence under the area its row carries for its plan, and how many lack their file (one
    /// in the download queue, or none at all).
    static func evidenceCounts(_ db: Database, owners: [String], covered: Bool) throws -> RowCursor {
        try Row.fetchCursor(
            db,
            sql: """
                SELECT owner, area, COUNT(*) AS evidence,
                    SUM(sha256 IS NULL OR sha256 IN (SELECT sha256 FROM download_queue)) AS missing
                FROM record_state \(indexed(by: "record_state_evidence", covered))
                WHERE record_type = 'evidence' AND deleted = 0 AND area IS NOT NULL \(within("owner", owners))
                GROUP BY owner, area
                """, arguments: StatementArguments(owners))
    }

    /// The latest verdict on each plan or evidence, by subject, counted per verdict.
    static func verdictCounts(_ db: Database, owners: [String]) throws -> RowCursor {
        try Row.fetchCursor(
            db,
            sql: """
                WITH latest AS (
                    SELECT subject, verdict FROM (
                        SELECT subject, verdict,
                               ROW_NUMBER() OVER (PARTITION BY subject ORDER BY verdict_hlc DESC, record_id) AS n
                        FROM record_state WHERE subject IS NOT NULL AND record_type = 'review' AND deleted = 0)
                    WHERE n = 1)
                SELECT s.owner AS owner, area, SUM(l.verdict = 'disetujui') AS disetujui,
                    SUM(l.verdict = 'perlu-revisi') AS perlu_revisi, SUM(l.verdict = 'ditolak') AS ditolak
                FROM latest l
                JOIN (SELECT record_id, owner, record_type,
                             CASE record_type WHEN 'evidence' THEN area ELSE COALESCE(area, '-') END AS area
                      FROM record_state WHERE deleted = 0) s ON s.record_id = l.subject
                WHERE s.record_type IN ('action_plan', 'evidence') AND area IS NOT NULL \(within("s.owner", owners))
                GROUP BY s.owner, area
                """, arguments: StatementArguments(owners))
    }

    private static func within(_ column: String, _ owners: [String]) -> String {
        owners.isEmpty ? "" : "AND \(column) IN (\(databaseQuestionMarks(count: owners.count)))"
    }

    private static func indexed(by index: String, _ covered: Bool) -> String { covered ? "INDEXED BY \(index)" : "" }
}
