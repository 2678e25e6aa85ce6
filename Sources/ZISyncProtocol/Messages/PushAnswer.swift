import Foundation
import ZISyncCore

/// The parent's answer to a push.
public struct PushAnswer: Codable, Sendable, Equatable {
    public var accepted: Int
    public var duplicates: Int
    /// Changes of the pushing child's subtree that the parent holds, not applied, after this batch
    /// (waiting for an earlier change, or for the parent's clock to reach theirs).
    public var held: Int
    public var refused: [Refusal]
    /// The chain tips the parent now holds for every origin in the child's subtree.
    public var tips: [String: Int64]
    /// The hash of each of those tips: a child believes a tip only when it holds the same change.
    public var tipHashes: [String: String]?
    /// The parent's clock in milliseconds, for skew detection.
    public var serverTime: Int64
    /// Why changes were held rather than applied (a clock running ahead), when they were.
    public var heldReason: String?

    public init(
        accepted: Int, duplicates: Int, held: Int, refused: [Refusal], tips: [String: Int64], serverTime: Int64,
        heldReason: String? = nil, tipHashes: [String: String]? = nil
    ) {
        self.tipHashes = tipHashes
        self.accepted = accepted
        self.duplicates = duplicates
        self.held = held
        self.refused = refused
        self.tips = tips
        self.serverTime = serverTime
        self.heldReason = heldReason
    }
}

extension PushAnswer {
    /// The answer's body as the parent sends it (every link carries these bytes).
    public func encoded() -> Data { (try? JSONEncoder().encode(self)) ?? Data("{}".utf8) }

    /// The parent's answer as the child may believe it: counts, tips and time within bounds, at
    /// most one refusal per change sent, text cleaned (it reaches logs and terminals).
    public static func decode(_ data: Data, sent: Int) throws(MalformedMessage) -> PushAnswer {
        var answer: PushAnswer
        do {
            answer = try JSONDecoder().decode(PushAnswer.self, from: data)
        } catch {
            throw MalformedMessage("the push answer is not a zisync push answer")
        }
        // Accepted counts what this batch let the parent apply, earlier held changes included (a
        // batch that arrived first waits for this one): it may exceed what this batch carried.
        try check(answer.accepted, PeerBounds.count, "accepted")
        try check(answer.duplicates, 0...sent, "duplicates")
        try check(answer.held, PeerBounds.count, "held")
        try check(answer.serverTime, PeerBounds.time, "serverTime")
        guard answer.refused.count <= sent else {
            throw MalformedMessage("refused lists \(answer.refused.count) changes of \(sent) sent")
        }
        for (origin, seq) in answer.tips {
            try check(seq, PeerBounds.sequence, "tips[\(PeerText.clean(origin, max: 32))]")
        }
        try checkHashes(answer.tipHashes, "tipHashes")
        answer.refused = answer.refused.map { $0.cleaned }
        answer.heldReason = answer.heldReason.map { PeerText.clean($0) }
        return answer
    }
}
