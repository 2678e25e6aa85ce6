// Benchmark driver for bench/*.sh. Prints figures from one run; not a test.
import Foundation
import GRDB
import ZISyncCore

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func tempHome(_ label: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("zisync-bench-\(label)-\(UUID().uuidString)")
}

let args = CommandLine.arguments
let mode = args.count > 1 ? args[1] : "apply"
let count = args.count > 2 ? Int(args[2]) ?? 100_000 : 100_000
switch mode {
case "apply": try runApplyBench(total: count)
case "sync": try await runSyncBench(total: count, pushOnly: args.count > 3 && args[3] == "push")
case "national":
    try await runNationalBench(
        scale: args.count > 2 ? Double(args[2]) ?? 1 : 1, onlyPortalRB: args.count > 3 && args[3] == "portalrb")
case "lke": try runLKEBench()
case "workbook": try runWorkbookBench(files: args.count > 2 ? count : 553)
case "files": try runFilesBench()
case "weaklink": try runWeakLinkBench(only: Set(args.dropFirst(2).compactMap { Int($0) }))
case "bigoffice": try runBigOfficeBench(plans: args.count > 2 ? count : 300_000)
case "restore": try runRestoreBench(changes: count, megabytes: args.count > 3 ? Int(args[3]) ?? 200 : 200)
default:
    print(
        "usage: zisync-bench apply|sync [CHANGES] | national [SCALE] [portalrb] | restore [CHANGES] [MEGABYTES] | bigoffice [PLANS] | lke | workbook [FILES] | files | weaklink [CASE…]"
    )
    exit(64)
}
