import Foundation
import ZISyncCore
import ZISyncStore

/// Changes from another origin: a kab/kota (32.17) creating plans and updating them,
/// built (and hashed) before timing, as a push or bundle would deliver them.
func makeChanges(total: Int, origin: String) -> [Change] {
    var changes: [Change] = []
    changes.reserveCapacity(total)
    var prev: String?
    var seq: Int64 = 0
    var clock = HybridClock(last: .zero)
    var recordIDs: [String] = []
    var lastWrite: [String: [String: Version]] = [:]
    let areas = Area.allCases.map(\.rawValue)
    while changes.count < total {
        seq += 1
        let isNew = recordIDs.isEmpty || seq % 5 == 1
        let id = isNew ? Validation.newRecordID() : recordIDs[Int(seq) % recordIDs.count]
        if isNew { recordIDs.append(id) }
        let fields: [String: FieldValue] =
            isNew
            ? [
                "area": .string(areas[Int(seq) % 6]), "activity": .string("Kegiatan rencana aksi nomor \(seq)"),
                "output": .string("Laporan kegiatan"), "target": .string("1 dokumen"),
                "deadline": .string("2026-06-30"), "pic": .string("Kasubbag Umum"), "status": .string("draft"),
            ]
            : ["progress": .int(seq % 101), "status": .string("berjalan")]
        var base: [String: [Version]] = [:]
        for f in fields.keys { base[f] = lastWrite[id]?[f].map { [$0] } ?? [] }
        let c = Change(
            origin: origin, seq: seq, hlc: clock.tick(), recordType: "action_plan", recordID: id, owner: origin,
            fields: fields, base: base, actor: "operator", prev: prev)
        prev = c.hash
        for f in fields.keys { lastWrite[id, default: [:]][f] = c.version }
        changes.append(c)
    }
    return changes
}

/// Bare SQLite insert of the same rows (same columns, same WAL + synchronous=FULL, same batch
/// size), through GRDB's cached prepared statement. Returns rows per second.
func bareInsertRate(_ changes: [Change], batchSize: Int, cleanup: inout [URL]) throws -> Double {
    let bareHome = tempHome("bare")
    cleanup.append(bareHome)
    try FileManager.default.createDirectory(at: bareHome, withIntermediateDirectories: true)
    let bare = try BareChangeLog(path: bareHome.appendingPathComponent("bare.db").path)
    let elapsed = try seconds {
        var i = 0
        while i < changes.count {
            try bare.insert(changes[i..<min(i + batchSize, changes.count)])
            i += batchSize
        }
    }
    return Double(changes.count) / elapsed
}

func runApplyBench(total: Int) throws {
    let batchSize = 1000
    var cleanup: [URL] = []
    defer { for u in cleanup { try? FileManager.default.removeItem(at: u) } }
    let origin = "32.17"
    let changes = makeChanges(total: total, origin: origin)
    let plans = Set(changes.map(\.recordID)).count

    // Apply at the province through Store.receive, in push-sized batches.
    let provHome = tempHome("prov")
    cleanup.append(provHome)
    let prov = try Store.initialize(home: Home(path: provHome.path), satker: "32")
    let applySeconds = try seconds {
        var i = 0
        while i < changes.count {
            let r = try prov.receive(
                Array(changes[i..<min(i + batchSize, changes.count)]), sender: origin, source: "bench")
            guard r.refused.isEmpty && r.held == 0 else {
                throw ZISyncError("bench changes refused: \(r.refused.prefix(1))")
            }
            i += batchSize
        }
    }
    let bareRate = try bareInsertRate(changes, batchSize: batchSize, cleanup: &cleanup)
    let areas = Area.allCases.map(\.rawValue)
    // 4. Local writes through the CLI's code path (Store.writeBatch), batched, and one per transaction.
    let kabHome = tempHome("kab")
    cleanup.append(kabHome)
    let kab = try Store.initialize(home: Home(path: kabHome.path), satker: origin)
    let localCount = min(total, 20_000)
    let localSeconds = try seconds {
        var done = 0
        while done < localCount {
            try kab.writeBatch { w in
                for i in 0..<min(batchSize, localCount - done) {
                    try w.write(
                        type: .actionPlan, recordID: Validation.newRecordID(), owner: origin,
                        fields: [
                            "area": .string(areas[i % 6]), "activity": .string("Kegiatan \(done + i)"),
                            "status": .string("draft"),
                        ], actor: "operator")
                }
            }
            done += batchSize
        }
    }
    let singleCount = 200
    let singleSeconds = try seconds {
        for i in 0..<singleCount {
            try kab.write(
                type: .actionPlan, recordID: Validation.newRecordID(), owner: origin,
                fields: ["area": .string("sdm"), "activity": .string("Satu per satu \(i)")], actor: "operator")
        }
    }

    let applyRate = Double(total) / applySeconds
    print("changes:                          \(total) from \(origin), \(plans) plans, batches of \(batchSize)")
    print(String(format: "apply (Store.receive):            %8.0f changes/s  (%.2f s)", applyRate, applySeconds))
    print(
        String(
            format: "bare SQLite insert, same rows:    %8.0f rows/s     (%.2f s)", bareRate, Double(total) / bareRate))
    print(String(format: "apply / bare ratio:               %8.2f          (target >= 0.30)", applyRate / bareRate))
    print(
        String(
            format: "local writes, batched:            %8.0f writes/s   (%d in %.2f s)",
            Double(localCount) / localSeconds,
            localCount, localSeconds))
    print(
        String(
            format: "local writes, one per transaction:%8.0f writes/s   (%d in %.2f s, fsync each)",
            Double(singleCount) / singleSeconds, singleCount, singleSeconds))
}
