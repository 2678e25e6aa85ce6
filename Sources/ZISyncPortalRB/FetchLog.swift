import Hummingbird
import Logging
import ZISyncStore

/// Every request PortalRB makes, answered or refused, in `portalrb_fetch` (token name, route,
/// unit, status, bytes, time); errors turned into the guide's JSON here, so the log sees the
/// status PortalRB saw.
struct FetchLog: RouterMiddleware {
    typealias Context = PortalRBContext
    let tokens: PortalRBTokens
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var seen = context
        let response: Response
        do {
            response = try await next(request, context)
        } catch let e as PortalRBError {
            response = e.response
        } catch let e as HTTPError where e.status == .notFound {
            response = PortalRBError.notFound("Rute tidak dikenal.").response
        } catch {
            logger.error("portalrb: \(request.method) \(request.uri.path) failed: \(error)")
            response = PortalRBError.internalError.response
        }
        if seen.token == nil, let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            seen.token = try? tokens.verify(String(header.dropFirst(7)))
        }
        let (route, unit) = Self.route(request.uri.path)
        try? tokens.record(
            token: seen.token ?? "-", route: route, unit: unit, status: Int(response.status.code),
            bytes: response.body.contentLength ?? 0)
        return response
    }

    /// The route and unit a path is logged as: an evidence link's capability is a secret and is
    /// never written down, only that an evidence link of that unit was opened.
    static func route(_ path: String) -> (route: String, unit: String?) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let unit = parts.count > 3 ? String(parts[3].prefix(16)) : nil
        if path.hasPrefix("/lke/jawaban-unit/") { return ("/lke/jawaban-unit", unit) }
        if path.hasPrefix("/bukti/") { return ("/bukti", unit) }
        return (String(path.prefix(64)), nil)
    }
}
