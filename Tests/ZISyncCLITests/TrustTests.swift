import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Testing
import ZISyncCore
import ZISyncNode
import ZISyncProtocol
import ZISyncStore
import ZISyncTransport

/// A child trusts exactly its deployment and its parent: the deployment CA alone (not the
/// system's), a certificate naming the configured parent satker (not a sibling's), and an answer
/// only within the protocol's bounds (a lying parent can neither crash it nor fool it).
@Suite(.serialized, .timeLimit(.minutes(10))) struct TrustTests {
    @Test func aSiblingsCertificateCannotStandInForTheParent() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        // 32.18 runs a daemon with its own certificate, from the same deployment CA.
        try d.node("32.18", parent: "32", serves: true)
        let kab = try d.node("32.17", parent: "32")
        try kab.ok(["plan", "add", "--area", "1", "--activity", "Bukan untuk saudara"])
        try kab.setParent(d.daemons["32.18"]!.url)
        let r = try kab.run(["sync", "--json"])
        #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
        let problem = try #require(try r.object()["problem"] as? [String: Any])
        #expect(problem["cause"] as? String == "certificate", "\(problem)")
        #expect((problem["message"] as? String)?.contains("for 32 and that host name") == true, "\(problem)")
        #expect(try kab.object("status")["pendingChanges"] as? Int == 1, "nothing was sent to the sibling")
        #expect(try d["32.18"].digest("32.17").hasSuffix("(0 records)"))
        try kab.setParent(d.daemons["32"]!.url)
        try kab.ok(["sync"])
    }

    /// Traced with strace: neither an honest round nor one against a server whose certificate
    /// comes from another CA (where OpenSSL would look the issuer up in a CA directory) opens
    /// the system's certificate store.
    @Test func theSystemCertificateStoreIsNeverOpened() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        let kab = try d.node("32.17", parent: "32")
        try kab.ok(["plan", "add", "--area", "1", "--activity", "Diawasi strace"])
        func traced(_ name: String) throws -> (CLI.Result, String) {
            let trace = d.dir.appendingPathComponent(name)
            let r = try CLI.process(
                "strace",
                ["-f", "-e", "trace=%file", "-o", trace.path, CLI.binary.path, "sync", "--home", kab.home.path],
                environment: CLI.environment)
            return (r, try String(contentsOf: trace, encoding: .utf8))
        }
        let (honest, honestTrace) = try traced("honest.txt")
        #expect(honest.status == 0, "\(honest.stderr)")
        #expect(honestTrace.contains("tls/ca.crt"), "the trace shows the deployment CA being read")

        // A server for "32" whose certificate a CA of another name issued (as a public CA or a
        // TLS-inspecting proxy would): OpenSSL would look its issuer up in a CA directory.
        let other = d.dir.appendingPathComponent("other-pki").path
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1,DNS:localhost,URI:urn:zisync:satker:32\n".write(
            toFile: other + "/ext", atomically: true, encoding: .utf8)
        for args in [
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                other + "/ca.key", "-out", other + "/ca.crt", "-subj", "/CN=Publicly Trusted Root", "-days", "30",
            ],
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", other + "/32.key",
                "-out", other + "/32.csr", "-subj", "/CN=32",
            ],
            [
                "x509", "-req", "-in", other + "/32.csr", "-CA", other + "/ca.crt", "-CAkey", other + "/ca.key",
                "-CAcreateserial", "-out", other + "/32.crt", "-days", "30", "-extfile", other + "/ext",
            ],
        ] {
            let made = try CLI.process("openssl", args, environment: CLI.environment)
            #expect(made.status == 0, "openssl \(args.joined(separator: " ")): \(made.stderr)")
        }
        let (port, server) = try await startTLSServer(
            HTMLPortal(), caFile: d.pki + "/ca.crt", certificateFile: other + "/32.crt", keyFile: other + "/32.key")
        defer { server.cancel() }
        try kab.setParent("https://127.0.0.1:\(port)")
        try kab.ok(["plan", "add", "--area", "1", "--activity", "Tidak terkirim"])
        let (foreign, foreignTrace) = try traced("foreign.txt")
        #expect(foreign.status == 1 && foreign.stderr.contains("certificate"), "\(foreign.stderr)")
        for trace in [honestTrace, foreignTrace] {
            for system in ["/etc/ssl/certs", "ca-certificates.crt", "/usr/lib/ssl/certs", "/etc/pki/tls"] {
                #expect(!trace.contains(system), "\(system) was opened")
            }
        }
    }

    @Test func aLyingParentCannotCrashOrFoolTheChild() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32")
        let kab = try d.node("32.17")
        let (port, server) = try await startTLSServer(
            LyingParent(), caFile: d.pki + "/ca.crt", certificateFile: d.pki + "/32.crt", keyFile: d.pki + "/32.key")
        defer { server.cancel() }
        try kab.setParent("https://127.0.0.1:\(port)")
        let home = Home(path: kab.home.path)
        let link = try HTTPSLink(config: try NodeConfig.load(home: home), home: home, parentSatker: "32")

        func failure(_ request: () async throws -> Void) async -> String {
            do {
                try await request()
                return "no failure"
            } catch {
                return "\(error)"
            }
        }
        let push = await failure { _ = try await link.push(from: "32.17", wire: []) }
        #expect(push.contains("serverTime is 9223372036854775807"), "\(push)")
        let pull = await failure { _ = try await link.pull(after: 0, limit: 10) }
        #expect(pull.contains("larger than"), "\(pull)")
        let offset = await failure {
            _ = try await link.uploadOffset(sha256: String(repeating: "a", count: 64), size: 10)
        }
        #expect(offset.contains("Upload-Offset '-5' is outside 0...10"), "\(offset)")
        let advance = await failure {
            _ = try await link.upload(
                sha256: String(repeating: "a", count: 64), offset: 0, chunk: Data(count: 10), progress: nil, lane: 1)
        }
        #expect(advance.contains("is outside 1...10"), "\(advance)")
        let range = await failure {
            _ = try await link.download(
                sha256: String(repeating: "a", count: 64), range: ByteRange(start: 0, end: 9), progress: nil)
        }
        #expect(range.contains("does not match bytes=0-9"), "\(range)")
        let failing = await failure {
            try await link.report(
                ChildReport(pendingChanges: 0, pendingFiles: 0, pendingBytes: 0, oldestPending: nil, problem: nil))
        }
        #expect(failing.contains("the parent failed while answering (HTTP 500"), "\(failing)")
        #expect(!failing.contains("captive portal"), "\(failing)")

        // A whole round against it ends with a reason, and the office's state is intact.
        try kab.ok(["plan", "add", "--area", "1", "--activity", "Tidak percaya"])
        let round = try kab.run(["sync"])
        #expect(round.status == 1 && round.stderr.contains("serverTime"), "\(round.stderr)")
        let status = try kab.object("status")
        #expect(status["pendingChanges"] as? Int == 1 && status["clockOffsetMilliseconds"] == nil)
        #expect(try kab.run(["verify"]).status == 0)
    }
}

