import Foundation
import Hummingbird
import Logging
import NIOCore
import ZISyncCore
import ZISyncEngine
import ZISyncProtocol
import ZISyncStore
import ZISyncTransport

/// What the running daemon says about itself (`GET /v1/state` on the control socket).
public struct DaemonState: Codable, Sendable {
    public var pid: Int32
    /// When the daemon started and last reloaded its config (ms since the epoch).
    public var startedAt: Int64
    public var reloadedAt: Int64?
    public var configFile: String
    public var listening: String?
    public var metrics: String?
    /// The web app's address (Halaman kerja ZI), and whether it is reachable from the office network.
    public var web: String?
    public var webOnLAN: Bool?
    /// PortalRB's integration API (KPU RI), when it serves.
    public var portalrb: String?
    public var intervalSeconds: Int
    public var syncing: Bool
    /// Failed rounds in a row.
    public var failures: Int
    /// Seconds until the loop's next round (0: due now); nil on a node without a parent.
    public var nextRoundSeconds: Int?
}

/// One line of the stream `POST /v1/sync` answers with (NDJSON): progress lines, then the
/// round's report or its problem.
public struct ControlSyncLine: Codable, Sendable {
    public var progress: String?
    public var report: SyncReport?
    public var problem: SyncProblem?
}

/// The daemon's local control socket (`control.sock` in the home, mode 0600): plain HTTP for
/// the CLI on the same machine. Only who may read the home may use it.
public enum ControlSocket {
    public static let fileName = "control.sock"

    public static func path(home: Home) -> String { home.url.appendingPathComponent(fileName).path }

    /// The control server. `state` is asked on each `/v1/state`.
    public static func application(
        path: String, runner: SyncRunner?, logger: Logger, onRunning: @escaping @Sendable () -> Void = {},
        state: @escaping @Sendable () async -> DaemonState
    ) throws -> some ApplicationProtocol {
        guard path.utf8.count < 104 else {
            throw ZISyncError(
                "the control socket path is too long for a Unix socket (\(path.utf8.count) bytes): \(path)")
        }
        let router = Router(context: BasicRequestContext.self)
        router.get("/v1/state") { _, _ in
            let data = try JSONEncoder().encode(await state())
            return Self.response(data, type: "application/json")
        }
        router.get("/metrics") { _, _ in
            Self.response(Data(NodeMetrics.render().utf8), type: "text/plain; version=0.0.4")
        }
        router.post("/v1/sync") { _, _ in
            guard let runner else {
                let line = ControlSyncLine(
                    problem: SyncProblem(
                        cause: .local, message: "this node has no parent to sync with ('parent' in zisync.toml)",
                        advice: "nothing to sync: KPU RI is the root", at: HybridClock.systemMilliseconds()))
                return Self.response(try Self.encodeLine(line), type: "application/x-ndjson")
            }
            return Self.syncStream(runner: runner)
        }
        return Application(
            router: router, configuration: .init(address: .unixDomainSocket(path: path), serverName: "zisync-control"),
            onServerRunning: { _ in
                chmod(path, 0o600)
                onRunning()
            }, logger: logger)
    }

    static func syncStream(runner: SyncRunner) -> Response {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let throttle = ProgressThrottle()
        Task {
            let line: ControlSyncLine
            do {
                let report = try await runner.round { text in
                    guard throttle.due(), let data = try? Self.encodeLine(ControlSyncLine(progress: text)) else {
                        return
                    }
                    continuation.yield(ByteBuffer(bytes: data))
                }
                line = ControlSyncLine(report: report)
            } catch {
                line = ControlSyncLine(problem: SyncProblem.explain(error, at: HybridClock.systemMilliseconds()))
            }
            if let data = try? Self.encodeLine(line) { continuation.yield(ByteBuffer(bytes: data)) }
            continuation.finish()
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: stream))
    }

    static func encodeLine(_ line: ControlSyncLine) throws -> Data {
        try JSONEncoder().encode(line) + Data("\n".utf8)
    }

    static func response(_ data: Data, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Progress lines at most four times a second: curl reports far more often.
final class ProgressThrottle: @unchecked Sendable {
    private let lock = NSLock()
    private var last = ContinuousClock.now - .seconds(1)
    func due() -> Bool {
        lock.withLock {
            let now = ContinuousClock.now
            guard now - last >= .milliseconds(250) else { return false }
            last = now
            return true
        }
    }
}

/// The CLI's side of the control socket.
public struct ControlClient: Sendable {
    let http: CurlHTTPClient

    /// A client when a control socket exists in the home (the daemon may still be gone).
    public init?(home: Home) {
        let path = ControlSocket.path(home: home)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        http = CurlHTTPClient(configuration: .controlSocket(path))
    }

    /// Whether this user may use the home's control socket; nil when there is none.
    public static func accessible(home: Home) -> Bool? {
        let path = ControlSocket.path(home: home)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return access(path, R_OK | W_OK) == 0
    }

    /// The daemon's state, or nil when no daemon answers on the socket.
    public func state() async -> DaemonState? {
        guard let r = try? await http.send(ZISyncTransport.HTTPRequest(method: "GET", url: "http://zisync/v1/state")),
            r.status == 200
        else { return nil }
        return try? JSONDecoder().decode(DaemonState.self, from: r.body)
    }

    public enum SyncOutcome: Sendable {
        case report(SyncReport)
        case problem(SyncProblem)
    }

    /// Asks the daemon for a round now and follows its progress.
    public func sync(progress: @escaping @Sendable (String) -> Void) async throws -> SyncOutcome {
        let lines = LineBuffer()
        let r = try await http.send(
            ZISyncTransport.HTTPRequest(
                method: "POST", url: "http://zisync/v1/sync", body: Data(),
                onBody: { data in
                    for line in lines.append(data) {
                        if let decoded = try? JSONDecoder().decode(ControlSyncLine.self, from: line),
                            let text = decoded.progress
                        {
                            progress(text)
                        }
                    }
                }))
        guard r.status == 200 else { throw ZISyncError("the daemon answered HTTP \(r.status) on its control socket") }
        for line in lines.all.reversed() {
            guard let decoded = try? JSONDecoder().decode(ControlSyncLine.self, from: line) else { continue }
            if let report = decoded.report { return .report(report) }
            if let problem = decoded.problem { return .problem(problem) }
        }
        throw ZISyncError("the daemon's answer ended before the round did (was it stopped?)")
    }
}

/// Splits a byte stream into lines, keeping every complete line.
final class LineBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var partial = Data()
    private var lines: [Data] = []

    /// Appends bytes and returns the lines they completed.
    func append(_ data: Data) -> [Data] {
        lock.withLock {
            partial.append(data)
            var done: [Data] = []
            while let newline = partial.firstIndex(of: 0x0A) {
                done.append(partial[partial.startIndex..<newline])
                partial = Data(partial[partial.index(after: newline)...])
            }
            lines += done
            return done
        }
    }

    var all: [Data] { lock.withLock { lines } }
}
