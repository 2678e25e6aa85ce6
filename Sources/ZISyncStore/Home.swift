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
}
