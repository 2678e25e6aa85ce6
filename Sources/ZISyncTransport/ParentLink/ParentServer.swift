import Hummingbird
import ZISyncEngine

/// The router of the server children talk to: the authenticator first, then the sync and file routes.
public enum ParentServer {
    public static func router(endpoint: ParentEndpoint) -> Router<ChildRequestContext> {
        let router = Router(context: ChildRequestContext.self)
        router.add(middleware: ProtocolErrors())
        router.add(middleware: ChildAuthenticator(endpoint: endpoint))
        SyncRoutes(endpoint: endpoint).add(to: router)
        FileRoutes(endpoint: endpoint).add(to: router)
        return router
    }
}
