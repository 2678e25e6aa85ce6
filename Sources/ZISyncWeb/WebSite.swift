import Foundation
import Hummingbird
import Logging
import Mustache
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

/// Halaman kerja ZI: the office's web app, served by its daemon (docs/web.md). Everything it
/// shows comes from this node's store; every write goes through the store's one apply path as
/// the signed-in person (`name@satker`), so the web can do nothing the CLI may not.
public struct WebSite: Sendable {
    let store: Store
    let logger: Logger
    let templates: Templates
    let uploads: WebUploads
    let throttle = LoginThrottle()
    /// The sync state in the node's terms, read for each page that shows it.
    let syncFacts: @Sendable () async -> SyncFacts
    /// Cookies marked `Secure` (the web app is served over TLS).
    let secure: Bool
    /// The names a browser may reach the app by, besides IP addresses (`HostCheck`).
    let hosts: [String]
    /// How long a session lasts without signing in again.
    static let sessionSeconds: Int64 = 12 * 3600

    /// `hosts`: the names the app answers besides IP addresses. `uploadLimits`: the node's one upload policy (quota and expiry), for people's uploads too.
    public init(
        store: Store, secure: Bool, hosts: [String] = ["localhost"], logger: Logger,
        uploadLimits: UploadLimits = UploadLimits(), syncFacts: @escaping @Sendable () async -> SyncFacts
    ) async throws {
        self.store = store
        self.secure = secure
        self.hosts = hosts
        self.logger = logger
        self.syncFacts = syncFacts
        templates = try await Templates.load()
        uploads = WebUploads(files: store.files, limits: uploadLimits)
    }

    /// Every route of the web app.
    public func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: WebErrors(site: self))
        router.add(middleware: HostCheck(names: hosts))
        router.add(middleware: SessionReader(site: self))
        StaticFiles.register(on: router)
        registerLogin(on: router)
        // Everything else needs a signed-in person; a form needs its CSRF token.
        let pages = router.group().add(middleware: RequireLogin()).add(middleware: CSRFCheck())
        registerBeranda(on: pages)
        registerPlans(on: pages)
        registerEvidence(on: pages)
        registerLKE(on: pages)
        registerCycle(on: pages)
        registerLHE(on: pages)
        registerWorkbook(on: pages)
        registerBelow(on: pages)
        registerHistory(on: pages)
        registerUsers(on: pages)
        return router
    }

    var node: String { store.node }
    var officeName: String { store.registry[store.node]?.name ?? store.node }
    /// A province or KPU RI: it has offices below it to review and assess.
    var hasChildren: Bool { !store.registry.children(of: store.node).isEmpty }
}

/// What the web app shows of sync, given by the node (the daemon's state and the ledger's).
public struct SyncFacts: Sendable {
    public var parent: String?
    public var parentName: String?
    public var lastSync: Int64?
    public var pendingChanges: Int
    public var pendingFiles: Int
    public var pendingBytes: Int64
    public var problem: SyncProblem?
    /// Set while the node fetches its own chain from its parent and writes nothing.
    public var restoring: String?
    public var daemonRunning: Bool
    /// Worst first, as `status` lists them.
    public var children: [ChildStatus]

    public init(
        parent: String?, parentName: String?, lastSync: Int64?, pendingChanges: Int, pendingFiles: Int,
        pendingBytes: Int64, problem: SyncProblem?, restoring: String?, daemonRunning: Bool,
        children: [ChildStatus]
    ) {
        self.parent = parent
        self.parentName = parentName
        self.lastSync = lastSync
        self.pendingChanges = pendingChanges
        self.pendingFiles = pendingFiles
        self.pendingBytes = pendingBytes
        self.problem = problem
        self.restoring = restoring
        self.daemonRunning = daemonRunning
        self.children = children
    }
}
