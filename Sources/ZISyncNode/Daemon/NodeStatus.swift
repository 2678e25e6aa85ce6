import Foundation
import ZISyncCore

/// The operator's view of a node (brief §9), for `zisync status`.
public struct NodeStatus: Sendable, Codable {
    public struct Child: Sendable, Codable {
        public let satker: String
        public let name: String
        public let lastSeen: Int64?
        public let lastPush: Int64?
        public let lastPull: Int64?
        public let pushed: Int
        public let refused: Int
    }

    public let node: String
    public let name: String
    public let parent: String?
    public let parentURL: String?
    public let lastPush: Int64?
    public let lastPull: Int64?
    public let lastSync: Int64?
    public let pendingChanges: Int
    public let pendingFiles: Int
    public let pendingBytes: Int64
    public let missingFiles: Int
    public let lastError: String?
    public let lastErrorAt: Int64?
    public let clockSkewMilliseconds: Int64?
    /// Set when local writes use the parent's time because this clock was found off.
    public let clockOffsetMilliseconds: Int64?
    public let heldByParent: String?
    public let refusedByParent: Int
    public let lastRefusal: String?
    public let refusedHere: Int
    public let heldChanges: Int
    public let conflicts: Int
    public let children: [Child]

    public static func read(store: Store, config: NodeConfig?) throws -> NodeStatus {
        func ms(_ key: String) throws -> Int64? { try store.meta(key).flatMap { Int64($0) } }
        let uploaded = try store.uploadedFiles()
        let pendingFiles =
            config?.parent == nil ? [] : try store.filesForParent().filter { !uploaded.contains($0.sha256) }
        let counts = try store.counts()
        let seen = Dictionary(uniqueKeysWithValues: try store.childrenSeen().map { ($0.satker, $0) })
        let children = store.registry.children(of: store.node).map { s in
            Child(
                satker: s.code, name: s.name, lastSeen: seen[s.code]?.lastSeen, lastPush: seen[s.code]?.lastPush,
                lastPull: seen[s.code]?.lastPull, pushed: seen[s.code]?.pushed ?? 0, refused: seen[s.code]?.refused ?? 0
            )
        }
        return NodeStatus(
            node: store.node, name: store.registry[store.node]?.name ?? store.node,
            parent: store.registry[store.node]?.parent, parentURL: config?.parent, lastPush: try ms("last_push_ok"),
            lastPull: try ms("last_pull_ok"), lastSync: try ms("last_sync_ok"),
            pendingChanges: config?.parent == nil ? 0 : try store.pendingUploadCount, pendingFiles: pendingFiles.count,
            pendingBytes: pendingFiles.map(\.size).reduce(0, +), missingFiles: try store.missingFiles().count,
            lastError: try store.meta("last_error"), lastErrorAt: try ms("last_error_at"),
            clockSkewMilliseconds: try ms("clock_skew_ms"), clockOffsetMilliseconds: try ms("clock_offset_ms"),
            heldByParent: try store.meta("held_by_parent"),
            refusedByParent: Int(try store.meta("refused_by_parent") ?? "0") ?? 0,
            lastRefusal: try store.meta("last_refusal"), refusedHere: counts.refused, heldChanges: counts.held,
            conflicts: counts.conflicts, children: children)
    }
}
