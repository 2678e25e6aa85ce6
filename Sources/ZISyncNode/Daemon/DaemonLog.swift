import Foundation
import Logging
import Metrics

/// The daemon's log on standard error. Under systemd (JOURNAL_STREAM set) each line starts
/// with its syslog priority (`<4>`) and carries no timestamp, so journald files it at the
/// right level and stamps it itself; elsewhere lines carry an ISO 8601 time and the level.
/// The level lives in a shared box so that SIGHUP can change it for every logger at once.
/// A line that cannot be written (a full disk under the log file, a closed journal) is dropped
/// and counted (`zisync_log_lines_dropped_total`): logging never stops the daemon.
public struct DaemonLogHandler: LogHandler {
    public final class Level: @unchecked Sendable {
        private let lock = NSLock()
        private var level: Logger.Level
        public init(_ level: Logger.Level) { self.level = level }
        public var value: Logger.Level {
            get { lock.withLock { level } }
            set { lock.withLock { level = newValue } }
        }
    }

    let label: String
    let level: Level
    let journald: Bool
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(
        label: String, level: Level, journald: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil
    ) {
        self.label = label
        self.level = level
        self.journald = journald
    }

    public var logLevel: Logger.Level {
        get { level.value }
        set { level.value = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let fields = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        let line: String
        if journald {
            line = "<\(Self.syslogPriority(event.level))>\(event.message)\(fields)\n"
        } else {
            let time = Date().formatted(.iso8601)
            line = "\(time) \(event.level) \(label): \(event.message)\(fields)\n"
        }
        Self.write(line, to: .standardError)
    }

    /// Writes `text` to `handle`, or counts it dropped: the one way the daemon writes a line.
    public static func write(_ text: String, to handle: FileHandle) {
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            Counter(label: "zisync_log_lines_dropped_total").increment()
        }
    }

    /// sd-daemon(3) priorities: journald reads them from the start of each line.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
