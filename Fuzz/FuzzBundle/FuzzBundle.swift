import Foundation
import ZISyncCore
import ZISyncProtocol

let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-fuzz-bundle-\(getpid())")

/// The input is a bundle's body; the harness adds the end marker that matches it, so every input
/// reaches the header, change and file readers. Nothing may trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBundle(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    var file = Data(UnsafeBufferPointer(start: start, count: count))
    file.append(Data((BundleFile.trailerPrefix + Hashing.sha256Hex(file) + "\n").utf8))
    guard (try? file.write(to: scratch)) != nil else { return 0 }
    defer { try? FileManager.default.removeItem(at: scratch) }
    guard let reader = try? BundleFile.Reader(url: scratch) else { return 0 }
    var lines = 0
    while let line = try? reader.nextChange() {
        lines += 1
        if case .change(let change) = line, change.seq < 0 { fatalError("a negative sequence was read") }
    }
    while (try? reader.nextFile({ _, _, read in
        while let chunk = try read(), !chunk.isEmpty {}
    })) == true {}
    _ = lines
    return 0
}
