import Foundation
import ZISyncCore

/// A change a node would not apply, and why: in a push answer, a bundle import, a round's report.
public struct Refusal: Codable, Sendable, Equatable {
    /// `origin:seq`, or the position of a change that could not even be read (`#3`, `line 7`).
    public let change: String
    public let record: String
    public let reason: String

    public init(change: String, record: String, reason: String) {
        self.change = change
        self.record = record
        self.reason = reason
    }

    /// "2 change(s); first 32.17:4 (record 9eab…): hash does not match …": the one wording of a
    /// set of refusals, for statuses, logs and messages.
    public static func summary(_ refusals: [Refusal]) -> String? {
        guard let first = refusals.first?.cleaned else { return nil }
        return "\(refusals.count) change(s); first \(first.change) (record \(first.record)): \(first.reason)"
    }
}

extension Refusal {
    /// The refusal with its words cleaned for a log or a terminal.
    public var cleaned: Refusal {
        Refusal(
            change: PeerText.clean(change, max: 64), record: PeerText.clean(record, max: 64),
            reason: PeerText.clean(reason))
    }
}
