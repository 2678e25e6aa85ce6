import Foundation
import Testing
import ZISyncFaultProxy
import ZISyncTestSupport

/// Files going up several at a time (docs/decisions.md, "Files go up several at a time"): on a
/// terminal, `zisync sync` shows files done of all, bytes, and the time left; every file arrives whole.
@Suite(.serialized, .timeLimit(.minutes(10))) struct UploadProgressTests {
    @Test func aTerminalSeesFilesBytesAndTimeLeftWhileManyFilesGoUp() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        let kab = try d.node("32.17", parent: "32")
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Dokumentasi kegiatan"])
        for i in 0..<7 {
            let photo = try d.file("foto-\(i).jpg", bytes: 60_000 + i * 20_000, seed: i + 3)
            try kab.ok(["evidence", "add", "--plan", plan, "--kind", "foto", photo.path])
        }
        // Through a slow line, so that the round lasts long enough to show its time left.
        let line = try FaultProxy(target: d.daemons["32"]!.port, rate: 200_000, delayMilliseconds: 50, sharedLine: true)
        defer { line.close() }
        try kab.setParent("https://127.0.0.1:\(line.port)")
        // `script` gives the command a terminal, as an operator's shell would.
        let r = try ProcessRunner.measured(
            "/usr/bin/script", ["-qec", "\(CLI.binary.path) sync --home \(kab.home.path)", "/dev/null"],
            timeout: .seconds(120))
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let screen = r.stdout + r.stderr
        #expect(screen.contains("upload: 7/7 files"), "\(screen)")
        #expect(screen.contains("upload: 0/7 files") || screen.contains("upload: 1/7 files"), "\(screen)")
        #expect(screen.contains("left"), "an estimate of the time left: \(screen)")
        let evidence = try d["32"].objects("evidence", "list")
        #expect(evidence.count == 7 && evidence.allSatisfy { $0["file_present"] as? Bool == true })
    }
}
