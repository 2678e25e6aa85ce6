import Hummingbird
import NIOCore
import ZISyncEngine
import ZISyncProtocol
import ZISyncTransport

/// The request context of the server children talk to: it carries the child that the
/// authenticator admitted (named by its client certificate, read once per request).
public struct ChildRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    /// Set by `ChildAuthenticator` before any route runs.
    public var child: ParentEndpoint.Child?
    public var maxUploadSize: Int { 64 << 20 }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The admitted child (a route behind the authenticator always has one).
    func admitted() throws -> ParentEndpoint.Child {
        guard let child else { throw HTTPError(.unauthorized) }
        return child
    }
}

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
        do {
            satker = try await TLSPeer.satker(of: context.channel)
        } catch {
            return HTTPAnswers.error(.unauthorized, "client certificate does not name a satker: \(error)")
        }
        var context = context
        do {
            context.child = try endpoint.admit(satker)
        } catch let e as EndpointError {
            return HTTPAnswers.error(e, tus: false)
        }
        // tus clients (the interoperability test's tuspy among them) do not send the zisync header.
        if !request.uri.path.hasPrefix(Route.files) {
            guard request.headers[HTTPAnswers.protocolField] == SyncProtocol.version else {
                return HTTPAnswers.error(.badRequest, "\(SyncProtocol.header): \(SyncProtocol.version) required")
            }
        }
        return try await next(request, context)
    }
}
