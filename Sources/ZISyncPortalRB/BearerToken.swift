import Hummingbird
import ZISyncStore

/// The caller must present a live token (`Authorization: Bearer …`); 401 otherwise. The token is
/// never logged, only its name.
struct BearerToken: RouterMiddleware {
    typealias Context = PortalRBContext
    let tokens: PortalRBTokens

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw PortalRBError.unauthorized("Token tidak ada: kirim Authorization: Bearer <token>.")
        }
        guard let name = try tokens.verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) else {
            throw PortalRBError.unauthorized("Token tidak dikenal atau sudah dicabut.")
        }
        var context = context
        context.token = name
        return try await next(request, context)
    }
}
