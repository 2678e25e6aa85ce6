import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

extension SyncRound {
    /// Asks for the changes in this node's scope after its cursor, page by page; each page and
    /// the cursor after it are stored in one transaction.
    func pull(_ report: inout SyncReport, progress: Progress?) async throws {
        var cursor = try store.ledger.state().pullCursor
        let link = self.link
        let limit = policy.batchChanges
        var restarted = false
        while true {
            let after = cursor
            let page = try await policy.retrying { try await link.pull(after: after, limit: limit) }
            if page.next < after && !restarted {
                // The parent holds fewer arrivals than this cursor: restored from an older backup.
                // Start again from its beginning (what is here already counts as a duplicate).
                restarted = true
                cursor = 0
                try store.ledger.update { $0.pullCursor = 0 }
                continue
            }
            let applied = try store.ledger.receivePulled(
                page.changes, from: parent, cursor: page.next,
                maxClockAhead: Int64(policy.clockSkewLimitSeconds) * 1000, certificates: page.certificates)
            report.heldHere = applied.held
            report.refusedHere += applied.refused.prefix(max(0, 100 - report.refusedHere.count))
            report.pulled += applied.applied
            progress?("pull: \(report.pulled) changes")
            try noteClock(page.serverTime, &report)
            cursor = page.next
            if !page.more {
                if let tips = page.tips, try store.ledger.believeParent(tips: tips, database: page.parent) {
                    report.parentLostData = true
                }
                if let tips = page.tips,
                    let reason = try store.ledger.checkOwnChain(tips: tips, hashes: page.tipHashes)
                {
                    report.recovery = reason
                }
                break
            }
        }
        try store.ledger.update { $0.lastPullOK = HybridClock.systemMilliseconds() }
    }
}
