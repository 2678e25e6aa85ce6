import Foundation
import GRDB
import ZISyncCore
import ZISyncProtocol

extension SyncLedger {
    // MARK: - Recovery: a node that holds less of its own chain than its parent

    /// Compares what the parent says it holds of this node's own chain (tip and hash) with what
    /// this node holds. When the parent holds more, or another change at its tip, this node must
    /// fetch the parent's chain before it writes again (else its next change would fork the chain
    /// and be refused forever): the recovery is recorded and the reason returned.
    @discardableResult
    public func checkOwnChain(tips: [String: Int64], hashes: [String: String]?) throws -> String? {
        let node = store.node
        guard let parentSeq = tips[node], parentSeq > 0 else { return nil }
        return try db.write { db in
            let ours =
                try OriginHeadRow.tip(db, origin: node)?.seq ?? 0
            var reason: String?
            if parentSeq > ours {
                reason =
                    "the parent holds \(parentSeq) of \(node)'s own changes and this node only \(ours) (a new install, or a backup older than the last sync)"
            } else if let hash = hashes?[node],
                let mine = try ChangeRow.hash(db, origin: node, seq: parentSeq),
                mine != hash
            {
                reason =
                    "the parent holds another change \(node):\(parentSeq) than this node (written here after a new install or an old backup)"
            }
            guard let reason else { return nil }
            var state = try SyncState.fetchOne(db) ?? SyncState()
            if state.recovery == nil {
                state.recovery = reason
                state.restoreCursor = 0
                state.restoreDatabase = nil
                state.restoredChanges = 0
                try state.save(db)
            }
            return reason
        }
    }

    /// Marks this node as restoring from its parent (`zisync init --restore`).
    public func beginRestore(_ reason: String) throws {
        try update {
            $0.recovery = $0.recovery ?? reason
            $0.restoreCursor = 0
            $0.restoreDatabase = nil
            $0.restoredChanges = 0
        }
    }

    /// Applies a restore page: this node's scope and its own subtree's chains as the parent holds
    /// them. Own changes the parent holds differently are set aside first (and written again by
    /// `finishRestore`); the restore cursor moves in the same transaction.
    public func receiveRestored(
        _ changes: [Change], from parent: String, certificates: [[UInt8]], cursor: Int64, database: String?
    ) throws -> ReceiveReport {
        let node = store.node
        return try store.receive(
            changes, sender: nil, source: "restore from \(parent)", certificates: certificates,
            scope: Scope(node: node, registry: store.registry, includingOwnChains: true),
            prepare: { session in try session.setAsideForks(of: node, against: changes) }
        ) { db, report in
            try Self.update(db) {
                $0.restoreCursor = cursor
                $0.restoreDatabase = database
                $0.restoredChanges += report.applied
            }
        }
    }

    /// The last restore page is in: the parent's tips are acknowledged, the pull continues from
    /// where the restore ended, and this node's own changes set aside are written again on top of
    /// the parent's chain (refused ones stay in `forked_change` with their reason). Writing resumes.
    public func finishRestore(tips: [String: Int64], hashes: [String: String]?) throws -> (
        rewritten: Int, refused: [Refusal]
    ) {
        let result = try store.rewriteForked { db in
            try Self.update(db) { state in
                state.pullCursor = state.restoreCursor
                state.parentDatabase = state.restoreDatabase ?? state.parentDatabase
                state.recovery = nil
                state.restoreCursor = 0
            }
        }
        try acknowledge(tips, hashes: hashes)
        return result
    }

    /// Own changes set aside by a restore, by state.
    public func forkedChanges() throws -> (waiting: Int, rewritten: Int, refused: Int) {
        try db.read { db in
            let counts = try ForkedChangeRow.counts(db)
            return (counts["waiting"] ?? 0, counts["rewritten"] ?? 0, counts["refused"] ?? 0)
        }
    }
}

extension Store {
    /// Writes this node's set-aside own changes again as new changes, in their order, in one
    /// transaction with `alongside`.
    func rewriteForked(alongside: (Database) throws -> Void) throws -> (rewritten: Int, refused: [Refusal]) {
        let auth = authorization
        return try db.write { db in
            var session = try ApplySession(db: db, store: self, authorization: auth)
            var rewritten = 0
            var refused: [Refusal] = []
            for row in try ForkedChangeRow.waiting(db, origin: node) {
                let seq = row.seq
                var reason: String?
                do {
                    let old = try ChangeDecoder.change(from: Array(row.body.utf8))
                    guard let type = RecordType(rawValue: old.recordType) else {
                        throw ZISyncError("unknown record type \(old.recordType)")
                    }
                    _ = try session.makeLocalChange(
                        type: type, recordID: old.recordID, owner: old.owner, fields: old.fields, actor: old.actor)
                    rewritten += 1
                } catch {
                    reason = PeerText.clean("\(error)")
                    refused.append(Refusal(change: "\(node):\(seq)", record: "", reason: reason ?? ""))
                }
                try ForkedChangeRow.settle(
                    db, origin: node, seq: seq, state: reason == nil ? "rewritten" : "refused", reason: reason)
            }
            try alongside(db)
            try session.finish()
            return (rewritten, refused)
        }
    }
}
