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
        // The cycle: submitted, returned with a note, submitted again and found layak.
        #expect(r.stdout.contains(": dikembalikan, revision 1") && r.stdout.contains("\"Lengkapi sosialisasi\""))
        #expect(rows.contains { $0.hasPrefix("32.17") && $0.contains("dikirim") && $0.contains("layak") }, "the queue")
        #expect(rows.contains { $0.hasPrefix("32.17") && $0.contains("WBK") && $0.contains("Contoh demo") }, "proposed")
        #expect(!FileManager.default.fileExists(atPath: dir.path), "the demo removed its directory")
        let leftovers = try Self.processes(matching: dir.path)
        #expect(leftovers.isEmpty, "daemons left running: \(leftovers)")
    }

    @Test func aKeptDemoPrintsItsWebAppsAndADemoLoginThatWorks() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-demo-keep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI(home: dir).run(["demo", "--dir", dir.path, "--keep"], home: false)
        let pids =
            r.stdout.split(separator: "\n").first { $0.hasPrefix("Stop it with: kill ") }
            .map { $0.dropFirst("Stop it with: kill ".count).split(separator: " ").compactMap { Int32($0) } } ?? []
        defer {
            for pid in pids { kill(pid, SIGTERM) }
            _ = waitUntil(30) { pids.allSatisfy { kill($0, 0) != 0 } }
        }
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(pids.count == 4, "\(r.stdout)")
        #expect(r.stdout.contains("Halaman kerja ZI in a browser (user demo, password demo-zisync):"))
        let kabWeb = try #require(
            r.stdout.split(separator: "\n").first { $0.contains("kab/kota 32.17 (tim-zi)") }?
                .split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") }.map(String.init), "\(r.stdout)")
        let tim = WebClient(kabWeb)
        #expect(try await tim.login("demo", "demo-zisync").status == 303)
        let home = try await tim.get("/")
        #expect(home.status == 200 && home.body.contains("Nilai LKE") && home.body.contains("demo · Tim ZI"))
        #expect(try await tim.get("/rencana-aksi").body.contains("Pembentukan tim kerja Zona Integritas"))
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
