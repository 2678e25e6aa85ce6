import Hummingbird
import NIOCore
import ZISyncEngine
import ZISyncProtocol

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
