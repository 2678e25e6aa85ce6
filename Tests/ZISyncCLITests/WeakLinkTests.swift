import Foundation
import Hummingbird
import Logging
import Testing
import ZISyncFaultProxy
import ZISyncProtocol
import ZISyncTestSupport
import ZISyncTransport

/// Cut, stalled and hijacked links, through the project's own TCP fault proxy.
@Suite(.serialized, .timeLimit(.minutes(10))) struct WeakLinkTests {
    /// A province daemon and a kab/kota whose parent URL points through a proxy.
    func setup() throws -> (Deployment, FaultProxy) {
        let d = try Deployment()
        try d.node("00", serves: true)
        try d.node("32", parent: "00", serves: true)
        try d.node("32.17", parent: "32")
        let proxy = try FaultProxy(target: d.daemons["32"]!.port)
        try d["32.17"].setParent("https://127.0.0.1:\(proxy.port)")
        return (d, proxy)
    }

    func randomFile(_ d: Deployment, bytes: Int) throws -> URL {
        var data = Data(count: bytes)
        data.withUnsafeMutableBytes { raw in
            var rng = SystemRandomNumberGenerator()
            for i in stride(from: 0, to: raw.count - 8, by: 8) {
                raw.storeBytes(of: rng.next(), toByteOffset: i, as: UInt64.self)
            }
        }
        let url = d.dir.appendingPathComponent("scan-\(UUID().uuidString).pdf")
        try data.write(to: url)
        return url
    }

    /// Starts `zisync sync` for a node without waiting.
    func startSync(_ node: CLI) throws -> RunningProcess {
        try RunningProcess(CLI.binary.path, ["sync", "--home", node.home.path], environment: CLI.environment)
    }

    @Test func aCutUploadResumesAndResendsAtMostOneChunk() throws {
        let (d, proxy) = try setup()
        defer { proxy.close(); d.cleanup() }
        let size = 5 * 1024 * 1024
        let plan = try d["32.17"].ok(["plan", "add", "--area", "1", "--activity", "Dokumen besar"])
        try d["32.17"].ok(["evidence", "add", "--plan", plan, try randomFile(d, bytes: size).path])
        proxy.resetCounters()
        proxy.mode = .cutAfter(Int64(size / 2))
        let sync = try startSync(d["32.17"])
        let deadline = Date().addingTimeInterval(60)
        while proxy.mode != .cutAfter(0), Date() < deadline { usleep(5_000) }
        #expect(proxy.mode == .cutAfter(0), "the link was cut mid-upload")
        proxy.mode = .forward
        let result = sync.wait(timeout: .seconds(120))
        #expect(result.status == 0, "\(result.stderr)")
        let sent = proxy.upstreamBytes
        let overhead: Int64 = 96 * 1024  // TLS records, handshakes and request headers
        #expect(sent <= Int64(size + SyncProtocol.chunkBytes) + overhead, "sent \(sent) bytes for a \(size)-byte file")
        #expect(sent >= Int64(size))
        let atProvince = try d["32"].objects("evidence", "list")
        #expect(atProvince.count == 1 && atProvince[0]["file_present"] as? Bool == true)
        #expect(try d["32"].digest("32.17") == d["32.17"].digest("32.17"))
    }

    @Test func aStalledLinkTimesOutAndIsRetried() throws {
        let (d, proxy) = try setup()
        defer { proxy.close(); d.cleanup() }
        try d["32.17"].ok(["plan", "add", "--area", "1", "--activity", "Tertahan"])
        try d["32.17"].config.set("sync.low_speed_seconds", 1)
        try d["32.17"].config.set("sync.connect_timeout_seconds", 2)
        proxy.mode = .stall
        let started = Date()
        let sync = try startSync(d["32.17"])
        // The link comes back once the client has given up on the stalled connection and opened
        // another: an event, not a time (a busy machine may take seconds to start the process).
        #expect(waitUntil(120) { proxy.connections >= 2 }, "a new connection after the stalled one timed out")
        proxy.mode = .forward
        let result = sync.wait(timeout: .seconds(120))
        #expect(result.status == 0, "the retry after the timeout succeeded: \(result.stderr)")
        #expect(Date().timeIntervalSince(started) >= 1, "the stalled connection was held for low_speed_seconds")
        #expect(try d["32"].digest("32.17") == d["32.17"].digest("32.17"))

        // With the link dead for good, the round fails with curl's timeout as the cause.
        try d["32.17"].config.set("sync.retries", 1)
        try d["32.17"].ok(["plan", "add", "--area", "2", "--activity", "Lagi"])
        proxy.mode = .stall
        let failed = try d["32.17"].run(["sync"])
        proxy.mode = .forward
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("curl error 28"), "\(failed.stderr)")
    }

    @Test func theBandwidthCapHolds() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        try kab.config.set("sync.max_bytes_per_second", 400_000)
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Dibatasi"])
        try kab.ok(["evidence", "add", "--plan", plan, try randomFile(d, bytes: 1_200_000).path])
        let report = try kab.object("sync")
        let seconds = report["uploadSeconds"] as? Double ?? 0
        #expect(seconds >= 2.4, "1.2 MB at 400 kB/s took \(seconds) s")
        #expect(report["bytesUploaded"] as? Int == 1_200_000)
    }

    @Test func aCaptivePortalAnswerIsAFailureAndChangesNothing() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        try d["32.17"].ok(["plan", "add", "--area", "1", "--activity", "Menunggu"])
        // A TLS middlebox with a certificate the client trusts, answering 200 text/html to everything.
        let portalPKI = d.dir.appendingPathComponent("portal-pki")
        try FileManager.default.createDirectory(at: portalPKI, withIntermediateDirectories: true)
        for f in ["ca.crt", "ca.key"] {
            try FileManager.default.copyItem(atPath: d.pki + "/" + f, toPath: portalPKI.appendingPathComponent(f).path)
        }
        try CLI.tool(["pki", "issue", "--dir", portalPKI.path, "--satker", "32"])
        let (port, server) = try await startTLSServer(
            HTMLPortal(), caFile: d.pki + "/ca.crt", certificateFile: portalPKI.path + "/32.crt",
            keyFile: portalPKI.path + "/32.key")
        defer { server.cancel() }
        try d["32.17"].setParent("https://127.0.0.1:\(port)")
        let before = try d["32.17"].object("status")
        let r = try d["32.17"].run(["sync"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("not from a zisync parent"), "\(r.stderr)")
        let after = try d["32.17"].object("status")
        #expect(after["pendingChanges"] as? Int == before["pendingChanges"] as? Int)
        #expect((before["pendingChanges"] as? Int ?? 0) > 0)
        #expect(after["lastPush"] == nil)
        #expect(try d["32"].digest("32.17").hasSuffix("(0 records)"))
    }
}

/// Answers every request like a captive portal does.
struct HTMLPortal: RouterMiddleware {
    typealias Context = BasicRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        Response(
            status: .ok, headers: [.contentType: "text/html"],
            body: .init(byteBuffer: ByteBuffer(string: "<html><body>Silakan login ke WiFi kantor</body></html>")))
    }
}
