import Foundation
import Hummingbird
import Logging
import NIOCore
import ZISyncCore
import ZISyncEngine
import ZISyncStore
import ZISyncTransport

/// `zisync daemon`: serves this node's children over mutual TLS on its `listen` address, syncs
/// with its parent, answers the CLI on the control socket and serves metrics.
public enum NodeDaemon {
    /// How the daemon was started, for reloads and for `/v1/state`.
    public struct Options: Sendable {
        public var home: Home
        /// As `NodeConfig.load` returns it: checked, certificate and key included.
        public var config: NodeConfig
        /// The file `config` came from (`--config`), nil for `zisync.toml` in the home.
        public var configFile: String?
        public var logger: Logger
        /// The shared log level, changed by a reload.
        public var logLevel: DaemonLogHandler.Level?

        public init(
            home: Home, config: NodeConfig, configFile: String?, logger: Logger, logLevel: DaemonLogHandler.Level?
        ) {
            self.home = home
            self.config = config
            self.configFile = configFile
            self.logger = logger
            self.logLevel = logLevel
        }
    }

    /// Runs until SIGTERM or SIGINT; SIGHUP reloads the config. `onListening` receives the
    /// bound port of `listen` (useful with port 0), or 0 on a node without children.
    /// `onWeb` receives the web app's address once it serves (`http://127.0.0.1:8470`), and
    /// `onPortalRB` the PortalRB API's.
    public static func run(
        _ options: Options, onListening: @escaping @Sendable (Int) -> Void,
        onWeb: @escaping @Sendable (String) -> Void = { _ in },
        onPortalRB: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws {
        // A SIGHUP during start-up must not end the process; it is handled once the daemon runs.
        signal(SIGHUP, SIG_IGN)
        let home = options.home
        let config = options.config
        let logger = options.logger
        let store = try config.openStore(home: home)
        guard config.satker == store.node else {
            throw ZISyncError("zisync.toml says satker \(config.satker) but the database belongs to \(store.node)")
        }
        // An office whose province is not set up yet still runs its web app: web_listen alone is
        // enough; so is portalrb_listen alone at KPU RI.
        guard config.listen != nil || config.parent != nil || config.webListen != nil || config.portalRBListen != nil
        else {
            throw ZISyncError(
                "zisync.toml has neither 'listen' (children to serve) nor 'parent' (a parent to sync with) nor 'web_listen' (the web app) nor 'portalrb_listen' (PortalRB's API)"
            )
        }
        // NodeConfig.load has checked the certificate and key (ConfigCheck) of a node that syncs or
        // serves: here only its end date. A web-only node may have no certificate yet.
        let certificateFile = config.path(config.certificateFile, home: home)
        let syncs = config.listen != nil || config.parent != nil
        let validUntil =
            syncs
            ? try DeploymentPKI.expiry(ofCertificateFile: certificateFile)
            : try? DeploymentPKI.expiry(ofCertificateFile: certificateFile)
        let identity =
            config.listen == nil
            ? nil
            : try ServerIdentity(
                certificateFile: config.path(config.certificateFile, home: home),
                keyFile: config.path(config.keyFile, home: home))
        _ = NodeMetrics.bootstrap()
        if let validUntil { NodeMetrics.certificate(validUntil: validUntil) }
        let controlPath = ControlSocket.path(home: home)
        if let running = await ControlClient(home: home)?.state() {
            throw ZISyncError("another zisync daemon (pid \(running.pid)) already runs on \(home.url.path)")
        }
        try? FileManager.default.removeItem(atPath: controlPath)

        let notifier = SystemdNotifier()
        let runner = config.parent == nil ? nil : SyncRunner(store: store, config: config, home: home, logger: logger)
        let live = LiveState(options: options)
        Reload.onSIGHUP {
            await reload(live: live, store: store, runner: runner, identity: identity, notifier: notifier)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The control socket first: once the daemon says it is ready, `zisync sync` finds it.
            let (controlUp, controlUpSignal) = AsyncStream<Void>.makeStream()
            let control = try ControlSocket.application(
                path: controlPath, runner: runner, logger: logger, onRunning: { controlUpSignal.finish() }
            ) {
                await live.state(runner: runner)
            }
            // Each server returns on SIGTERM/SIGINT after a graceful shutdown.
            group.addTask {
                defer { controlUpSignal.finish() }  // should it fail to start, stop waiting for it
                try await control.runService()
            }
            for await _ in controlUp {}
            if config.listen != nil {
                let (host, port) = try config.listenAddress()
                let tls = try MutualTLSServer.tlsConfiguration(
                    caFile: config.path(config.caFile, home: home), identity: identity!)
                let endpoint = ParentEndpoint(
                    store: store, logger: logger, maxClockAheadSeconds: config.clockSkewLimitSeconds,
                    limits: config.serveLimits)
                let app = try MutualTLSServer.application(
                    router: ParentServer.router(endpoint: endpoint), host: host, port: port, tls: tls,
                    limits: config.connectionLimits, logger: logger,
                    onServerRunning: { channel in
                        let bound = channel.localAddress?.port ?? port
                        await live.listening("\(host):\(bound)")
                        notifier.send("READY=1\nSTATUS=serving children on \(host):\(bound)")
                        onListening(bound)
                    })
                group.addTask { try await app.runService() }
            } else {
                notifier.send(
                    "READY=1\nSTATUS=" + (config.parent.map { "syncing with \($0)" } ?? "serving the web app only"))
                onListening(0)
            }
            if let metricsListen = config.metricsListen {
                let (host, port) = try NodeConfig.hostPort(metricsListen)
                let app = MetricsServer.application(host: host, port: port, logger: logger) { channel in
                    await live.metrics("\(host):\(channel.localAddress?.port ?? port)")
                }
                group.addTask { try await app.runService() }
            }
            if let web = try await WebService.application(
                store: store, config: config, live: live, runner: runner, logger: logger, onListening: onWeb)
            {
                group.addTask { try await web.runService() }
            }
            if let portal = try await PortalRBService.application(
                store: store, config: config, live: live, logger: logger, onListening: onPortalRB)
            {
                group.addTask { try await portal.runService() }
            }
            if let runner {
                let loop = SyncLoop(runner: runner, store: store)
                group.addTask { await loop.run() }
            }
            if let interval = notifier.watchdogInterval {
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        notifier.send("WATCHDOG=1")
                    }
                }
            }
            // The first task to end (a server, on SIGTERM) ends the daemon.
            try await group.next()
            notifier.send("STOPPING=1")
            await runner?.stop()
            group.cancelAll()
        }
        try? FileManager.default.removeItem(atPath: controlPath)
    }

    /// Reads the config again. What a running daemon can change takes effect at once; a bad
    /// file changes nothing (the error is logged and the running config stays).
    static func reload(
        live: LiveState, store: Store, runner: SyncRunner?, identity: ServerIdentity?, notifier: SystemdNotifier
    ) async {
        notifier.send("RELOADING=1\nMONOTONIC_USEC=\(monotonicMicroseconds())")
        defer { notifier.send("READY=1") }
        let options = await live.options
        let logger = options.logger
        let file = options.configFile ?? options.home.url.appendingPathComponent(NodeConfig.fileName).path
        do {
            // The same checks as at start, the certificate and key included.
            let new = try NodeConfig.load(home: options.home, path: options.configFile)
            let old = await live.config
            guard new.satker == old.satker else {
                throw ZISyncError("satker is \(old.satker) for this database; the file says \(new.satker)")
            }
            let certificateFile = new.path(new.certificateFile, home: options.home)
            let keyFile = new.path(new.keyFile, home: options.home)
            let syncs = new.listen != nil || new.parent != nil
            let validUntil =
                syncs
                ? try DeploymentPKI.expiry(ofCertificateFile: certificateFile)
                : try? DeploymentPKI.expiry(ofCertificateFile: certificateFile)
            // Children's next handshakes get the pair on disk now (a rotated certificate).
            try identity?.reload(certificateFile: certificateFile, keyFile: keyFile)
            // New changes are signed with the rotated key; the old certificate stays for the old ones.
            try new.useAuthenticity(on: store, home: options.home)
            if let validUntil { NodeMetrics.certificate(validUntil: validUntil) }
            var needsRestart: [String] = []
            if new.listen != old.listen { needsRestart.append("listen") }
            if new.metricsListen != old.metricsListen { needsRestart.append("metrics_listen") }
            if new.webListen != old.webListen || new.webCertificateFile != old.webCertificateFile
                || new.webKeyFile != old.webKeyFile
            {
                needsRestart.append("web_listen / [web]")
            }
            if new.parent != old.parent && (new.parent == nil || old.parent == nil) { needsRestart.append("parent") }
            if new.clockSkewLimitSeconds != old.clockSkewLimitSeconds && new.listen != nil {
                needsRestart.append("clock_skew_limit_seconds (for children)")
            }
            if new.caFile != old.caFile && new.listen != nil { needsRestart.append("tls.ca (for children)") }
            await runner?.reload(new)
            options.logLevel?.value = Logger.Level(rawValue: new.logLevel) ?? .notice
            await live.reloaded(new)
            logger.notice(
                "reloaded \(file): interval \(new.syncIntervalSeconds) s, log level \(new.logLevel), \(validUntil.map { "certificate valid until \($0.formatted(.iso8601))" } ?? "no certificate yet")\(needsRestart.isEmpty ? "" : "; takes a restart: \(needsRestart.joined(separator: ", "))")"
            )
        } catch {
            logger.error("reload refused, the running config stays: \(error)")
        }
    }
}

