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
        let path = request.uri.path
        let unit =
            path.hasPrefix("/lke/jawaban-unit/") ? String(path.dropFirst("/lke/jawaban-unit/".count).prefix(16)) : nil
        let route = path.hasPrefix("/lke/jawaban-unit/") ? "/lke/jawaban-unit" : String(path.prefix(64))
        try? tokens.record(
            token: seen.token ?? "-", route: route, unit: unit, status: Int(response.status.code),
            bytes: response.body.contentLength ?? 0)
        return response
    }
}
