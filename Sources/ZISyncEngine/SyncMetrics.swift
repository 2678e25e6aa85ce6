import Foundation
import Metrics

/// The sync engine's metrics, through swift-metrics: the daemon bootstraps a Prometheus backend
/// (ZISyncNode); without one (one-off CLI commands) they cost nothing and go nowhere.
public enum SyncMetrics {
    // MARK: this node and its parent

    static func round(_ report: SyncReport) {
        Counter(label: "zisync_changes_pushed_total").increment(by: report.pushed)
        Counter(label: "zisync_changes_pulled_total").increment(by: report.pulled)
        Counter(label: "zisync_changes_refused_by_parent_total").increment(by: report.refused.count)
        Counter(label: "zisync_file_bytes_total", dimensions: [("direction", "up")])
            .increment(by: Int(report.bytesUploaded))
        Counter(label: "zisync_file_bytes_total", dimensions: [("direction", "down")])
            .increment(by: Int(report.bytesDownloaded))
        Timer(label: "zisync_sync_duration_seconds").recordSeconds(report.seconds)
        Gauge(label: "zisync_last_sync_success_timestamp_seconds")
            .record(Double(Date().timeIntervalSince1970))
    }

    static func failure(cause: String) {
        Counter(label: "zisync_sync_failures_total", dimensions: [("cause", cause)]).increment()
    }

    static func pending(changes: Int, files: Int) {
        Gauge(label: "zisync_pending_changes").record(changes)
        Gauge(label: "zisync_pending_files").record(files)
    }

    // MARK: children (served by this node)

    static func childSeen(_ child: String, at milliseconds: Int64) {
        Gauge(label: "zisync_child_last_seen_timestamp_seconds", dimensions: [("child", child)])
            .record(Double(milliseconds) / 1000)
    }

    static func received(from child: String, applied: Int, refused: Int) {
        Counter(label: "zisync_child_changes_received_total", dimensions: [("child", child)]).increment(by: applied)
        if refused > 0 {
            Counter(label: "zisync_child_changes_refused_total", dimensions: [("child", child)]).increment(by: refused)
        }
    }

    static func sent(to child: String, changes: Int) {
        Counter(label: "zisync_child_changes_sent_total", dimensions: [("child", child)]).increment(by: changes)
    }
}

/// Runs blocking store work (SQLite, the file store) off the cooperative thread pool.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
