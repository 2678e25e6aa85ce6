import Foundation

/// One direction of the emulated line: when it is free again.
final class Pacer: @unchecked Sendable {
    private let lock = NSLock()
    private var freeAt = Date.distantPast

    /// Takes the line for `bytes` from when it is free (from now, if it has been idle); returns
    /// when it is free again. A sender that slept a little past the free time continues the
    /// schedule, so that sleep overshoot does not add up slice after slice.
    func occupy(bytes: Int, rate: Int) -> Date {
        lock.withLock {
            let now = Date()
            let start = freeAt > now.addingTimeInterval(-0.05) ? freeAt : now
            freeAt = start.addingTimeInterval(Double(bytes) / Double(rate))
            return freeAt
        }
    }
}
