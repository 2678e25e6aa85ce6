import Foundation
import GRDB
import ZISyncCore

/// The change log: every change this node holds, applied or refused, in arrival order
/// (`local_seq`), each origin's chain through its tip (`origin_head`). Reads follow the work:
/// what goes up is found through the (origin, seq) index beyond the parent's acknowledgement,
/// in bounded batches; what goes down to a child is a window of arrivals filtered in SQL.
public struct ChangeLog: Sendable {
    let store: Store

    /// Where a reading of the outbox stands: for each origin of this node's subtree that has
    /// changes beyond what the parent acknowledged, the last sequence read and the tip to reach.
    public struct OutboxCursor: Sendable {
        var origins: [(origin: String, after: Int64, tip: Int64, depth: Int)]
        /// The origins of the last batch read: their certificates go with it.
        public var batchOrigins: Set<String> = []
        /// Every origin with changes still to read.
        public var originCodes: Set<String> { Set(origins.map(\.origin)) }
        /// Changes still to read.
        public var remaining: Int { origins.reduce(0) { $0 + Int($1.tip - $1.after) } }
        /// How deep in the tree the origins of the next batch are (a batch never mixes depths).
        public var nextDepth: Int? { origins.first?.depth }
    }

    /// The changes of this node's subtree that the parent lacks (all of them when `all`): what a
    /// push or a bundle sends, origin by origin, each chain in order. The deepest offices come
    /// first, so that a plan of a kab/kota reaches the parent before its province's review of it
    /// (a review or evidence is refused where its subject is not).
    public func outbox(all: Bool = false) throws -> OutboxCursor {
        let acks = all ? [:] : try store.ledger.acknowledged()
        let subtree = store.subtree
        let registry = store.registry
        let tips = try store.db.read { db in try OriginHeadRow.all(db) }
        let origins = tips.filter { subtree.contains($0.origin) && $0.seq > (acks[$0.origin] ?? 0) }
            .map {
                (
                    origin: $0.origin, after: acks[$0.origin] ?? 0, tip: $0.seq,
                    depth: registry.lineage(of: $0.origin).count
                )
            }
            .sorted { registry.travelsBefore($0.origin, $1.origin) }
        return OutboxCursor(origins: origins)
    }

    /// The next batch of the outbox as wire JSON, at most `maxChanges` changes and about
    /// `maxBytes` (one change more when a single one is larger); empty when the outbox is read.
    public func nextBatch(_ cursor: inout OutboxCursor, maxChanges: Int, maxBytes: Int) throws -> [String] {
        var batch: [String] = []
        var bytes = 0
        cursor.batchOrigins = []
        try store.db.read { db in
            let depth = cursor.nextDepth
            while let first = cursor.origins.first, batch.count < maxChanges, first.depth == depth {
                let rows = try ChangeRow.chain(
                    db, origin: first.origin, after: first.after, through: first.tip, limit: maxChanges - batch.count)
                var last = first.after
                var full = false
                while let row = try rows.next() {
                    let wire = row.wire
                    if !batch.isEmpty && bytes + wire.utf8.count > maxBytes {
                        full = true
                        break
                    }
                    bytes += wire.utf8.count
                    batch.append(wire)
                    last = row.seq
                }
                if last > first.after { cursor.batchOrigins.insert(first.origin) }
                if last >= first.tip || (!full && last == first.after) {
                    cursor.origins.removeFirst()  // done with this origin (or its rows are gone)
                } else {
                    cursor.origins[0].after = last
                }
                if full { break }
            }
        }
        return batch
    }

    /// A page for a child at the parent: the changes in `child`'s scope stored here after
    /// `cursor`, in arrival order, as wire JSON. At most `limit` changes, and at most `window`
    /// arrivals looked at, so a request's work stays bounded however little is in scope.
    /// With `includingOwnChains`, also every change (applied or refused) whose origin is in the
    /// child's subtree: the child's own chains, for a restore.
    public func page(
        for child: String, after cursor: Int64, limit: Int, window: Int64 = 100_000, includingOwnChains: Bool = false
    ) throws
        -> (wire: [String], next: Int64, more: Bool, keyIDs: Set<String>)
    {
        let scope = Array(store.registry.subtree(of: child))
        let reference = RecordType.allCases.filter(\.isReference).map(\.rawValue)
        return try store.db.read { db in
            let newest = try ChangeRow.newestArrival(db) ?? 0
            let span = max(window, Int64(limit))
            // No arithmetic on the child's cursor beyond what is stored (it may be any integer).
            let windowEnd = cursor >= newest || newest - cursor <= span ? newest : cursor + span
            let rows = try ChangeRow.page(
                db, after: cursor, through: windowEnd, reference: reference, scope: scope,
                includingOwnChains: includingOwnChains, limit: limit)
            let keys = Set(rows.compactMap(\.signature?.keyID))
            if rows.count >= limit, let last = rows.last {
                return (rows.map(\.wire), last.localSeq, last.localSeq < newest, keys)
            }
            // A cursor beyond anything stored here (a child's mistake, or this node restored from an
            // older backup) continues from the newest arrival; a duplicate is harmless.
            return (rows.map(\.wire), min(max(cursor, windowEnd), newest), windowEnd < newest, keys)
        }
    }

    /// The chain tips this node holds for every origin in `satker`'s subtree: what a push
    /// answer or a receipt tells that office its parent now has.
    public func tips(subtree satker: String) throws -> [String: Int64] {
        try chainTips(subtree: satker).seqs
    }

    /// The tips with their hashes: an office believes a tip only when it holds the same change there.
    public func chainTips(subtree satker: String) throws -> (seqs: [String: Int64], hashes: [String: String]) {
        let origins = store.registry.subtree(of: satker)
        return try store.db.read { db in
            var tips: [String: Int64] = [:]
            var hashes: [String: String] = [:]
            for row in try OriginHeadRow.all(db)
            where origins.contains(row.origin) {
                tips[row.origin] = row.seq
                hashes[row.origin] = row.hash
            }
            return (tips, hashes)
        }
    }

    /// The arrival number of the newest change stored here (0 when none).
    public var newestArrival: Int64 {
        get throws { try store.db.read { try ChangeRow.newestArrival($0) ?? 0 } }
    }

    /// Changes of this node's subtree the parent does not hold yet, and when the oldest of them
    /// was made (milliseconds), from the chain tips and the acknowledgements (no log scan).
    public func pending() throws -> (count: Int, oldestMilliseconds: Int64?) {
        let acks = try store.ledger.acknowledged()
        let subtree = store.subtree
        return try store.db.read { db in
            var count = 0
            var oldest: Int64?
            for row in try OriginHeadRow.all(db)
            where subtree.contains(row.origin) && row.seq > (acks[row.origin] ?? 0) {
                let acked = acks[row.origin] ?? 0
                count += Int(row.seq - acked)
                // An origin's clock only moves forward: its first unacknowledged change is its oldest.
                if let hlc = try ChangeRow.firstClock(db, origin: row.origin, after: acked) {
                    let ms = HLC(rawValue: hlc).milliseconds
                    oldest = min(oldest ?? ms, ms)
                }
            }
            return (count, oldest)
        }
    }
}
