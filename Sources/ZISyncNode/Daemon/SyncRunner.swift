import Foundation
import Logging
import ZISyncCore
import ZISyncEngine
import ZISyncProtocol
import ZISyncStore
import ZISyncTransport

/// Rounds with the parent, one at a time, whoever asks: the daemon's own loop or an operator
/// through the control socket. Keeps the backoff state and the running config (SIGHUP swaps it).
public actor SyncRunner {
    public private(set) var config: NodeConfig
    let store: Store
    let home: Home
    let logger: Logger
    private var inFlight: Task<SyncReport, any Error>?
    private var round: SyncRound?
    private var stopped = false
    /// Failed rounds in a row; 0 after a good one.
    public private(set) var failures = 0
    /// When the loop's next round is due.
    public private(set) var nextRound = ContinuousClock.now

    public init(store: Store, config: NodeConfig, home: Home, logger: Logger) {
        self.store = store
        self.config = config
        self.home = home
        self.logger = logger
    }

    public var isSyncing: Bool { inFlight != nil }

    public func reload(_ new: NodeConfig) {
        config = new
        if failures == 0 { nextRound = min(nextRound, ContinuousClock.now + .seconds(new.syncIntervalSeconds)) }
    }

    /// Runs one round now, after the one in flight if there is one (so a write made before the
    /// request is always in the round that answers it).
    public func round(progress: SyncRound.Progress? = nil) async throws -> SyncReport {
        while let current = inFlight {
            _ = try? await current.value
            // Whoever sees it finished clears it: awaiting a finished task need not suspend,
            // so its owner may not get back in first.
            if inFlight == current { inFlight = nil }
        }
        if stopped { throw CancellationError() }
        let round = try SyncRound(
            store: store, link: try HTTPSLink(config: config, home: home, parentSatker: store.parent ?? ""),
            policy: config.policy)
        let task = Task { try await round.run(progress: progress) }
        inFlight = task
        self.round = round
        defer {
            if inFlight == task {
                inFlight = nil
                self.round = nil
            }
        }
        do {
            let report = try await task.value
            failures = 0
            nextRound = ContinuousClock.now + .seconds(config.syncIntervalSeconds)
            if report.pushed + report.pulled + report.filesUploaded + report.filesDownloaded > 0 {
                logger.notice(
                    "synced: pushed \(report.pushed), pulled \(report.pulled), files up \(report.filesUploaded), down \(report.filesDownloaded)"
                )
            }
            if let why = report.recovery {
                logger.warning(
                    "\(store.node) fetched its own chain from the parent before writing again (\(why)): \(report.restored) change(s) restored, \(report.rewritten) own change(s) written again on top; writes resume"
                )
            }
            if let refusal = report.refusedHere.first {
                logger.warning(
                    "refused \(report.refusedHere.count) change(s) from the parent; first \(refusal.change): \(refusal.reason)"
                )
            }
            if let refusal = report.refused.first {
                logger.warning(
                    "the parent refused \(report.refused.count) change(s); first \(refusal.change): \(refusal.reason)")
            }
            return report
        } catch {
            if stopped { throw error }
            failures += 1
            let delay = Backoff.delay(attempt: failures, base: 2, cap: Double(max(2, config.syncIntervalSeconds)))
            nextRound = ContinuousClock.now + .nanoseconds(Int64(delay))
            let problem = SyncProblem.explain(error, at: HybridClock.systemMilliseconds())
            logger.warning(
                "sync failed (attempt \(failures), next in \(delay / 1_000_000_000) s): \(problem.message); \(problem.advice)"
            )
            throw error
        }
    }

    /// Abandons the round in flight and refuses new ones (shutdown). What a round stored stays stored.
    public func stop() {
        stopped = true
        round?.cancel()
        inFlight?.cancel()
    }
}
