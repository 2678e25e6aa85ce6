import Foundation
import PropertyBased
import Testing
import ZISyncCore
import ZISyncTestSupport

@testable import ZISyncStore

/// Random change sets from 3–5 origins that write, sync partially with each other and write
/// again (so both sequential and concurrent edits occur), delivered to two nodes in random
/// orders with duplicates and in random batches.
@Suite struct ConvergencePropertyTests {
    static let allOrigins = ["11.01", "11.02", "11", "11.03", "00"]
    static let fields = ["activity", "status", "progress", "pic", "deleted"]

    struct Writer {
        let origin: String
        var seq: Int64 = 0
        var prev: String?
        var clock = HybridClock(last: .zero)
        var known: Set<Version> = []
        var view: [String: [String: FieldState]] = [:]

        mutating func learn(_ c: Change) {
            guard known.insert(c.version).inserted else { return }
            clock.observe(c.hlc)
            var rec = view[c.recordID] ?? [:]
            for (name, value) in c.fields {
                let write = FieldWrite(value: value, hlc: c.hlc, version: c.version, base: c.base[name] ?? [])
                rec[name] = Merge.apply(write, to: rec[name]) { known.contains($0) && $0 != c.version }
            }
            view[c.recordID] = rec
        }
    }

    static func scenario(seed: UInt64, originCount: Int) -> (changes: [Change], records: [String: String]) {
        var rng = SeededRandom(seed: seed)
        let origins = Array(allOrigins.prefix(originCount))
        let owners = ["11.01", "11.01", "11.02", "11", "11.03"]
        var records: [String: String] = [:]
        for (i, owner) in owners.enumerated() {
            records[String(format: "00000000-0000-4000-8000-%012d", i)] = owner
        }
        let seed = try! ReferenceSeed.load()
        let registry = seed.registry
        var writers = origins.map { Writer(origin: $0) }
        for i in writers.indices where writers[i].origin == "00" {
            // KPU RI's own chain continues after the reference data it published.
            writers[i].seq = Int64(seed.changes.count)
            writers[i].prev = seed.changes.last!.hash
        }
        var all: [Change] = []
        var physical: Int64 = 1_700_000_000_000
        for _ in 0..<Int.random(in: 20...60, using: &rng) {
            physical += Int64.random(in: 0...2, using: &rng)  // equal milliseconds happen
            let w = Int.random(in: 0..<writers.count, using: &rng)
            if Bool.random(using: &rng) && Int.random(in: 0..<10, using: &rng) < 3 {
                // Partial sync: learn a random prefix of everything written so far.
                let upTo = Int.random(in: 0...all.count, using: &rng)
                for c in all.prefix(upTo) { writers[w].learn(c) }
                continue
            }
            let writable = records.filter { registry.isInSubtree($0.value, of: writers[w].origin) }.keys.sorted()
            guard let record = writable.randomElement(using: &rng) else { continue }
            var fields: [String: FieldValue] = [:]
            for name in Self.fields.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)) {
                switch name {
                case "progress": fields[name] = .int(Int64.random(in: 0...100, using: &rng))
                case "deleted": fields[name] = .bool(Bool.random(using: &rng))
                case "status": fields[name] = .string(RecordSchema.planStatuses.randomElement(using: &rng)!)
                default: fields[name] = .string("v\(Int.random(in: 0...999, using: &rng))")
                }
            }
            if writers[w].view[record] == nil {
                // A record this writer does not hold yet is one it makes: with what a plan must have.
                fields["area"] = .string(Area.allCases.randomElement(using: &rng)!.rawValue)
                fields["activity"] = .string("v\(Int.random(in: 0...999, using: &rng))")
            }
            var base: [String: [Version]] = [:]
            for name in fields.keys { base[name] = writers[w].view[record]?[name]?.heads ?? [] }
            let now = physical
            writers[w].clock = HybridClock(last: writers[w].clock.last, physicalNow: { now })
            writers[w].seq += 1
            let c = Change(
                origin: writers[w].origin, seq: writers[w].seq, hlc: writers[w].clock.tick(), recordType: "action_plan",
                recordID: record, owner: records[record]!, fields: fields, base: base, actor: "actor-\(w)",
                prev: writers[w].prev)
            writers[w].prev = c.hash
            writers[w].learn(c)
            all.append(c)
        }
        return (all, records)
    }

    /// Delivers `changes` shuffled, with duplicates, in random batches.
    static func deliver(_ changes: [Change], to store: Store, rng: inout SeededRandom) throws -> ReceiveReport {
        var stream = changes + changes.filter { _ in Int.random(in: 0..<4, using: &rng) == 0 }
        stream.shuffle(using: &rng)
        var last = ReceiveReport()
        var i = 0
        while i < stream.count {
            let n = Int.random(in: 1...8, using: &rng)
            let batch = Array(stream[i..<min(i + n, stream.count)])
            let r = try store.receive(batch, sender: nil, source: "property")
            #expect(r.refused.isEmpty, "\(r.refused)")
            last = r
            i += n
        }
        return last
    }

    @Test func anyDeliveryOrderGivesTheSameState() async throws {
        await propertyCheck(count: 25, input: Gen.int(in: 0...Int.max), Gen.int(in: 3...5)) { seed, originCount in
            let (changes, records) = Self.scenario(seed: UInt64(seed), originCount: originCount)
            var rng = SeededRandom(seed: UInt64(seed) ^ 0xDEAD_BEEF)
            let a = try TestNodes.make("00")
            let b = try TestNodes.make("00")
            defer { TestNodes.remove(a); TestNodes.remove(b) }
            let ra = try Self.deliver(changes, to: a, rng: &rng)
            let rb = try Self.deliver(changes, to: b, rng: &rng)
            #expect(ra.held == 0 && rb.held == 0)
            #expect(try a.audit.digest(of: "00") == b.audit.digest(of: "00"))
            #expect(try a.audit.counts().changes == 752 + changes.count, "every change stored exactly once")
            let conflictsA = try a.audit.conflicts().map { "\($0.recordID)/\($0.field)/\($0.values.map(\.seq))" }
            let conflictsB = try b.audit.conflicts().map { "\($0.recordID)/\($0.field)/\($0.values.map(\.seq))" }
            #expect(conflictsA == conflictsB)
            #expect(try a.audit.verify().ok)

            // Last writer wins: each field holds the write with the greatest (HLC, origin).
            // Conflict rule: heads are the writes no other write names in its base.
            for id in records.keys {
                let writes = changes.filter { $0.recordID == id }
                let rec = try a.records.get(id)
                #expect((rec == nil) == writes.isEmpty)
                for field in Self.fields {
                    let fw = writes.filter { $0.fields[field] != nil }
                    guard let winner = fw.max(by: { Merge.wins(($1.hlc, $1.origin), over: ($0.hlc, $0.origin)) })
                    else { continue }
                    let state = try #require(rec?.fields[field])
                    #expect(state.value == winner.fields[field] && state.version == winner.version)
                    let named = Set(fw.flatMap { $0.base[field] ?? [] })
                    let heads = fw.map(\.version).filter { !named.contains($0) }.sorted()
                    #expect(state.heads == heads)
                    #expect(state.isConflicted == (heads.count > 1))
                }
            }
        }
    }
}
