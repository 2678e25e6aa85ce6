import Foundation
import Testing
import ZISyncCore
import ZISyncTestSupport

@testable import ZISyncStore

/// The one resumable upload, for both of its users: a child office's tus upload (keyed by the
/// file's SHA-256, its satker as uploader) and a person's browser upload (an upload id, `web-NAME`).
/// Same offsets, same newest-request-writes rule, same quota and expiry.
@Suite struct ResumableUploadTests {
    enum Kind: String, CaseIterable, Sendable {
        case tus, web
    }

    let content = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) })

    func key(_ kind: Kind) -> (key: String, uploader: String) {
        switch kind {
        case .tus: (Hashing.sha256Hex(content), "32.17")
        case .web: ("0123456789abcdef0123456789abcdef", "web-ani")
        }
    }

    @Test(arguments: Kind.allCases) func theNewestRequestWritesAndTheOlderStops(kind: Kind) throws {
        let store = try TestNodes.make("32")
        defer { TestNodes.remove(store) }
        let files = store.files
        let (key, uploader) = key(kind)
        try files.beginPartial(key, length: Int64(content.count), uploader: uploader)
        // A request whose link died mid-way: it wrote 100 kB, and the server has not noticed yet.
        let old = files.claimWriter(key, uploader: uploader)
        let stale = try files.partialWriter(key, uploader: uploader, at: 0, token: old)
        try stale.write(content[0..<100_000])
        // The resumed request takes over at what is held; the old one writes nothing more.
        let new = files.claimWriter(key, uploader: uploader)
        let held = files.progress(key, uploader: uploader)?.offset
        #expect(held == 100_000)
        let fresh = try files.partialWriter(key, uploader: uploader, at: 100_000, token: new)
        #expect(throws: UploadSuperseded.self) { try stale.write(content[100_000..<150_000]) }
        _ = try stale.finish()
        try fresh.write(content[100_000...])
        #expect(try fresh.finish() == Int64(content.count))
        files.releaseWriter(key, uploader: uploader, new)
        switch kind {
        case .tus:
            #expect(files.contains(key), "a complete tus upload with the right hash is stored")
        case .web:
            #expect(try files.hashPartial(key, uploader: uploader) == Hashing.sha256Hex(content))
            #expect(files.progress(key, uploader: uploader)?.offset == Int64(content.count))
        }
        // A wrong offset is refused, whoever asks.
        #expect(throws: ZISyncError.self) { _ = try files.partialWriter(key, uploader: uploader, at: 5) }
    }

    @Test(arguments: Kind.allCases) func oneQuotaAndOneExpiry(kind: Kind) throws {
        let store = try TestNodes.make("32")
        defer { TestNodes.remove(store) }
        let files = store.files
        let uploader = key(kind).uploader
        var limits = UploadLimits()
        limits.maxUnfinishedBytesPerUploader = 1_000
        limits.maxUnfinishedPerUploader = 2
        limits.expirySeconds = 3600
        func id(_ i: Int) -> String { kind == .tus ? Hashing.sha256Hex(Data([UInt8(i)])) : String(format: "%032x", i) }
        try files.admitUpload(uploader: uploader, length: 600, limits: limits)
        try files.beginPartial(id(1), length: 600, uploader: uploader)
        let bytes = #expect(throws: UploadQuotaExceeded.self) {
            try files.admitUpload(uploader: uploader, length: 500, limits: limits)
        }
        #expect(
            bytes?.description.contains("this file would pass its quota of 0 MB") == true,
            "\(String(describing: bytes))")
        try files.admitUpload(uploader: uploader, length: 400, limits: limits)
        try files.beginPartial(id(2), length: 400, uploader: uploader)
        let count = #expect(throws: UploadQuotaExceeded.self) {
            try files.admitUpload(uploader: uploader, length: 0, limits: limits)
        }
        #expect(count?.description.contains("2 unfinished uploads here") == true)
        // Another uploader is not held to this one's quota.
        try files.admitUpload(uploader: kind == .tus ? "32.18" : "web-budi", length: 1_000, limits: limits)
        // Untouched past the expiry, they are dropped when the next one is admitted.
        let old = Date().addingTimeInterval(-2 * 3600)
        for i in [1, 2] {
            try FileManager.default.setAttributes(
                [.modificationDate: old], ofItemAtPath: files.partialURL(id(i), uploader: uploader).path)
        }
        try files.admitUpload(uploader: uploader, length: 1_000, limits: limits)
        #expect(files.unfinishedUploads(by: uploader).isEmpty)
    }

    @Test func keysAndUploadersAreChecked() {
        #expect(
            FileStore.isUploadKey(String(repeating: "a", count: 64))
                && FileStore.isUploadKey(String(repeating: "0", count: 32)))
        #expect(!FileStore.isUploadKey("../x") && !FileStore.isUploadKey(String(repeating: "A", count: 32)))
        #expect(FileStore.isUploader("32.17") && FileStore.isUploader("web-ani.s"))
        #expect(!FileStore.isUploader("web-") && !FileStore.isUploader("web-../x") && !FileStore.isUploader("ani"))
    }
}
