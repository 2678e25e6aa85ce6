import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

extension SyncRound {
    /// Fetches from the parent what it holds of this node's own subtree's chains and of its scope,
    /// page by page (each page and the restore cursor in one transaction, so a cut or a kill
    /// resumes), then writes again the own changes the parent held differently, and lets writing
    /// resume. The files the restored records name come with the round's download phase.
    func restore(_ report: inout SyncReport, progress: Progress?) async throws {
        let state = try store.ledger.state()
        var cursor = state.restoreCursor
        var database = state.restoreDatabase
        var total = state.restoredChanges
        let link = self.link
        let limit = policy.batchChanges
        var restarted = false
        while true {
            let after = cursor
            let page = try await policy.retrying { try await link.restore(after: after, limit: limit) }
            let otherDatabase = after > 0 && database != nil && page.parent != nil && page.parent != database
            if (otherDatabase || page.next < after) && !restarted {
                // The parent is another database than the one this restore began with: from its beginning.
                restarted = true
                cursor = 0
                database = nil
                continue
            }
            let applied = try store.ledger.receiveRestored(
                page.changes, from: parent, certificates: page.certificates, cursor: page.next, database: page.parent)
            report.restored += applied.applied
            report.refusedHere += applied.refused.prefix(max(0, 100 - report.refusedHere.count))
            total += applied.applied
            progress?("restore: \(total) changes from \(parent)")
            try noteClock(page.serverTime, &report)
            cursor = page.next
            database = page.parent
            if !page.more {
                let done = try store.ledger.finishRestore(tips: page.tips ?? [:], hashes: page.tipHashes)
                report.rewritten += done.rewritten
                report.refused += done.refused
                // Own changes the parent had refused as a fork before the restore are now written again.
                let node = store.node
                report.refused.removeAll { $0.change.hasPrefix(node + ":") && $0.reason.contains("already stored") }
                break
            }
        }
    }
}
