import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol

/// The bundle file: what a writer writes a reader reads back, and every damaged or foreign file
/// is refused with a reason before anything is taken from it.
@Suite struct BundleFormatTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-bundle-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }

    func cleanup() { try? FileManager.default.removeItem(at: dir) }

    func change(_ seq: Int64) -> Change {
        Change(
            origin: "32.17", seq: seq, hlc: HLC(milliseconds: 1_700_000_000_000 + seq, counter: 0),
            recordType: "action_plan", recordID: "00000000-0000-4000-8000-00000000000\(seq)", owner: "32.17",
            fields: ["activity": .string("k\(seq)")], base: [:], actor: "ani", prev: nil)
    }

    /// A bundle of `changes` wire lines and files of the given sizes (content: the index byte).
    func write(_ name: String, changes: [String], files: [Int], header: BundleFile.Header? = nil) throws -> URL {
        let url = dir.appendingPathComponent(name)
        let writer = try BundleFile.Writer(
            url: url, header: header ?? .init(from: "32.17", to: "32", changes: changes.count, files: files.count))
        for c in changes { try writer.change(c) }
        for (i, size) in files.enumerated() {
            let data = Data(repeating: UInt8(i + 1), count: size)
            try writer.file(sha256: Hashing.sha256Hex(data), size: Int64(size)) { offset, n in
                data.subdata(in: Int(offset)..<min(size, Int(offset) + n))
            }
        }
        try writer.finish()
        return url
    }

    @Test func whatIsWrittenReadsBackChangesThenFiles() throws {
        defer { cleanup() }
        let url = try write(
            "ok.zisync", changes: [change(1).wireJSON, "{\"not\":1}", change(2).wireJSON], files: [3_000_000, 10])
        let reader = try BundleFile.Reader(url: url)
        #expect(reader.header.from == "32.17" && reader.header.to == "32" && reader.header.changes == 3)
        var lines: [BundleFile.Line] = []
        while let line = try reader.nextChange() { lines.append(line) }
        #expect(lines.count == 3)
        if case .change(let c) = lines[0] { #expect(c == change(1)) } else { Issue.record("line 3 is a change") }
        if case .malformed(let r) = lines[1] {
            #expect(r.change == "line 4" && r.reason.hasPrefix("malformed change"))
        } else {
            Issue.record("line 4 is malformed")
        }
        // The first file read whole, the second skipped: the reader stays in step.
        var sizes: [(Int, Int64)] = []
        let first = try reader.nextFile { _, size, read in
            var got = 0
            while let chunk = try read() { got += chunk.count }
            sizes.append((got, size))
        }
        #expect(first)
        #expect(try reader.nextFile { _, _, _ in })
        #expect(try reader.nextFile { _, _, _ in } == false)
        #expect(sizes.count == 1 && sizes[0].0 == 3_000_000 && sizes[0].1 == 3_000_000)

        // Files can be asked for before the changes are read: those are skipped.
        let again = try BundleFile.Reader(url: url)
        var announced: Int64 = 0
        #expect(try again.nextFile { _, size, _ in announced = size })
        #expect(announced == 3_000_000)
    }

    @Test func damagedAndForeignFilesAreRefusedWhole() throws {
        defer { cleanup() }
        let good = try write("good.zisync", changes: [change(1).wireJSON], files: [100])
        var data = try Data(contentsOf: good)
        func refused(_ bytes: Data, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let url = dir.appendingPathComponent("bad-\(UUID().uuidString)")
            try bytes.write(to: url)
            #expect(sourceLocation: sourceLocation) { try BundleFile.Reader(url: url) } throws: {
                "\($0)".contains(reason)
            }
        }
        try refused(data.prefix(data.count - 10), "incomplete")
        try refused(Data("short".utf8), "too short")
        data[40] ^= 0xFF
        try refused(data, "damaged")
        // A file that is intact but not a bundle, or of a format this version does not know.
        for (text, reason) in [
            ("NOT-A-BUNDLE\n{}\n", "not a zisync bundle"), ("ZISYNC-BUNDLE 1\nnot json\n", "header is unreadable"),
            (
                "ZISYNC-BUNDLE 1\n{\"changes\":0,\"created\":\"x\",\"files\":0,\"format\":2,\"from\":\"32.17\"}\n",
                "format 2 is not supported"
            ),
            (
                "ZISYNC-BUNDLE 1\n{\"changes\":-1,\"created\":\"x\",\"files\":0,\"format\":1,\"from\":\"32.17\"}\n",
                "negative counts"
            ),
        ] {
            try refused(sealed(Data(text.utf8)), reason)
        }
        // A header that promises more than the file holds.
        let short = try write(
            "liar.zisync", changes: [change(1).wireJSON], files: [],
            header: .init(from: "32.17", to: "32", changes: 2, files: 0))
        let reader = try BundleFile.Reader(url: short)
        _ = try reader.nextChange()
        #expect { try reader.nextChange() } throws: { "\($0)".contains("ends after 1 changes") }
        let noFiles = try write(
            "nofiles.zisync", changes: [], files: [], header: .init(from: "32.17", to: "32", changes: 0, files: 1))
        #expect { _ = try BundleFile.Reader(url: noFiles).nextFile { _, _, _ in } } throws: {
            "\($0)".contains("file entry is unreadable")
        }
    }

    @Test func anAbandonedWriterLeavesNothingBehind() throws {
        defer { cleanup() }
        let url = dir.appendingPathComponent("never.zisync")
        let writer = try BundleFile.Writer(url: url, header: .init(from: "32.17", to: "32", changes: 1, files: 0))
        try writer.change(change(1).wireJSON)
        writer.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func receiptsRoundTripAndOldOnesStillRead() throws {
        defer { cleanup() }
        let url = dir.appendingPathComponent("receipt.json")
        let receipt = BundleReceipt(from: "32", for: "32.17", tips: ["32.17": 6], files: ["ab"])
        try receipt.write(to: url)
        #expect(try BundleReceipt.read(url) == receipt)
        try Data(#"{"created":"x","for":"32.17","format":1,"from":"32","kind":"zisync-receipt","tips":{}}"#.utf8)
            .write(to: url)
        #expect(try BundleReceipt.read(url).files == nil, "a receipt of an earlier version")
        try Data(#"{"kind":"something-else"}"#.utf8).write(to: url)
        #expect(throws: ZISyncError.self) { try BundleReceipt.read(url) }
        #expect(throws: ZISyncError.self) { try BundleReceipt.read(dir.appendingPathComponent("missing")) }
    }

    /// `body` with a correct end marker, so the reader gets past the checksum to what is inside.
    func sealed(_ body: Data) -> Data {
        body + Data((BundleFile.trailerPrefix + Hashing.sha256Hex(body) + "\n").utf8)
    }
}
