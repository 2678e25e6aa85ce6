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

/// Builds local changes inside a `writeBatch` (or `writeStreamed`) transaction.
public struct LocalWriter {
    var session: ApplySession
    /// The changes made, in order (empty for a streamed batch, which keeps none).
    public private(set) var written: [Change] = []
    /// How many changes were made.
    public private(set) var count = 0
    /// A streamed batch writes its records and forgets them every `slice` changes.
    let slice: Int?

    init(session: ApplySession, slice: Int? = nil) {
        self.session = session
        self.slice = slice
    }

    @discardableResult
    public mutating func write(
        type: RecordType, recordID: String, owner: String, fields: [String: FieldValue], actor: String
    ) throws -> Change {
        let change = try session.makeLocalChange(
            type: type, recordID: recordID, owner: owner, fields: fields, actor: actor)
        count += 1
        if let slice {
            if count % slice == 0 { try session.flushAndForget() }
        } else {
            written.append(change)
        }
        return change
    }

    /// The first write of a record whose id was just made here (`Validation.newRecordID`): the
    /// table is not asked for it (a sheet of 300,000 new plans asked 300,000 times). An id that
    /// did exist fails the transaction on the table's key, never overwrites.
    @discardableResult
    public mutating func create(
        type: RecordType, recordID: String, owner: String, fields: [String: FieldValue], actor: String
    ) throws -> Change {
        if session.records[recordID] == nil {
            session.records[recordID] = .some(nil)
            session.stored[recordID] = .some(nil)
        }
        return try write(type: type, recordID: recordID, owner: owner, fields: fields, actor: actor)
    }

    /// The record as this transaction sees it (including earlier writes in the batch).
    public mutating func record(_ id: String) throws -> StoredRecord? { try session.record(id) }
}
