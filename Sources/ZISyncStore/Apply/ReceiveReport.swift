import ZISyncCore
import ZISyncProtocol

/// What happened to a batch of received changes.
public struct ReceiveReport: Sendable, Equatable {
    public var applied = 0
    public var duplicates = 0
    public var refused: [Refusal] = []
    /// Changes of the sender's subtree (of every origin, without a sender) waiting here after
    /// this batch for an earlier change of their origin or for this node's clock.
    public var held = 0
    /// Of this batch, changes held because their clock is ahead of this node's (brief §5.3).
    public var heldForClock = 0
    /// Of this batch, changes stored to wait for a record they name that is not here yet (a review
    /// that came before its subject): not refused, applied when that record arrives.
    public var waiting = 0
    /// Changes that waited for a record and were applied because it arrived in this batch.
    public var released = 0

    public init() {}
}

/// Builds local changes inside a `writeBatch` transaction.
public struct LocalWriter {
    var session: ApplySession
    public private(set) var written: [Change] = []

    init(session: ApplySession) { self.session = session }

    @discardableResult
    public mutating func write(
        type: RecordType, recordID: String, owner: String, fields: [String: FieldValue], actor: String
    ) throws -> Change {
        let change = try session.makeLocalChange(
            type: type, recordID: recordID, owner: owner, fields: fields, actor: actor)
        written.append(change)
        return change
    }

    /// The record as this transaction sees it (including earlier writes in the batch).
    public mutating func record(_ id: String) throws -> StoredRecord? { try session.record(id) }
}
