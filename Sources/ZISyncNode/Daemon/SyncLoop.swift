import Foundation
import ZISyncCore
import ZISyncStore

/// The daemon's rounds with its parent: every `interval_seconds`, a few seconds after a local
/// write, and after a failure again with exponential backoff and jitter (bounded by the interval).
public struct SyncLoop: Sendable {
    let runner: SyncRunner
    let store: Store
    /// How long a new local write waits before its round, so a burst goes in one round.
    static let settle: Duration = .seconds(2)

    public init(runner: SyncRunner, store: Store) {
        self.runner = runner
        self.store = store
    }

    /// Runs until the task is cancelled; a round in flight is then abandoned (what it stored
    /// stays stored, the next round resumes).
    public func run() async {
        // The newest change when the last round began: only changes after it call for an early
        // round (refused or held ones stay pending and must not make the loop spin).
        var seenAtRound: Int64 = -1
        while !Task.isCancelled {
            // Wait for the next round, or for local work to send.
            while !Task.isCancelled {
                let (next, failures) = await (runner.nextRound, runner.failures)
                if ContinuousClock.now >= next { break }
                if failures == 0, (try? store.changeLog.newestArrival) ?? 0 > seenAtRound,
                    (try? store.changeLog.pending().count) ?? 0 > 0
                {
                    try? await Task.sleep(for: Self.settle)
                    break
                }
                try? await Task.sleep(for: .seconds(1))
            }
            if Task.isCancelled { return }
            seenAtRound = (try? store.changeLog.newestArrival) ?? 0
            _ = try? await runner.round()
        }
    }
}