/// Answers like a zisync parent, with values no honest parent sends.
struct LyingParent: RouterMiddleware {
    typealias Context = BasicRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var headers: HTTPFields = [HTTPField.Name(SyncProtocol.header)!: SyncProtocol.version]
        let path = request.uri.path
        switch (request.method, path) {
        case (.post, "/v1/push"):
            headers[.contentType] = "application/json"
            let body =
                #"{"accepted":0,"duplicates":0,"held":0,"refused":[],"tips":{},"serverTime":9223372036854775807}"#
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        case (.get, "/v1/pull"):
            headers[.contentType] = "application/json"
            // 80 MB: more than any answer a child accepts.
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(repeating: 0x20, count: 80 << 20)))
        case (.post, "/v1/report"):
            // A server error without the protocol header: the parent failing, not a captive portal.
            return Response(
                status: .internalServerError, headers: [.contentType: "text/html"],
                body: .init(byteBuffer: ByteBuffer(string: "<html>Internal Server Error</html>")))
        case (.post, "/v1/files"):
            headers[HTTPField.Name("Upload-Offset")!] = "-5"
            headers[HTTPField.Name("Tus-Resumable")!] = "1.0.0"
            return Response(status: .created, headers: headers)
        case (.patch, _):
            headers[HTTPField.Name("Upload-Offset")!] = "999999999999"
            headers[HTTPField.Name("Tus-Resumable")!] = "1.0.0"
            return Response(status: .noContent, headers: headers)
        default:
            headers[.contentRange] = "bytes 5-14/100"
            return Response(
                status: .partialContent, headers: headers, body: .init(byteBuffer: ByteBuffer(repeating: 1, count: 10)))
        }
    }
}
