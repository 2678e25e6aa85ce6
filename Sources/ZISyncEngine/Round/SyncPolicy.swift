import Foundation

/// How a round behaves: batch sizes, attempts per request, the clock-skew limit, the interval
/// (children count as late after three of them). From `[sync]` in zisync.toml.
public struct SyncPolicy: Sendable {
    public var batchChanges = 2000
    public var batchBytes = 6 << 20
    /// Attempts per request on a broken transfer before the round gives up.
    public var retries = 4
    public var clockSkewLimitSeconds = 300
    public var syncIntervalSeconds = 300
    /// Nanoseconds to wait before attempt `n` (2, 3, …) of a request.
    public var retryDelay: @Sendable (Int) -> UInt64 = { Backoff.delay(attempt: $0) }

    public init() {}

    /// Seconds without news after which a child counts as late.
    public var lateAfterSeconds: Int { max(900, 3 * syncIntervalSeconds) }
}

/// Exponential backoff with jitter, bounded.
public enum Backoff {
    public static func delay(attempt: Int, base: Double = 0.5, cap: Double = 30) -> UInt64 {
        let exp = min(cap, base * pow(2, Double(max(0, attempt - 1))))
        return UInt64(exp * Double.random(in: 0.5...1.0) * 1_000_000_000)
    }
}

extension SyncPolicy {
    /// Runs a request, trying again after a broken transfer (never after an answer) with backoff,
    /// up to `retries` attempts in all.
    func retrying<T: Sendable>(_ request: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await request()
            } catch let failure as LinkFailure where failure.isTransient && attempt < max(1, retries) {
                attempt += 1
                try await Task.sleep(nanoseconds: retryDelay(attempt - 1))
            }
        }
    }
}
