import Foundation
import ZISyncNode

let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-fuzz-config-\(getpid())")

/// A zisync.toml of any content: the check answers a config or a list of problems, never traps,
/// and a config it accepts writes out to a file that checks the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let dir = scratch
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent("zisync.toml")
    guard (try? Data(UnsafeBufferPointer(start: start, count: count)).write(to: url)) != nil else { return 0 }
    let (config, problems) = ConfigCheck.check(url: url)
    if let config, problems.isEmpty {
        guard (try? Data(config.toml.utf8).write(to: url)) != nil else { return 0 }
        let (again, more) = ConfigCheck.check(url: url)
        guard more.isEmpty, again?.satker == config.satker, again?.parent == config.parent else {
            fatalError("an accepted config does not check again after it is written: \(more)")
        }
    }
    return 0
}