/// The daemon's facts that change while it runs.
actor LiveState {
    var options: NodeDaemon.Options
    var config: NodeConfig { options.config }
    let startedAt = HybridClock.systemMilliseconds()
    var reloadedAt: Int64?
    var listen: String?
    var metricsAddress: String?
    var webAddress: String?
    var portalRBAddress: String?

    init(options: NodeDaemon.Options) { self.options = options }

    func portalRB(_ address: String) { portalRBAddress = address }

    func listening(_ address: String) { listen = address }
    func metrics(_ address: String) { metricsAddress = address }
    func web(_ address: String) { webAddress = address }

    func reloaded(_ config: NodeConfig) {
        options.config = config
        reloadedAt = HybridClock.systemMilliseconds()
    }

    func state(runner: SyncRunner?) async -> DaemonState {
        var next: Int?
        var syncing = false
        var failures = 0
        if let runner {
            let due = await runner.nextRound
            next = max(0, Int((due - ContinuousClock.now).components.seconds))
            syncing = await runner.isSyncing
            failures = await runner.failures
        }
        return DaemonState(
            pid: getpid(), startedAt: startedAt, reloadedAt: reloadedAt,
            configFile: options.configFile ?? options.home.url.appendingPathComponent(NodeConfig.fileName).path,
            listening: listen, metrics: metricsAddress, web: webAddress,
            webOnLAN: webAddress == nil ? nil : !options.config.webIsLoopback, portalrb: portalRBAddress,
            intervalSeconds: options.config.syncIntervalSeconds,
            syncing: syncing, failures: failures, nextRoundSeconds: next)
    }
}

/// SIGHUP, delivered as a task (never on the signal handler itself).
enum Reload {
    nonisolated(unsafe) static var source: DispatchSourceSignal?

    static func onSIGHUP(_ action: @escaping @Sendable () async -> Void) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP)
        source.setEventHandler { Task { await action() } }
        source.resume()
        Self.source = source
    }
}

/// CLOCK_MONOTONIC in microseconds, as sd_notify's RELOADING=1 wants it.
func monotonicMicroseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
}

/// Prometheus metrics over plain HTTP on `metrics_listen` (keep it on 127.0.0.1 or a
/// monitoring network: it says how busy each office is, nothing more).
enum MetricsServer {
    static func application(
        host: String, port: Int, logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.get("/metrics") { _, _ in
            ControlSocket.response(Data(NodeMetrics.render().utf8), type: "text/plain; version=0.0.4")
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "zisync-metrics"),
            onServerRunning: onServerRunning, logger: logger)
    }
}
