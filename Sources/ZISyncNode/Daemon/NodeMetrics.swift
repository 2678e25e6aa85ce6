import Foundation
import Metrics
import Prometheus

/// The daemon's metrics, through swift-metrics; `bootstrap` makes them Prometheus text.
/// Without a bootstrap (one-off CLI commands) they cost nothing and go nowhere.
public enum NodeMetrics {
    /// Installs the Prometheus backend (once per process) and returns its registry.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        registryLock.withLock {
            if let registry { return registry }
            let created = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: created)
            // Rounds on weak links take minutes, not milliseconds.
            factory.durationHistogramBuckets["zisync_sync_duration_seconds"] = [
                .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(60),
                .seconds(300), .seconds(900), .seconds(3600),
            ]
            MetricsSystem.bootstrap(factory)
            registry = created
            return created
        }
    }

    nonisolated(unsafe) private static var registry: PrometheusCollectorRegistry?
    private static let registryLock = NSLock()

    /// The metrics in the Prometheus text format (empty before `bootstrap`).
    public static func render() -> String {
        registryLock.withLock { registry?.emitToString() ?? "" }
    }

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

    static func certificate(validUntil: Date) {
        Gauge(label: "zisync_certificate_expiry_timestamp_seconds").record(validUntil.timeIntervalSince1970)
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
