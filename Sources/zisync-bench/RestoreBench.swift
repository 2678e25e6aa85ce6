import Foundation
import ZISyncCore
import ZISyncFaultProxy
import ZISyncTestSupport

/// A kab/kota that lost its disk, restored from its province with `zisync init --restore` on
/// loopback: its changes and its evidence files, the time and the bytes the restore moved.
func runRestoreBench(changes total: Int, megabytes: Int) throws {
    let tree = try BenchDeployment("restore", satkers: ["00", "32", "32.17"])
    defer { tree.close() }
    let (dir, pki) = (tree.dir, tree.pki)
    func home(_ satker: String) -> URL { tree.home(satker) }
    try ZISyncProcess.run([
        "init", "--home", home("00").path, "--satker", "00", "--pki", pki, "--listen", "127.0.0.1:0",
    ])
    let riPort = try tree.daemon(home("00"))
    try ZISyncProcess.run([
        "init", "--home", home("32").path, "--satker", "32", "--pki", pki, "--parent", "https://127.0.0.1:\(riPort)",
        "--listen", "127.0.0.1:0",
    ])
    let provPort = try tree.daemon(home("32"))
    let kab = home("32.17")
    try ZISyncProcess.run([
        "init", "--home", kab.path, "--satker", "32.17", "--pki", pki, "--parent", "https://127.0.0.1:\(provPort)",
    ])

    // The office's history: `total` changes (plans from a sheet, then evidence records), 200 MB of files.
    let fileCount = max(1, megabytes / 2)
    let planRows = max(1, total - fileCount)
    var lines = ["satker,area,kegiatan,target"]
    for i in 0..<planRows { lines.append(",\(i % 6 + 1),Kegiatan rencana aksi nomor \(i),\(i % 9 + 1) dokumen") }
    let sheet = dir.appendingPathComponent("rencana.csv")
    try lines.joined(separator: "\n").write(to: sheet, atomically: true, encoding: .utf8)
    try ZISyncProcess.run(["plan", "import", "--home", kab.path, sheet.path])
    let plan = try ZISyncProcess.run(["plan", "add", "--home", kab.path, "--area", "1", "--activity", "Bukti dukung"])
        .trimmingCharacters(in: .whitespacesAndNewlines)
    for i in 0..<fileCount {
        let file = dir.appendingPathComponent("bukti-\(i).pdf")
        try randomFile(file, bytes: megabytes * 1_048_576 / fileCount)
        try ZISyncProcess.run(["evidence", "add", "--home", kab.path, "--plan", plan, file.path])
        try FileManager.default.removeItem(at: file)
    }
    _ = try ZISyncProcess.sync(kab)
    let digest = try ZISyncProcess.run(["digest", "--home", kab.path, "--satker", "32.17"])

    // The disk dies; the office restores through a counting proxy.
    try FileManager.default.removeItem(at: kab)
    let counting = try FaultProxy(target: provPort)
    defer { counting.close() }
    let result = try ZISyncProcess.result([
        "init", "--home", kab.path, "--satker", "32.17", "--pki", pki, "--parent",
        "https://127.0.0.1:\(counting.port)", "--restore",
    ])
    let restored = try ZISyncProcess.run(["digest", "--home", kab.path, "--satker", "32.17"])
    guard restored == digest else { throw ZISyncError("restored digest differs: \(restored) vs \(digest)") }
    let down = counting.downstreamBytes
    let fileBytes = Int64(megabytes) * 1_048_576 / Int64(fileCount) * Int64(fileCount)
    print("restore of a kab/kota from its province over loopback HTTPS (zisync init --restore)")
    print("  own changes:                  \(planRows + 1 + fileCount) (plans and evidence records)")
    print("  evidence files:               \(fileCount) files, \(fileBytes) bytes")
    print(String(format: "  wall time:                    %8.2f s (init, restore, files)", result.seconds))
    print(
        "  bytes from the province:      \(down) (\(String(format: "%.3f", Double(down) / Double(fileBytes)))x the files)"
    )
    print("  bytes to the province:        \(counting.upstreamBytes)")
    print("  digest of 32.17 equal:        yes")
}
