import ZISyncCore

extension SyncLedger {
    /// A child's push: its changes received as `receiveFromBelow` does (the child's last push
    /// recorded), and what this node then holds of the child's subtree, the tips its answer
    /// carries. One call, so that a push costs the parent's endpoint one step into the store.
    public func receivePush(
        _ changes: [Change], from child: String, at now: Int64, maxClockAhead: Int64, certificates: [[UInt8]]
    ) throws -> (report: ReceiveReport, tips: (seqs: [String: Int64], hashes: [String: String])) {
        let report = try receiveFromBelow(
            changes, sender: child, source: "push from \(child)", at: now, maxClockAhead: maxClockAhead,
            recordChild: true, certificates: certificates)
        return (report, try store.changeLog.chainTips(subtree: child))
    }
}
