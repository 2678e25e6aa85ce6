import Foundation
import Testing

/// `zisync demo`: the whole product on one machine, ending with everything stopped.
@Suite(.timeLimit(.minutes(10))) struct DemoTests {
    @Test func theDemoRunsToTheEndAndCleansUp() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-demo-test-\(UUID().uuidString)")
        let r = try CLI(home: dir).run(["demo", "--dir", dir.path], home: false)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("children (2 of 27 seen, worst first):"), "\(r.stdout)")
        #expect(r.stdout.contains("SATKER  STATE"))
        let rows = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(rows.contains { $0.hasPrefix("32.17") && $0.contains(" ok ") })
        #expect(rows.contains { $0.hasPrefix("32.73") && $0.contains(" ok ") })
        #expect(r.stdout.contains("perlu-revisi"), "the review reached the kab/kota")
        #expect(r.stdout.contains("KPU RI holds 4 bukti dukung files"))
        #expect(rows.contains { $0.hasPrefix("32.17") && $0.contains("manajemen-perubahan") }, "the roll-up report")
        // The LKE step: the province's report lists both kab/kota, and its layer reached 32.17.
        let report = try #require(rows.lastIndex { $0.hasPrefix("SATKER") && $0.contains("TOTAL") }, "\(r.stdout)")
        let reported = rows[(report + 1)...].prefix { !$0.isEmpty && !$0.hasPrefix("8.") }.map { String($0.prefix(5)) }
        #expect(Set(reported) == ["32.17", "32.73"], "\(rows[report...])")
        #expect(r.stdout.contains("GAIN  CODE"), "where the points are")
        #expect(!FileManager.default.fileExists(atPath: dir.path), "the demo removed its directory")
        let leftovers = try Self.processes(matching: dir.path)
        #expect(leftovers.isEmpty, "daemons left running: \(leftovers)")
    }

    /// Pids of processes whose working directory lies under `dir` (the demo runs its
    /// daemons there), deleted or not.
    static func processes(matching dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { Int($0) != nil }.filter { pid in
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? ""
            return cwd.hasPrefix(dir)
        }
    }
}
