import Foundation

/// A hybrid logical clock timestamp (Kulkarni et al. 2014): physical milliseconds
/// since the Unix epoch in the upper 48 bits, a logical counter in the lower 16.
/// Packed into one integer so it compares, stores and hashes as a number.
public struct HLC: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }

    public init(milliseconds: Int64, counter: Int64) {
        rawValue = (milliseconds << 16) | (counter & 0xFFFF)
    }

    public var milliseconds: Int64 { rawValue >> 16 }
    public var counter: Int64 { rawValue & 0xFFFF }

    public static func < (a: HLC, b: HLC) -> Bool { a.rawValue < b.rawValue }

    public static let zero = HLC(rawValue: 0)

    /// ISO 8601 time with the counter, e.g. `2026-11-28T08:40:57.123Z+2`.
    public var description: String {
        var text = HLCText()
        return text(self)
    }
}

/// Writes clocks as `HLC.description` does, remembering the last whole second's date text: a
/// list's clocks share their seconds, and formatting a date is most of the work.
public struct HLCText: Sendable {
    private var second: Int64 = .min
    private var date: Substring = ""

    public init() {}

    public mutating func callAsFunction(_ hlc: HLC) -> String {
        // Whole seconds from the format style, milliseconds from the integer (no float rounding).
        let seconds = hlc.milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (whole, ms) = seconds.remainder < 0 ? (seconds.quotient - 1, seconds.remainder + 1000) : seconds
        if whole != second {
            date = Date(timeIntervalSince1970: Double(whole)).formatted(.iso8601).dropLast()  // no "Z"
            second = whole
        }
        let fraction = String(ms + 1000).dropFirst()  // three digits
        return "\(date).\(fraction)Z" + (hlc.counter > 0 ? "+\(hlc.counter)" : "")
    }
}

/// The node's clock. `tick` stamps a local write; `observe` folds in a received timestamp,
/// so that a write made after seeing a change always sorts after it.
public struct HybridClock: Sendable {
    public private(set) var last: HLC
    private let physicalNow: @Sendable () -> Int64

    public static let systemMilliseconds: @Sendable () -> Int64 = {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    public init(last: HLC, physicalNow: @escaping @Sendable () -> Int64 = HybridClock.systemMilliseconds) {
        self.last = last
        self.physicalNow = physicalNow
    }

    public mutating func tick() -> HLC {
        let now = physicalNow()
        if now > last.milliseconds {
            last = HLC(milliseconds: now, counter: 0)
        } else if last.counter < 0xFFFF {
            last = HLC(rawValue: last.rawValue + 1)
        } else {
            // Counter exhausted within one millisecond: borrow the next millisecond.
            last = HLC(milliseconds: last.milliseconds + 1, counter: 0)
        }
        return last
    }

    public mutating func observe(_ remote: HLC) {
        if remote > last { last = remote }
    }
}
