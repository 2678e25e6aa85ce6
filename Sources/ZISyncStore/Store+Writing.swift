import Foundation
import GRDB
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol

/// The store's write entry points: local writes, changes received from elsewhere and the
/// repair of a clock that ran ahead. Each is one transaction through `ApplySession`.
extension Store {
    /// One local write to one record: builds the change (next sequence, HLC tick, base =
    /// the heads this node holds, previous hash) and applies it in one transaction.
    @discardableResult
    public func write(
        type: RecordType, recordID: String, owner: String, fields: [String: FieldValue], actor: String
    ) throws -> Change {
        try writeBatch { try $0.write(type: type, recordID: recordID, owner: owner, fields: fields, actor: actor) }[0]
    }

    /// Several local writes in one transaction: all of them are stored, or none.
    @discardableResult
    public func writeBatch(_ body: (inout LocalWriter) throws -> Void) throws -> [Change] {
        try localTransaction(slice: nil, body).written
    }

    /// The transaction of local writes: refused while the node recovers its own chain.
    private func localTransaction(
        slice: Int?, _ body: (inout LocalWriter) throws -> Void
    ) throws -> (written: [Change], count: Int) {
        let auth = authorization
        return try db.write { db in
            if let reason = try SyncState.recoveryReason(db) {
                throw ZISyncError(
                    "\(node) writes nothing until it has fetched what its parent holds of its own changes: \(reason). Run `zisync sync --home \(home.url.path)` (a running daemon does it at its next round); `zisync status` shows how far it is"
                )
            }
            var session = try ApplySession(db: db, store: self, authorization: auth)
            try session.repairClockIfAhead()
            var writer = LocalWriter(session: session, slice: slice)
            try body(&writer)
            try writer.session.finish()
            return (writer.written, writer.count)
        }
    }

    /// Local writes too many to hold in memory (a sheet's import), in one transaction: all stored
    /// or none. The records are written every `slice` changes and the changes are not kept;
    /// returns how many were made.
    @discardableResult
    public func writeStreamed(slice: Int = 2000, _ body: (inout LocalWriter) throws -> Void) throws -> Int {
        try localTransaction(slice: slice) { try body(&$0) }.count
    }

    /// Applies changes from elsewhere (the seed, a test) in one transaction, with the checks a
    /// received change gets. `sender` is the office that delivered them; nil when no door check applies.
    public func receive(
        _ changes: [Change], sender: String?, source: String, authorization: Authorization? = nil,
        certificates: [[UInt8]] = []
    ) throws -> ReceiveReport {
        try receive(
            changes, sender: sender, source: source, authorization: authorization, certificates: certificates,
            scope: nil
        ) { _, _ in }
    }

    /// The general form: `scope`, when given, refuses changes outside this node's scope (a pull);
    /// `notAfter` holds changes stamped later (a clock running ahead); `alongside` runs in the same
    /// transaction (a cursor, a child's last-seen time).
    func receive(
        _ changes: [Change], sender: String?, source: String, authorization: Authorization? = nil,
        certificates: [[UInt8]] = [], scope: Scope?, notAfter: HLC? = nil,
        prepare: ((inout ApplySession) throws -> Void)? = nil, alongside: (Database, ReceiveReport) throws -> Void
    ) throws -> ReceiveReport {
        let auth = authorization ?? self.authorization
        let report = try db.write { db in
            try admit(certificates: certificates, db: db)
            var session = try ApplySession(db: db, store: self, authorization: auth)
            // The seed is every node's own copy of KPU RI's shipped reference data: nothing to check.
            if source != "seed" { try session.checkAuthorship(of: changes) }
            try prepare?(&session)
            session.notAfter = notAfter
            try session.repairClockIfAhead()
            var report = ReceiveReport()
            if notAfter != nil {
                // Changes held for their clock whose time has come go first.
                if let sender {
                    try session.releaseDue(in: sender, source: source, report: &report)
                } else {
                    try session.releaseDueFromAbove(source: source, report: &report)
                }
            }
            for (i, change) in changes.enumerated() {
                if let scope, !scope.contains(change) {
                    try session.refuse(
                        change, reason: "change \(change.id) is outside the scope of \(node)", sender: sender,
                        source: source, report: &report)
                    continue
                }
                try session.receive(
                    change, sender: sender, source: source, report: &report, vouched: session.vouched(i))
                // The records a batch touched are written and forgotten a slice at a time: a
                // relaying province held a whole batch's records twice over (two batches in flight).
                if i % 1000 == 999 { try session.flushAndForget() }
            }
            try alongside(db, report)
            try session.finish()
            // What waits here of the sender's subtree (of everyone's, without a sender).
            report.held = try session.heldCount(of: sender)
            return report
        }
        if changes.contains(where: { RecordType(rawValue: $0.recordType)?.isReference == true }) {
            try reloadReference()
        }
        return report
    }

    /// Re-stamps this node's own changes that carry a clock beyond the limit and that its parent
    /// has not accepted (docs/decisions.md, "A clock that ran ahead"); returns how many.
    @discardableResult
    public func repairClock() throws -> Int {
        let auth = authorization
        return try db.write { db in
            var session = try ApplySession(db: db, store: self, authorization: auth)
            let n = try session.repairClockIfAhead()
            try session.finish()
            return n
        }
    }
}
