import Foundation
import ZISyncCore

/// A parent's acknowledgement of a bundle: the chain tips it now holds for every origin in the
/// child's subtree, and the files of the bundle it now holds. The child records them
/// (`zisync bundle ack`) so that its next bundle carries only what the parent lacks.
public struct BundleReceipt: Codable, Sendable, Equatable {
    public var format = 1
    public var kind = "zisync-receipt"
    public var from: String
    public var `for`: String
    public var created: String
    public var tips: [String: Int64]
    /// SHA-256s of evidence files the parent holds (absent in receipts of earlier versions).
    public var files: [String]?
    /// The hash of each tip: the office believes a tip only when it holds the same change.
    public var tipHashes: [String: String]?
    /// The importer's certificate (base64 DER) and its signature of the rest of the receipt:
    /// a receipt marks changes as delivered, so only the parent may make one.
    public var certificate: String?
    public var signature: String?

    public init(
        from: String, for child: String, tips: [String: Int64], files: [String], created: Date = Date(),
        tipHashes: [String: String]? = nil
    ) {
        self.tipHashes = tipHashes
        self.from = from
        self.for = child
        self.created = created.formatted(.iso8601)
        self.tips = tips
        self.files = files
    }

    /// What the importer signs: the receipt without its signature, keys sorted.
    public var signedBytes: [UInt8] {
        var unsigned = self
        unsigned.signature = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array("zisync-receipt-v1:".utf8) + Array((try? encoder.encode(unsigned)) ?? Data())
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    public static func read(_ url: URL) throws -> BundleReceipt {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ZISyncError("cannot read \(url.path)")
        }
        guard let receipt = try? JSONDecoder().decode(BundleReceipt.self, from: data),
            receipt.kind == "zisync-receipt", receipt.format == 1
        else { throw ZISyncError("\(url.path) is not a zisync bundle receipt") }
        return receipt
    }
}
