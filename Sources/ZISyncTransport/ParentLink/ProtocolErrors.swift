import Hummingbird
import ZISyncEngine
import ZISyncProtocol

/// Outermost: whatever goes wrong below (an unknown route, a body over its limit, an error no
/// route expected) is answered as a zisync answer with its status, so the child can tell a
/// failing parent from a captive portal, and the parent's log says what failed.
struct ProtocolErrors: RouterMiddleware {
    typealias Context = ChildRequestContext

    func handle(
        _ request: Request, context: ChildRequestContext,
        next: (Request, ChildRequestContext) async throws -> Response
    ) async throws -> Response {
        let tus = request.uri.path.hasPrefix(Route.files)
        do {
            return try await next(request, context)
        } catch let e as HTTPError {
            return HTTPAnswers.error(e.status, e.body ?? e.status.reasonPhrase, tus: tus)
        } catch let e as EndpointError {
            return HTTPAnswers.error(e, tus: tus)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            return HTTPAnswers.error(
                .internalServerError, "the parent failed answering this request (its log says why)", tus: tus)
        }
    }
}
