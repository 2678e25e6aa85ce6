import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

extension SyncRound {
    /// Sends the changes the parent lacks in batches bounded by count and bytes, read from the
    /// log one batch at a time (memory does not grow with the backlog), two batches in flight:
    /// one travels and is decoded while the parent stores the other. Should the later one be
    /// stored first, the parent holds its changes until the earlier one arrives, so order never
    /// matters for correctness; the last batch waits for the others, so that its answer counts
    /// what is still held there. Each answer's acknowledgement, clock and status go in one
    /// transaction.
    func push(_ report: inout SyncReport, progress: Progress?) async throws {
        let log = store.changeLog
        var cursor = try log.outbox()
        let total = cursor.remaining
        guard total > 0 else { return }
        let node = store.node
        let link = self.link
        let policy = self.policy
        var inFlight: [Task<PushAnswer, Error>] = []
        var next: [String]?  // read, not sent yet
        var nextCertificates: [[UInt8]] = []
        var nextDepth: Int?
        var flightDepth: Int?
        var more = true
        var heldReason: String?
        defer { for task in inFlight { task.cancel() } }
        while true {
            while inFlight.count < 2 {
                if next == nil && more {
                    nextDepth = cursor.nextDepth
                    let batch = try log.nextBatch(&cursor, maxChanges: policy.batchChanges, maxBytes: policy.batchBytes)
                    if batch.isEmpty { more = false } else { next = batch }
                    nextCertificates = try store.certificates(of: cursor.batchOrigins)
                }
                guard let batch = next else { break }
                // Offices of one depth at a time: the deeper ones' answers come in before the
                // reviews of their records by the offices above them are sent.
                if !inFlight.isEmpty && nextDepth != flightDepth { break }
                flightDepth = nextDepth
                // The last batch goes alone, once every other answer is in: its answer is then the
                // last the parent gave, and its `held` is what waits there after the round.
                if cursor.remaining == 0 && !inFlight.isEmpty { break }
                let certificates = nextCertificates
                inFlight.append(
                    Task {
                        try await policy.retrying {
                            try await link.push(from: node, wire: batch, certificates: certificates)
                        }
                    })
                next = nil
            }
            guard !inFlight.isEmpty else { break }
            let answer = try await inFlight.removeFirst().value
            report.pushed += answer.accepted
            report.duplicates += answer.duplicates
            report.refused += answer.refused
            // What waits at the parent after this batch, of this subtree only (not a running sum).
            report.heldByParent = answer.held
            if let reason = answer.heldReason { heldReason = reason }
            let clock = ClockPolicy.measure(serverTime: answer.serverTime, limitSeconds: policy.clockSkewLimitSeconds)
            report.clockSkewMilliseconds = clock.skew
            let refusals = answer.refused
            try store.ledger.acknowledge(
                answer.tips, hashes: answer.tipHashes, clockMilliseconds: clock.uncorrectable ? nil : answer.serverTime
            ) { state in
                clock.apply(to: &state)
                state.lastPushOK = HybridClock.systemMilliseconds()
                if !refusals.isEmpty {
                    state.refusedByParent += refusals.count
                    state.lastRefusal = Refusal.summary(refusals)
                }
            }
            store.useClockOffset(clock.offset)
            if let reason = try store.ledger.checkOwnChain(tips: answer.tips, hashes: answer.tipHashes) {
                // The parent holds this node's chain differently: fetch it before sending more.
                report.recovery = reason
                break
            }
            progress?("push: \(report.pushed + report.duplicates + report.refused.count)/\(total) changes")
        }
        let held = report.heldByParent > 0 ? heldReason : nil
        try store.ledger.update { $0.heldByParent = held }
    }
}
