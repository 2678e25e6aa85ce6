import Foundation

/// Failed logins slow further attempts down, per user name and per address: after three
/// failures each next attempt waits twice as long as the last (2 s, 4 s, … up to 5 minutes).
/// An attempt counts as failed from its start (`attempt`) until its success forgives it.
/// Kept in memory: a restart forgives, the log keeps every failure.
actor LoginThrottle {
    struct Record {
        var failures = 0
        var until = Date.distantPast
    }
    private var records: [String: Record] = [:]
    static let free = 3
    static let longest: TimeInterval = 300

    /// Takes one login attempt for `keys`: the seconds to wait when they may not try now (nothing
    /// counted), or 0 with the attempt counted as a failure until `succeeded` forgives it. Counted
    /// before the password is checked: guesses sent at once meet the count of those still in
    /// bcrypt, so no more than the free ones are ever checked together.
    func attempt(_ keys: [String], now: Date = Date()) -> (wait: Int, failures: Int) {
        let wait = wait(keys, now: now)
        if wait > 0 { return (wait, records[keys[0]]?.failures ?? 0) }
        return (0, failed(keys, now: now))
    }

    /// Seconds to wait before `keys` may try again, 0 when they may now.
    func wait(_ keys: [String], now: Date = Date()) -> Int {
        let until = keys.compactMap { records[$0]?.until }.max() ?? .distantPast
        return until > now ? Int(until.timeIntervalSince(now).rounded(.up)) : 0
    }

    /// Counts a failure; returns the failures so far for the first key.
    @discardableResult
    func failed(_ keys: [String], now: Date = Date()) -> Int {
        if records.count > 10_000 { records = records.filter { $0.value.until > now } }  // bounded memory
        for key in keys {
            var r = records[key] ?? Record()
            r.failures += 1
            if r.failures >= Self.free {
                let delay = min(Self.longest, pow(2, Double(r.failures - Self.free + 1)))
                r.until = now.addingTimeInterval(delay)
            }
            records[key] = r
        }
        return records[keys[0]]?.failures ?? 0
    }

    func succeeded(_ keys: [String]) {
        for key in keys { records[key] = nil }
    }
}
