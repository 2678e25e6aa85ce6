import Foundation
import GRDB
import Testing
import ZISyncCore
import ZISyncProtocol
import ZISyncTestSupport

@testable import ZISyncStore

/// A node written by the previous version (sync state as `node_meta` keys, no per-type columns,
/// no file tables) opens with everything in place.
@Suite struct MigrationTests {
    @Test func anEarlierDatabaseMovesToTypedStateAndColumns() throws {
        // A node of this version with plans, evidence (one file here, one not) and a review...
        let current = try TestNodes.make("32")
        defer { TestNodes.remove(current) }
        let plan = try Plans(current).add(
            owner: "32.17", fields: ["area": .string("sdm"), "activity": .string("Lama")], actor: "a")
        let dir = TestNodes.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(repeating: 3, count: 100).write(to: dir.appendingPathComponent("here.pdf"))
        _ = try Evidence(current).add(
            plan: plan, file: dir.appendingPathComponent("here.pdf"), title: nil, kind: nil, actor: "a")
        try current.write(
            type: .evidence, recordID: Validation.newRecordID(), owner: "32.17",
            fields: ["plan": .string(plan), "sha256": .string(String(repeating: "cd", count: 32)), "size": .int(9)],
            actor: "a")
        // A bukti dukung naming LKE items (the same missing file): found by the `lke` column (v15).
        try current.write(
            type: .evidence, recordID: Validation.newRecordID(), owner: "32.17",
            fields: [
                "lke": .string("A.I.1.i.a,A.I.1.i.b"), "sha256": .string(String(repeating: "cd", count: 32)),
                "size": .int(9),
            ], actor: "a")
        _ = try Reviews(current).review(plan, type: .actionPlan, verdict: "disetujui", note: nil, actor: "v")
        #expect(try current.records.evidenceNamingItems(owner: "32.17").count == 1)

        // ...copied into a database of the previous schema (migrations up to v4), with its sync
        // state in node_meta as that version wrote it.
        let old = TestNodes.tempDir("zisync-old")
        defer { try? FileManager.default.removeItem(at: old) }
        let home = Home(path: old.path)
        try FileManager.default.copyItem(at: current.home.filesURL, to: home.filesURL)
        let pool = try DatabasePool(path: home.databaseURL.path)
        try Schema.migrator(filesRoot: home.filesURL).migrate(pool, upTo: "v4-child-reports")
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS cur", arguments: [current.home.databaseURL.path])
            try db.execute(
                sql: """
                    INSERT INTO node_meta SELECT * FROM cur.node_meta;
                    INSERT INTO change_log SELECT local_seq, origin, seq, hlc, record_type, record_id, owner, actor,
                        fields, base, prev_hash, hash, status, received_at FROM cur.change_log;
                    INSERT INTO origin_head SELECT * FROM cur.origin_head;
                    INSERT INTO record_state(record_id, record_type, owner, deleted, state)
                        SELECT record_id, record_type, owner, deleted, state FROM cur.record_state;
                    INSERT INTO node_meta(key, value) VALUES
                        ('pull_cursor', '1544'), ('last_push_ok', '1795857649876'), ('last_error', 'link down'),
                        ('last_error_cause', 'unreachable'), ('last_error_advice', 'wait'), ('last_error_at', '7'),
                        ('clock_offset_ms', '-600000'), ('refused_by_parent', '3'), ('held_by_parent', 'clock');
                    """)
            try db.execute(sql: "DETACH DATABASE cur")
        }
        try pool.close()

        let store = try Store.open(home: home)
        let state = try store.ledger.state()
        #expect(state.pullCursor == 1544 && state.lastPushOK == 1_795_857_649_876)
        #expect(state.problem == SyncProblem(cause: .unreachable, message: "link down", advice: "wait", at: 7))
        #expect(
            state.clockOffsetMilliseconds == -600_000 && state.refusedByParent == 3 && state.heldByParent == "clock")
        let keys = try store.db.read { try String.fetchAll($0, sql: "SELECT key FROM node_meta ORDER BY key") }
        #expect(keys == ["database", "hlc", "satker"], "the old keys are gone; the database has an identity")
        // The columns and the queues are filled from the records and the disk.
        #expect(
            try RollUp(store).rows(subtree: "32.17", today: "2030-01-01")
                == RollUp(current).rows(subtree: "32.17", today: "2030-01-01"))
        #expect(try store.ledger.missingFileCount() == 1)
        #expect(try store.ledger.filesToUpload().count == 1, "this subtree's file, not confirmed by the parent")
        #expect(try Reviews(store).latest(of: plan)?["verdict"] == .string("disetujui"))
        #expect(try store.audit.digest(of: "32") == current.audit.digest(of: "32"))
        #expect(try store.audit.verify().ok)
        #expect(
            try store.records.evidenceNamingItems(owner: "32.17").map { $0.string("lke") } == ["A.I.1.i.a,A.I.1.i.b"])
    }
}

/// The `lke` column follows a bukti dukung as it is written: named items found by index, gone
/// when the field is cleared or the record deleted.
@Test func evidenceNamingItemsFollowsTheRecord() throws {
    let kab = try TestNodes.make("32.17")
    defer { TestNodes.remove(kab) }
    let id = Validation.newRecordID()
    func named() throws -> [String] { try kab.records.evidenceNamingItems(owner: "32.17").map(\.id) }
    try kab.write(
        type: .evidence, recordID: id, owner: "32.17", fields: ["title": .string("SK"), "lke": .string("A.I.1.i.a")],
        actor: "a")
    try kab.write(
        type: .evidence, recordID: Validation.newRecordID(), owner: "32.17", fields: ["title": .string("Foto")],
        actor: "a")
    #expect(try named() == [id])
    try kab.write(type: .evidence, recordID: id, owner: "32.17", fields: ["lke": .null], actor: "a")
    #expect(try named().isEmpty)
    try kab.write(type: .evidence, recordID: id, owner: "32.17", fields: ["lke": .string("A.I.1.i.b")], actor: "a")
    #expect(try named() == [id])
    try kab.write(
        type: .evidence, recordID: id, owner: "32.17", fields: [RecordSchema.deletedField: .bool(true)], actor: "a")
    #expect(try named().isEmpty)
}
