import Foundation
import Logging
import ZISyncCore

/// The daemon's rounds with its parent: every `interval_seconds`, a few seconds after a local
/// write, and after a failure again with exponential backoff and jitter (bounded by the interval).
public struct SyncLoop: Sendable {
    let store: Store
    let config: NodeConfig
    let home: Home
    let logger: Logger
    /// How long a new local write waits before its round, so a burst goes in one round.
    static let settle: Duration = .seconds(2)

    public init(store: Store, config: NodeConfig, home: Home, logger: Logger) {
        self.store = store
        self.config = config
        self.home = home
        self.logger = logger
    }

    /// Runs until the task is cancelled; a round in flight is abandoned at once (what it
    /// stored stays stored, the next round resumes).
    public func run() async {
        var failures = 0
        var next = ContinuousClock.now
        while !Task.isCancelled {
            // Wait for the next round, or for local work to send.
            while ContinuousClock.now < next && !Task.isCancelled {
                if failures == 0, (try? store.pendingUploadCount) ?? 0 > 0 {
                    try? await Task.sleep(for: Self.settle)
                    break
                }
                try? await Task.sleep(for: .seconds(1))
            }
            if Task.isCancelled { return }
            do {
                let client = try SyncClient(store: store, config: config, home: home)
                let report = try await withTaskCancellationHandler {
                    try await client.round()
                } onCancel: {
                    client.cancel()
                }
                failures = 0
                next = ContinuousClock.now + .seconds(config.syncIntervalSeconds)
                if report.pushed + report.pulled + report.filesUploaded + report.filesDownloaded > 0 {
                    logger.notice(
                        "synced: pushed \(report.pushed), pulled \(report.pulled), files up \(report.filesUploaded), down \(report.filesDownloaded)"
                    )
                }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                let delay = Backoff.delay(attempt: failures, base: 2, cap: Double(max(2, config.syncIntervalSeconds)))
                next = ContinuousClock.now + .nanoseconds(Int64(delay))
                logger.warning("sync failed (attempt \(failures)), next in \(delay / 1_000_000_000) s: \(error)")
            }
        }
    }
}
