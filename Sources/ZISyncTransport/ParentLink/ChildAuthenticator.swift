import Hummingbird
import ZISyncEngine
import ZISyncProtocol

/// Admits only direct children of this node, named by their client certificate, and puts the
/// child in the request context; sync requests must speak this protocol version.
struct ChildAuthenticator: RouterMiddleware {
    typealias Context = ChildRequestContext
    let endpoint: ParentEndpoint

    func handle(
        _ request: Request, context: ChildRequestContext,
        next: (Request, ChildRequestContext) async throws -> Response
    ) async throws -> Response {
        let satker: String
        let der: [UInt8]
        do {
            guard let bytes = try await TLSPeer.certificateDER(of: context.channel) else {
                throw PKIError("no client certificate")
            }
            der = bytes
            satker = try DeploymentPKI.satker(ofDER: der)
        } catch {
            return HTTPAnswers.error(.unauthorized, "client certificate does not name a satker: \(error)")
        }
        var context = context
        do {
            context.child = try endpoint.admit(satker, certificateDER: der)
        } catch let e as EndpointError {
            return HTTPAnswers.error(e, tus: false)
        }
        // tus clients (the interoperability test's tuspy among them) do not send the zisync header.
        if !request.uri.path.hasPrefix(Route.files) {
            guard request.headers[HTTPAnswers.protocolField] == SyncProtocol.version else {
                return HTTPAnswers.error(.badRequest, "\(SyncProtocol.header): \(SyncProtocol.version) required")
            }
        }
        do {
            return try await endpoint.serving(context.child!) { try await next(request, context) }
        } catch let e as EndpointError {
            return HTTPAnswers.error(e, tus: request.uri.path.hasPrefix(Route.files))
        }
    }
}
