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
        if let revoked = endpoint.store.doorRefusal(certificateDER: der) {
            return HTTPAnswers.error(.forbidden, revoked)
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
        do {
            return try await endpoint.serving(context.child!) { try await next(request, context) }
        } catch let e as EndpointError {
            return HTTPAnswers.error(e, tus: request.uri.path.hasPrefix(Route.files))
        }
    }
}

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
