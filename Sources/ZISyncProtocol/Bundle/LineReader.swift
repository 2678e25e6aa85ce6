import Foundation
import ZISyncCore

/// Reads lines and raw byte runs from a file through one buffer.
final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var offset = 0
    /// Bytes left to read from the file.
    private var left: UInt64

    init(url: URL, limit: UInt64) throws {
        guard let h = FileHandle(forReadingAtPath: url.path) else { throw ZISyncError("cannot read \(url.path)") }
        handle = h
        left = limit
    }

    deinit { try? handle.close() }

    private func fill() throws -> Bool {
        if offset > 0 {
            buffer.removeSubrange(buffer.startIndex..<(buffer.startIndex + offset))
            offset = 0
        }
        guard left > 0, let more = try handle.read(upToCount: Int(min(left, 1 << 20))), !more.isEmpty else {
            return false
        }
        left -= UInt64(more.count)
        buffer.append(more)
        return true
    }

    func line() throws -> String? {
        while true {
            let start = buffer.startIndex + offset
            if let nl = buffer[start...].firstIndex(of: 0x0A) {
                let text = String(decoding: buffer[start..<nl], as: UTF8.self)
                offset = nl + 1 - buffer.startIndex
                return text
            }
            if try !fill() { return nil }
        }
    }

    func bytes(_ count: Int) throws -> Data {
        while buffer.count - offset < count {
            if try !fill() { throw ZISyncError("bundle ends in the middle of a file") }
        }
        let start = buffer.startIndex + offset
        let out = buffer[start..<(start + count)]
        offset += count
        return Data(out)
    }

    func skip(_ count: Int64) throws {
        var remaining = count
        while remaining > 0 {
            let n = Int(min(remaining, 1 << 20))
            _ = try bytes(n)
            remaining -= Int64(n)
        }
    }
}
