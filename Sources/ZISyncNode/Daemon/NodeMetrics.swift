import Foundation
import Metrics
import Prometheus

/// The daemon's metrics backend: `bootstrap` makes what swift-metrics records (the sync
/// engine's counters, `SyncMetrics`, and the certificate's end date here) Prometheus text.
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

    static func certificate(validUntil: Date) {
        Gauge(label: "zisync_certificate_expiry_timestamp_seconds").record(validUntil.timeIntervalSince1970)
    }
}
