import Foundation
import ZISyncCore
import ZISyncFaultProxy
import ZISyncTestSupport

/// Evidence files over an emulated weak link (the project's fault proxy: one line, shared by every
/// connection, with a rate and a one-way delay in each direction): the upload phase of one round
/// against the line-time floor (bytes ÷ rate), for the cases of issue 13 that need no packet loss.
func runFilesBench() throws {
    let tree = try BenchDeployment("files", satkers: ["32"])
    defer { tree.close() }
    let (dir, pki) = (tree.dir, tree.pki)
    let prov = tree.home("32")
    try ZISyncProcess.run(["init", "--home", prov.path, "--satker", "32", "--pki", pki, "--listen", "127.0.0.1:0"])
    let port = try tree.daemon(prov)

    let cases: [(satker: String, files: Int, bytes: Int, bitsPerSecond: Int, delayMs: Int)] = [
        ("32.01", 60, 50 * 1024, 1_000_000, 150),
        ("32.02", 10, 2 * 1024 * 1024, 1_000_000, 50),
    ]
    print("files up over an emulated line (rate and one-way delay each way, shared by all connections)")
    for c in cases {
        try tree.issue(c.satker)
        let line = try FaultProxy(
            target: port, rate: c.bitsPerSecond / 8, delayMilliseconds: c.delayMs, sharedLine: true)
        defer { line.close() }
        let home = dir.appendingPathComponent(c.satker)
        try ZISyncProcess.run([
            "init", "--home", home.path, "--satker", c.satker, "--pki", pki, "--parent",
            "https://127.0.0.1:\(line.port)",
        ])
        let plan = try ZISyncProcess.run(["plan", "add", "--home", home.path, "--area", "1", "--activity", "Foto"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for i in 0..<c.files {
            let file = dir.appendingPathComponent("foto-\(c.satker)-\(i).jpg")
            try randomFile(file, bytes: c.bytes)
            try ZISyncProcess.run(["evidence", "add", "--home", home.path, "--plan", plan, "--kind", "foto", file.path])
        }
        line.resetCounters()
        let report = try ZISyncProcess.sync(home)
        guard report.filesUploaded == c.files else {
            throw ZISyncError("\(c.satker): uploaded \(report.filesUploaded) of \(c.files)")
        }
        let floor = Double(c.files * c.bytes) / Double(c.bitsPerSecond / 8)
        print(
            String(
                format:
                    "  %2d × %@ at %@ kbit/s, %3d ms one way: upload %7.1f s, floor %7.1f s: %.3fx (target <= 1.10)",
                c.files, OperatorTextBytes(c.bytes), String(c.bitsPerSecond / 1000), c.delayMs, report.uploadSeconds,
                floor, report.uploadSeconds / floor))
        print(
            String(
                format: "      whole round %.1f s; %lld bytes up for %d bytes of files (%.3fx)", report.seconds,
                line.upstreamBytes, c.files * c.bytes, Double(line.upstreamBytes) / Double(c.files * c.bytes)))
    }
}

/// "50 KiB", "2 MiB".
func OperatorTextBytes(_ n: Int) -> String {
    n >= 1 << 20 ? "\(n >> 20) MiB" : "\(n >> 10) KiB"
}
