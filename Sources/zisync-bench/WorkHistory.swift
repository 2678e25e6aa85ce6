import Foundation
import ZISyncCore
import ZISyncStore
import ZISyncTestSupport

/// Five years of ZI work of a set of offices, as changes in time order: plans created, plans
/// edited (status, progress), evidence attached, reviews by the offices above. Every origin's
/// chain in sequence, hashed as the offices would have made them.
struct WorkHistory {
    let offices: [String]
    let plans: Int
    let updates: Int
    let evidence: Int
    let reviews: Int
    /// Distinct evidence files (records share them; the files are in the store).
    let files: [(sha256: String, size: Int64)]
    let registry: SatkerRegistry

    static let start: Int64 = 1_640_995_200_000  // 2022-01-01T00:00Z
    static let span: Int64 = 5 * 365 * 86_400_000

    var total: Int { plans + updates + evidence + reviews }

    struct Chain {
        var seq: Int64 = 0
        var prev: String?
        var last: HLC = .zero
    }

    /// Calls `emit` with batches of changes in time order. Returns a plan that was created and
    /// edited (for `history`).
    func generate(seed: UInt64, batch: Int = 5000, _ emit: ([Change]) throws -> Void) throws -> String {
        var generator = try HistoryGenerator(self, seed: seed)
        var out: [Change] = []
        out.reserveCapacity(batch)
        while generator.done < total {
            guard let c = generator.next() else { continue }  // try another choice
            out.append(c)
            if out.count >= batch {
                try emit(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        if !out.isEmpty { try emit(out) }
        return generator.historyPlan ?? ""
    }

    /// Applies the history to `store` through the one apply path, in push-sized batches.
    func apply(to store: Store, seed: UInt64) throws -> (plan: String, seconds: Double) {
        var applied = 0
        var plan = ""
        let elapsed = try seconds {
            plan = try generate(seed: seed) { batch in
                let r = try store.receive(batch, sender: nil, source: "bench")
                guard r.refused.isEmpty else { throw ZISyncError("bench change refused: \(r.refused.prefix(1))") }
                applied += r.applied
                if applied % 250_000 < batch.count {
                    FileHandle.standardError.write(Data("  \(applied) of \(total) applied\n".utf8))
                }
            }
        }
        return (plan, elapsed)
    }
}

/// `WorkHistory.generate` while it runs: the seeded random source (drawn from in a fixed order, so a
/// seed always gives the same history), each origin's chain, the plans made so far and the last
/// write of each of their fields, and how many changes of each kind are left to make.
private struct HistoryGenerator {
    typealias PlanRef = (id: String, owner: String)

    let history: WorkHistory
    var rng: SeededRandom
    var chains: [String: WorkHistory.Chain] = [:]
    var allPlans: [PlanRef] = []
    var lastWrite: [String: [String: Version]] = [:]
    /// Changes still to make of each kind: plans, plan edits, evidence, reviews.
    var left: [Int]
    var done = 0
    var historyPlan: String?
    let areas = Area.allCases.map(\.rawValue)
    let officeSet: Set<String>

    init(_ history: WorkHistory, seed: UInt64) throws {
        self.history = history
        rng = SeededRandom(seed: seed)
        left = [history.plans, history.updates, history.evidence, history.reviews]
        officeSet = Set(history.offices)
        // KPU RI's chain continues after the reference data it published.
        let refs = try ReferenceSeed.load().changes
        chains["00"] = WorkHistory.Chain(seq: Int64(refs.count), prev: refs.last?.hash)
        allPlans.reserveCapacity(history.plans)
    }

    /// The next change in time order, on its origin's chain; nil when the draw found nothing to make
    /// (the caller draws again).
    mutating func next() -> Change? {
        let ms = WorkHistory.start + WorkHistory.span * Int64(done) / Int64(history.total)
        guard let drawn = draw() else { return nil }
        let (kind, plan, reviewer) = drawn
        left[kind] -= 1
        let origin =
            switch kind {
            case 0: history.offices[Int.random(in: 0..<history.offices.count, using: &rng)]
            case 3: reviewer!
            default: plan!.owner
            }
        var chain = chains[origin] ?? WorkHistory.Chain()
        let hlc = max(HLC(milliseconds: ms, counter: 0), HLC(rawValue: chain.last.rawValue + 1))
        chain.last = hlc
        chain.seq += 1
        let (type, recordID, owner, fields, base) = makeRecord(kind, plan: plan, origin: origin, seq: chain.seq)
        let c = Change(
            origin: origin, seq: chain.seq, hlc: hlc, recordType: type.rawValue, recordID: recordID, owner: owner,
            fields: fields, base: base, actor: "operator-\(origin)", prev: chain.prev)
        chain.prev = c.hash
        chains[origin] = chain
        if type == .actionPlan { for f in fields.keys { lastWrite[recordID, default: [:]][f] = c.version } }
        done += 1
        return c
    }

    /// Draws the kind of the next change, weighted by how many of each are left, and for an edit,
    /// evidence or a review the plan it concerns (and the office above that reviews it). Falls back
    /// to a new plan when there is no such plan or office; nil when no new plans are left either.
    mutating func draw() -> (kind: Int, plan: PlanRef?, reviewer: String?)? {
        var r = Int.random(in: 0..<left.reduce(0, +), using: &rng)
        var kind = 0
        while r >= left[kind] {
            r -= left[kind]
            kind += 1
        }
        var plan: PlanRef?
        if kind != 0 {
            plan = allPlans.isEmpty ? nil : allPlans[Int.random(in: 0..<allPlans.count, using: &rng)]
        }
        // A review needs an office above the plan's owner among these offices.
        var reviewer: String?
        if kind == 3, let p = plan {
            let above = history.registry.lineage(of: p.owner).dropFirst().filter { officeSet.contains($0) }
            reviewer = above.randomElement(using: &rng)
        }
        if kind != 0 && (plan == nil || (kind == 3 && reviewer == nil)) {
            guard left[0] > 0 else { return nil }  // try another choice
            kind = 0
        }
        return (kind, plan, reviewer)
    }

    /// The record a change of `kind` writes: a new plan, a plan's status and progress (based on the
    /// versions last written), evidence for a plan, or a review of one by an office above it.
    mutating func makeRecord(_ kind: Int, plan: PlanRef?, origin: String, seq: Int64) -> (
        type: RecordType, recordID: String, owner: String, fields: [String: FieldValue], base: [String: [Version]]
    ) {
        let total = history.total
        let type: RecordType
        let recordID: String
        let owner: String
        let fields: [String: FieldValue]
        var base: [String: [Version]] = [:]
        switch kind {
        case 0:
            (type, recordID, owner) = (.actionPlan, Validation.newRecordID(), origin)
            let year = 2022 + done * 5 / total
            fields = [
                "area": .string(areas[done % 6]), "activity": .string("Rencana aksi \(origin) nomor \(seq)"),
                "output": .string("Laporan kegiatan"), "target": .string("1 dokumen"),
                "deadline": .string("\(year)-\(String(format: "%02d", done % 12 + 1))-28"),
                "pic": .string("Kasubbag Umum"), "status": .string("draft"),
            ]
            allPlans.append((recordID, origin))
        case 1:
            (type, recordID, owner) = (.actionPlan, plan!.id, plan!.owner)
            fields = [
                "status": .string(done % 3 == 0 ? "selesai" : "berjalan"), "progress": .int(Int64(done % 101)),
            ]
            for f in fields.keys { base[f] = lastWrite[recordID]?[f].map { [$0] } ?? [] }
            if historyPlan == nil { historyPlan = recordID }
        case 2:
            (type, recordID, owner) = (.evidence, Validation.newRecordID(), plan!.owner)
            let file = history.files[done % history.files.count]
            fields = [
                "plan": .string(plan!.id), "file_name": .string("bukti-\(seq).pdf"),
                "mime": .string("application/pdf"), "size": .int(file.size), "sha256": .string(file.sha256),
                "title": .string("Bukti dukung \(seq)"), "kind": .string("foto"),
            ]
        default:
            (type, recordID, owner) = (.review, Validation.newRecordID(), plan!.owner)
            fields = [
                "subject_type": .string("action_plan"), "subject": .string(plan!.id),
                "verdict": .string(["disetujui", "perlu-revisi", "ditolak"][done % 3]),
                "reviewer": .string("penilai"), "reviewer_satker": .string(origin),
            ]
        }
        return (type, recordID, owner, fields, base)
    }
}
