import ZISyncCore
import ZISyncStore

/// The clock against the parent's (brief §5.3): every answer carries the parent's time. Beyond
/// the limit, local writes from then on use the parent's time (the offset); within it, the system
/// clock is trusted again. The parent's reading also advances this node's HLC.
struct ClockPolicy {
    /// Parent's clock minus ours, in milliseconds (positive: ours is behind).
    let skew: Int64
    let skewed: Bool

    static func measure(
        serverTime: Int64, limitSeconds: Int, now: Int64 = HybridClock.systemMilliseconds()
    ) -> ClockPolicy {
        let skew = serverTime - now
        return ClockPolicy(skew: skew, skewed: abs(skew) > Int64(limitSeconds) * 1000)
    }

    func apply(to state: inout SyncState) {
        state.clockSkewMilliseconds = skew
        state.clockOffsetMilliseconds = skewed ? skew : nil
    }
}

extension SyncRound {
    /// Folds the parent's clock reading into this node's HLC and records the skew, in one transaction.
    func noteClock(_ serverTime: Int64, _ report: inout SyncReport) throws {
        let clock = ClockPolicy.measure(serverTime: serverTime, limitSeconds: policy.clockSkewLimitSeconds)
        report.clockSkewMilliseconds = clock.skew
        try store.ledger.acknowledge([:], clockMilliseconds: serverTime) { clock.apply(to: &$0) }
    }
}
