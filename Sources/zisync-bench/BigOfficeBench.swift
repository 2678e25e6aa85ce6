import Foundation
import ZISyncCore
import ZISyncTestSupport

/// `zisync-bench bigoffice [PLANS]`: one kab/kota (32.17) holding PLANS rencana aksi (default
/// 300,000), relayed by its province (32) to KPU RI, every step a release process of its own:
/// the import's time and peak memory, the kab/kota's push, the province daemon's relay to RI and
/// its peak memory, then RI's digest, plan list, status and report, and the province's no-op round.
func runBigOfficeBench(plans: Int) throws {
    let tree = try BenchDeployment("bigoffice")
    defer { tree.close() }
    let dir = tree.dir
    // RI's port is fixed before RI starts: the province knows its parent while RI is still down,
    // so the kab/kota's push and the relay are measured apart.
    let riPort = try unusedLocalPort()
    try tree.issue("00")
    let ri = tree.home("00")
    try ZISyncProcess.run([
        "init", "--home", ri.path, "--satker", "00", "--pki", tree.pki, "--listen", "127.0.0.1:\(riPort)",
    ])
    let prov = try tree.node("32", parentPort: riPort, listen: true)
    let (provDaemon, provPort) = try ZISyncProcess.daemon(prov)
    defer {
        provDaemon.signal(SIGTERM)
        provDaemon.wait(timeout: .seconds(60))
    }
    let kab = try tree.node("32.17", parentPort: provPort, listen: false)
    let sheet = dir.appendingPathComponent("rencana-aksi.csv")
    let sheetBytes = try writePlanSheet(sheet, plans: plans)

    print("one kab/kota with \(plans) rencana aksi (\(sheetBytes / 1_048_576) MB sheet), relayed to KPU RI")
    print("step                                          seconds   peak memory   rate")
    func line(_ label: String, _ seconds: Double, _ kilobytes: Int, rate: String = "") {
        print(
            label.padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(format: "%8.2f   %6d MB     %@", seconds, kilobytes / 1024, rate))
    }
    let imported = try ZISyncProcess.result(
        ["plan", "import", "--home", kab.path, sheet.path], timeout: .seconds(1800))
    line(
        "kab/kota: plan import", imported.seconds, imported.maxResidentKilobytes,
        rate: String(format: "%.0f rows/s", Double(plans) / imported.seconds))

    let push = try ZISyncProcess.result(["sync", "--json", "--home", kab.path], timeout: .seconds(1800))
    let pushed = try JSONDecoder().decode(SyncReportFigures.self, from: Data(push.stdout.utf8))
    guard pushed.pushed == plans else { throw ZISyncError("pushed \(pushed.pushed), not \(plans)") }
    line(
        "kab/kota: push to the province (sync)", push.seconds, push.maxResidentKilobytes,
        rate: String(format: "%.0f changes/s", Double(plans) / push.seconds))
    let servingPeak = try peakKilobytes(of: provDaemon.pid)
    line("  province daemon while receiving", push.seconds, servingPeak)
    try resetPeak(of: provDaemon.pid)

    let riDaemon = try tree.daemon(ri)
    guard riDaemon == riPort else { throw ZISyncError("KPU RI listens on \(riDaemon), not \(riPort)") }
    // `zisync sync` at a home whose daemon runs asks the daemon for a round, after the one in
    // flight: when it answers, the daemon has relayed everything (its own retry may have begun
    // the relay a moment after KPU RI came up; RI's digest below shows it all arrived). The
    // relay is the province daemon's own work, its memory read from the kernel.
    let relay = try ZISyncProcess.result(["sync", "--json", "--home", prov.path], timeout: .seconds(1800))
    line(
        "province: relay to KPU RI (daemon round)", relay.seconds, try peakKilobytes(of: provDaemon.pid),
        rate: String(format: "%.0f changes/s", Double(plans) / relay.seconds))

    func measure(_ label: String, _ args: [String], home: URL = ri) throws -> ProcessResult {
        let r = try ZISyncProcess.result(args + ["--home", home.path], timeout: .seconds(1800))
        line(label, r.seconds, r.maxResidentKilobytes)
        return r
    }
    let digest = try measure("KPU RI: digest --satker 32.17", ["digest", "--satker", "32.17"])
    let kabDigest = try ZISyncProcess.run(["digest", "--home", kab.path]).split(separator: " ").first
    guard digest.stdout.split(separator: " ").first == kabDigest else {
        throw ZISyncError("RI's digest of 32.17 differs from the kab/kota's: \(digest.stdout)")
    }
    let list = try measure("KPU RI: plan list --satker 32.17 --json", ["plan", "list", "--satker", "32.17", "--json"])
    // The floor for a list: the same bytes written to the same kind of pipe by cat.
    let listFile = dir.appendingPathComponent("list.json")
    try Data(list.stdout.utf8).write(to: listFile)
    let cat = try ProcessRunner.measured("/bin/cat", [listFile.path], timeout: .seconds(600))
    line(
        "  cat of the same \(list.stdout.utf8.count / 1_048_576) MB", cat.seconds, cat.maxResidentKilobytes,
        rate: String(format: "list / cat %.2fx", list.seconds / cat.seconds))
    _ = try measure("KPU RI: status", ["status"])
    _ = try measure("KPU RI: report --csv", ["report", "--csv"])
    let noOp = try ZISyncProcess.result(["sync", "--json", "--home", prov.path])
    let round = try JSONDecoder().decode(SyncReportFigures.self, from: Data(noOp.stdout.utf8))
    guard round.pushed == 0, round.pulled == 0 else { throw ZISyncError("not a no-op round: \(noOp.stdout)") }
    line("province: no-op round (daemon round)", round.seconds, try peakKilobytes(of: provDaemon.pid))
}

/// A sheet of `plans` new rencana aksi of 32.17, as an office would import it; its size in bytes.
func writePlanSheet(_ url: URL, plans: Int) throws -> Int {
    guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
        throw ZISyncError("cannot write \(url.path)")
    }
    let out = try FileHandle(forWritingTo: url)
    defer { try? out.close() }
    let areas = Area.allCases.map(\.rawValue)
    var text = "area,kode_lke,kegiatan,output,target,satuan,mulai,tenggat,penanggung_jawab,status,progres\r\n"
    var bytes = 0
    for i in 0..<plans {
        text += "\(areas[i % 6]),,Rencana aksi nomor \(i + 1) tahun 2026,Laporan kegiatan,1,dokumen,"
        text += "2026-01-\(String(format: "%02d", i % 28 + 1)),2026-\(String(format: "%02d", i % 12 + 1))-28,"
        text += "Kasubbag Umum,\(i % 3 == 0 ? "berjalan" : "draft"),\(i % 101)\r\n"
        if text.utf8.count > 1 << 20 || i == plans - 1 {
            bytes += text.utf8.count
            try out.write(contentsOf: Data(text.utf8))
            text = ""
        }
    }
    return bytes
}

/// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice).
func unusedLocalPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ZISyncError("socket: \(errno)") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
            bind(fd, p, len) == 0 && getsockname(fd, p, &len) == 0
        }
    }
    guard bound else { throw ZISyncError("bind: \(errno)") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// A running process's peak resident memory (VmHWM) in kilobytes.
func peakKilobytes(of pid: pid_t) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { throw ZISyncError("no VmHWM for process \(pid)") }
    return kb
}

/// Starts a process's peak resident memory again from what it holds now (clear_refs 5).
func resetPeak(of pid: pid_t) throws {
    try "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
}
