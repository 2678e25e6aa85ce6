import Foundation

/// A node's home directory: its database and its file store (and, later, its config).
public struct Home: Sendable {
    public let url: URL

    public init(path: String) {
        url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    public var databaseURL: URL { url.appendingPathComponent("zisync.db") }
    public var filesURL: URL { url.appendingPathComponent("files", isDirectory: true) }
    public var exists: Bool { FileManager.default.fileExists(atPath: databaseURL.path) }

    /// The home for this user only (0700), the database and its journal files 0600: an office's
    /// records and keys are nobody else's to read on a shared server.
    func restrictPermissions() {
        chmod(url.path, 0o700)
        for name in ["zisync.db", "zisync.db-wal", "zisync.db-shm"] {
            let path = url.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path) { chmod(path, 0o600) }
        }
    }
}
