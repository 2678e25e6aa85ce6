import ZISyncCore
import ZISyncStore

/// The clock against the parent's (brief §5.3; docs/decisions.md, "A clock that ran ahead").
/// Every answer carries the parent's time. Beyond the skew limit, this node's clock counts as off
/// and the parent's time is used instead (the offset) for its writes and for judging what runs
/// ahead; within it, the system clock is trusted again. A clock behind the parent's (a dead CMOS
/// battery sets it years back) is always corrected: left alone, everything from above would look
/// stamped ahead and wait. A clock ahead is corrected by at most a week: a parent stating a much
/// earlier time (wrong, or lying) cannot send this office's clock back that far, and the operator
/// is told to set the time right.
struct ClockPolicy {
    /// Parent's clock minus ours, in milliseconds (positive: ours is behind).
    let skew: Int64
    let skewed: Bool
    /// The offset this node uses from now on (0: its own clock).
    let offset: Int64

    static let maxOffsetMilliseconds: Int64 = 7 * 86_400_000

    /// `serverTime` lies within the protocol's bounds (checked when the answer was read).
    static func measure(
        serverTime: Int64, limitSeconds: Int, now: Int64 = HybridClock.systemMilliseconds()
    ) -> ClockPolicy {
        let skew = serverTime - now
        let skewed = abs(skew) > Int64(limitSeconds) * 1000
        let adopted = skewed && (skew > 0 || -skew <= maxOffsetMilliseconds)
        return ClockPolicy(skew: skew, skewed: skewed, offset: adopted ? skew : 0)
    }

    /// This clock runs ahead of the parent's by more than zisync corrects on its own.
    static func tooFarAhead(skew: Int64) -> Bool { skew < -maxOffsetMilliseconds }

    /// Too far off to be corrected by the parent's time.
    var uncorrectable: Bool { skewed && offset == 0 }

    func apply(to state: inout SyncState) {
        state.clockSkewMilliseconds = skew
        state.clockOffsetMilliseconds = offset == 0 ? nil : offset
    }
}

extension SyncRound {
    /// Folds the parent's clock reading into this node's HLC and records the skew, in one
    /// transaction; the store uses the offset from then on.
    func noteClock(_ serverTime: Int64, _ report: inout SyncReport) throws {
        let clock = ClockPolicy.measure(serverTime: serverTime, limitSeconds: policy.clockSkewLimitSeconds)
        report.clockSkewMilliseconds = clock.skew
        try store.ledger.acknowledge([:], clockMilliseconds: clock.uncorrectable ? nil : serverTime) {
            clock.apply(to: &$0)
        }
        store.useClockOffset(clock.offset)
    }
}
