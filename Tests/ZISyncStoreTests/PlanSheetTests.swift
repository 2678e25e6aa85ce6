import Foundation
import Testing
import ZISyncCore
import ZISyncTestSupport

@testable import ZISyncStore

/// The rencana aksi sheet's import: read as a stream, checked whole, written in one transaction a
/// slice at a time.
@Suite struct PlanSheetTests {
    func sheet(_ rows: Int, bad: Set<Int> = [], header: String? = nil) throws -> URL {
        var text = header ?? "\u{FEFF}area;kode_lke;kegiatan;tenggat;status;progres\r\n"
        for i in 0..<rows {
            text += "sdm;;Rencana nomor \(i);\(bad.contains(i) ? "31/12/2026" : "2026-12-31");draft;\(i % 101)\r\n"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sheet-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func aSheetLargerThanASliceIsWrittenWholeInOneChain() throws {
        let kab = try TestNodes.make("32.17")
        defer { TestNodes.remove(kab) }
        let url = try sheet(4_500)  // three slices of 2,000
        defer { try? FileManager.default.removeItem(at: url) }
        let r = try Plans(kab).importSheet(.file(url), name: "rencana.csv", actor: "t")
        #expect((r.created, r.updated, r.unchanged) == (4_500, 0, 0))
        let plans = try Plans(kab).list()
        #expect(plans.count == 4_500)
        #expect(Set(plans.map { $0["activity"] }).count == 4_500)
        #expect(try kab.audit.counts().ownChanges == 4_500)
        #expect(try kab.audit.verify().ok, "chain, records and kept digests agree")
        #expect(try kab.audit.digest(of: "32.17").records == 4_500)

        // The same sheet exported and imported again changes nothing.
        let again = FileManager.default.temporaryDirectory.appendingPathComponent("again-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: again) }
        try PlanSheet.export(plans).write(to: again, atomically: true, encoding: .utf8)
        let same = try Plans(kab).importSheet(.file(again), name: "again.csv", actor: "t")
        #expect((same.created, same.updated, same.unchanged) == (0, 0, 4_500))
    }

    @Test func aStreamedBatchThatFailsLeavesNothing() throws {
        let kab = try TestNodes.make("32.17")
        defer { TestNodes.remove(kab) }
        let digest = try kab.audit.digest(of: "32.17")
        #expect(throws: ZISyncError.self) {
            try kab.writeStreamed(slice: 1_000) { w in
                for i in 0..<4_500 {
                    try w.write(
                        type: .actionPlan, recordID: Validation.newRecordID(), owner: "32.17",
                        fields: ["area": .string("sdm"), "activity": .string("r\(i)")], actor: "t")
                }
                throw ZISyncError("the disk filled up")
            }
        }
        #expect(try Plans(kab).list().isEmpty)
        #expect(try kab.audit.counts().ownChanges == 0)
        #expect(try kab.audit.digest(of: "32.17") == digest)
        #expect(try kab.audit.verify().ok)
    }

    @Test func badRowsAreNamedAndNothingIsWritten() throws {
        let kab = try TestNodes.make("32.17")
        defer { TestNodes.remove(kab) }
        let url = try sheet(3_000, bad: Set(stride(from: 7, to: 3_000, by: 20)))
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try Plans(kab).importSheet(.file(url), name: "rencana.csv", actor: "t")
            Issue.record("a sheet with bad rows was imported")
        } catch let e as ZISyncError {
            #expect(e.description.hasPrefix("150 bad row(s), nothing imported:\nrencana.csv line 9: column 'tenggat'"))
            #expect(e.description.hasSuffix("\n… and 50 more"), "the first 100 are named")
        }
        #expect(try Plans(kab).list().isEmpty)
    }

    @Test func aSheetThatIsNotUTF8IsNamedAsSuch() throws {
        let kab = try TestNodes.make("32.17")
        defer { TestNodes.remove(kab) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("latin1-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        var bytes = Array("area,kegiatan\nsdm,Rapat koordinasi\nsdm,Sosialisasi ".utf8)
        bytes += [0xE9, 0x0A]  // "é" in Latin-1
        try Data(bytes).write(to: url)
        #expect {
            try Plans(kab).importSheet(.file(url), name: "latin1.csv", actor: "t")
        } throws: { e in
            "\(e)".contains("latin1.csv line 3: the text is not UTF-8")
        }
        #expect(try Plans(kab).list().isEmpty)
        // Text already in memory (the web app's upload) reads the same as a file.
        let text = "\u{FEFF}area;kegiatan;tenggat\r\nsdm;\"Rapat; koordinasi\";2026-12-31\r\n"
        let r = try Plans(kab).importSheet(.text(text), name: "web.csv", actor: "t")
        #expect(r.created == 1)
        #expect(try Plans(kab).list().first?["activity"] == .string("Rapat; koordinasi"))
    }
}
