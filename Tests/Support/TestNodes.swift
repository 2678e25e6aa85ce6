import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

/// Temporary node homes for tests. Seeding a node (752 reference changes) is done once per
/// satker and the database file copied, which keeps the property tests fast.
public enum TestNodes {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var templates: [String: URL] = [:]

    public static func tempDir(_ label: String = "zisync-test") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func template(_ satker: String) throws -> URL {
        try lock.withLock {
            if let t = templates[satker] { return t }
            if templates.isEmpty {
                // Templates live for the whole test process; remove them when it exits.
                atexit {
                    for dir in TestNodes.templates.values { try? FileManager.default.removeItem(at: dir) }
                }
            }
            let dir = tempDir("zisync-template-\(satker)")
            _ = try Store.initialize(home: Home(path: dir.path), satker: satker)
            templates[satker] = dir
            return dir
        }
    }

    /// A fresh node for `satker` in its own temporary home.
    public static func make(
        _ satker: String, physicalNow: @escaping @Sendable () -> Int64 = HybridClock.systemMilliseconds
    ) throws -> Store {
        let source = try template(satker)
        let dir = tempDir("zisync-node-\(satker)")
        // The database with its write-ahead log, so the copy holds everything committed.
        for name in ["zisync.db", "zisync.db-wal", "zisync.db-shm"] {
            let from = source.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: from.path) {
                try FileManager.default.copyItem(at: from, to: dir.appendingPathComponent(name))
            }
        }
        return try Store.open(home: Home(path: dir.path), physicalNow: physicalNow)
    }

    public static func remove(_ store: Store) {
        try? FileManager.default.removeItem(at: store.home.url)
    }
}

extension Store {
    /// The changes a push would send the parent now, decoded (for tests that deliver them by hand).
    public func outboxChanges(all: Bool = false) throws -> [Change] {
        var cursor = try changeLog.outbox(all: all)
        var out: [Change] = []
        while true {
            let batch = try changeLog.nextBatch(&cursor, maxChanges: 5000, maxBytes: 8 << 20)
            if batch.isEmpty { return out }
            out += try batch.map { try ChangeDecoder.change(from: Array($0.utf8)) }
        }
    }
}
