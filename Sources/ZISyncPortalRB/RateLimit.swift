import Foundation
import Hummingbird
import Synchronization

/// A limit per token: `perMinute` requests in any minute (a token bucket refilled evenly), 429
/// with Retry-After beyond it. PortalRB retries a failed fetch after 60 s and 120 s.
final class RateLimit: RouterMiddleware, Sendable {
    typealias Context = PortalRBContext
    let perMinute: Int
    private let buckets = Mutex<[String: (tokens: Double, at: Date)]>([:])

    init(perMinute: Int) { self.perMinute = perMinute }

    /// Takes one request of `token`'s allowance at `now`: nil when it may go, else the seconds to wait.
    func take(_ token: String, now: Date = Date()) -> Int? {
        buckets.withLock { b in
            let rate = Double(perMinute) / 60
            var bucket = b[token] ?? (Double(perMinute), now)
            bucket.tokens = min(Double(perMinute), bucket.tokens + now.timeIntervalSince(bucket.at) * rate)
            bucket.at = now
            defer { b[token] = bucket }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let token = context.token, let wait = take(token) { throw PortalRBError.tooMany(after: wait) }
        return try await next(request, context)
    }
}
