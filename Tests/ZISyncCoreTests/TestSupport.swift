import Foundation
import GRDB
import Testing

@testable import ZISyncCore

/// Temporary node homes for tests. Seeding a node (752 reference changes) is done once per
/// satker and the database file copied, which keeps the property tests fast.
enum TestNodes {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var templates: [String: URL] = [:]

    static func tempDir(_ label: String = "zisync-test") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
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
            do {
                let store = try Store.initialize(home: Home(path: dir.path), satker: satker)
                _ = try store.db.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            }
            templates[satker] = dir
            return dir
        }
    }

    /// A fresh node for `satker` in its own temporary home.
    static func make(
        _ satker: String, physicalNow: @escaping @Sendable () -> Int64 = HybridClock.systemMilliseconds
    ) throws -> Store {
        let source = try template(satker)
        let dir = tempDir("zisync-node-\(satker)")
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("zisync.db"), to: dir.appendingPathComponent("zisync.db"))
        return try Store.open(home: Home(path: dir.path), physicalNow: physicalNow)
    }

    static func remove(_ store: Store) {
        try? FileManager.default.removeItem(at: store.home.url)
    }
}

/// A small deterministic generator (SplitMix64) so a failing seed replays exactly.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
