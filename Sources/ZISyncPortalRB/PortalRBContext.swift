import Hummingbird
import NIOCore

/// The request context of PortalRB's API: the name of the token the caller presented (set by
/// `BearerToken`), for the rate limit and the log.
public struct PortalRBContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    var token: String?
    /// Requests are GETs: nothing larger than a small body is read.
    public var maxUploadSize: Int { 16 << 10 }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
