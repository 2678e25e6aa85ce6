import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol
import ZISyncTestSupport
import ZISyncTransport

/// The protocol fuzzer (docs/security.md, "Fuzzing"): random mutations of valid push, pull,
/// report, tus and Range requests, sent with a real child certificate to a real daemon. However
/// they are mangled, the parent answers each with a 4xx or a success, never a 5xx, stays up, its
/// `verify` stays clean and an honest round still goes through. `ZISYNC_FUZZ_REQUESTS` sets how
/// many (3,000 by default), `ZISYNC_FUZZ_SEED` replays a run.
@Suite(.serialized, .timeLimit(.minutes(20))) struct ProtocolFuzzTests {
    static let tokens = [
        "-1", "0", "9223372036854775807", "-9223372036854775808", "99999999999999999999", "1e9", "1.5", "null",
        "true", "\"\"", "[]", "{}", "\"\\u0000\"", "\"\\ud800\"", "[[[[[[[[[[[[[[[[", "\u{202E}", "\u{1B}[2J", ",", ":",
        "\"32.18\"", "\"00\"", "\"review\"", "\"satker\"", String(repeating: "a", count: 300),
    ]

    @Test func mutatedRequestsNeverBringTheParentDown() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        let kab = try d.node("32.17", parent: "32")
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Sebelum diserang"])
        let file = try d.file("bukti.pdf", bytes: 200_000, seed: 3)
        let sha = try #require(try kab.object("evidence", "add", "--plan", plan, file.path)["sha256"] as? String)
        try kab.ok(["sync"])

        let count = ProcessInfo.processInfo.environment["ZISYNC_FUZZ_REQUESTS"].flatMap { Int($0) } ?? 3000
        var rng = SeededRandom(environment: "ZISYNC_FUZZ_SEED")
        let base = d.daemons["32"]!.url
        let http = d.client("32.17")
        let proto = (SyncProtocol.header, SyncProtocol.version)
        let now = HybridClock.systemMilliseconds()
        let crafted = Change(
            origin: "32.17", seq: 9, hlc: HLC(milliseconds: now, counter: 0), recordType: "action_plan",
            recordID: Validation.newRecordID(), owner: "32.17",
            fields: ["activity": .string("x"), "area": .string("sdm")],
            base: [:], actor: "fuzz", prev: String(repeating: "0", count: 64))
        let push = PushRequest.encode(from: "32.17", wire: [crafted.wireJSON])
        let report = ChildReport(
            pendingChanges: 1, pendingFiles: 1, pendingBytes: 10, oldestPending: now,
            problem: SyncProblem(cause: .link, message: "m", advice: "a", at: now),
            below: .init(
                attention: [.init(satker: "32.18", state: .late, lagSeconds: 5, problem: nil)], ok: 1, neverSeen: 0)
        ).encoded()
        let bodies = [push, report]

        var statuses: [Int: Int] = [:]
        var transport = 0
        for i in 0..<count {
            var request: HTTPRequest
            switch rng.next() % 7 {
            case 0:
                var body = mutate(push, &rng, splice: bodies)
                var headers = [proto, ("Content-Type", "application/json")]
                if rng.next() % 8 == 0 {
                    body = (try? SyncProtocol.gzip(body)) ?? body
                    headers.append(("Content-Encoding", "gzip"))
                }
                request = HTTPRequest(method: "POST", url: base + "/v1/push", headers: headers, body: body)
            case 1:
                request = HTTPRequest(
                    method: "POST", url: base + "/v1/report", headers: [proto, ("Content-Type", "application/json")],
                    body: mutate(report, &rng, splice: bodies))
            case 2:
                let after = pick(["0", "5", "-1", "9223372036854775807", "x", "%00", ""] + Self.tokens, &rng)
                let limit = pick(["10", "0", "-5", "99999999999", "", "1e3"] + Self.tokens, &rng)
                let query = "after=\(escape(after))&limit=\(escape(limit))"
                request = HTTPRequest(method: "GET", url: base + "/v1/pull?" + query, headers: [proto])
            case 3:
                let length = pick(["200000", "0", "-1", "999", "9223372036854775807", "abc", ""], &rng)
                let named = pick([sha, String(repeating: "f", count: 64), "../../etc/passwd", "", sha + "0"], &rng)
                request = HTTPRequest(
                    method: "POST", url: base + "/v1/files",
                    headers: [
                        ("Tus-Resumable", pick(["1.0.0", "0.2", ""], &rng)), ("Upload-Length", length),
                        (
                            "Upload-Metadata",
                            pick(["sha256 \(Data(named.utf8).base64EncodedString())", "sha256", "x y z", ""], &rng)
                        ),
                    ], body: Data())
            case 4:
                let offset = pick(["0", "100000", "-1", "9223372036854775807", "x", "200000"], &rng)
                var headers = [
                    ("Tus-Resumable", "1.0.0"),
                    ("Content-Type", pick(["application/offset+octet-stream", "text/plain"], &rng)),
                    ("Upload-Offset", offset),
                ]
                if rng.next() % 3 == 0 {
                    headers.append(("Upload-Checksum", pick(["sha1 AAAA", "sha256 ???", "md5 x", "sha1"], &rng)))
                }
                let path = pick([sha, String(repeating: "e", count: 64), "..%2F..%2Fetc", sha.uppercased()], &rng)
                request = HTTPRequest(
                    method: "PATCH", url: base + "/v1/files/" + path, headers: headers,
                    body: Data(count: Int(rng.next() % 70_000)))
            case 5:
                let range = pick(
                    [
                        "bytes=0-99", "bytes=99-0", "bytes=-5", "bytes=0-",
                        "bytes=9223372036854775806-9223372036854775807",
                        "bytes=199999-300000", "items=0-1", "bytes=0-1,5-9", "", "bytes=\(rng.next() % 300_000)-",
                    ], &rng)
                let path = pick([sha, String(repeating: "0", count: 64), "x", sha + "/.."], &rng)
                request = HTTPRequest(
                    method: pick(["GET", "HEAD"], &rng), url: base + "/v1/files/" + path,
                    headers: [proto, ("Tus-Resumable", "1.0.0"), ("Range", range)])
            default:
                let path = pick(
                    ["/v1/push", "/v1/pull", "/v1/files", "/v2/push", "/", "/v1/files/" + sha + "/x"], &rng)
                request = HTTPRequest(
                    method: pick(["PUT", "DELETE", "GET", "POST", "OPTIONS"], &rng), url: base + path,
                    headers: rng.next() % 2 == 0 ? [proto] : [(SyncProtocol.header, pick(Self.tokens, &rng))],
                    body: mutate(push, &rng, splice: bodies))
            }
            do {
                let r = try await http.send(request)
                statuses[r.status, default: 0] += 1
                #expect(
                    r.status < 500, "request \(i) (seed \(rng.seed)): \(request.method) \(request.url) → \(r.status)")
            } catch {
                transport += 1
            }
        }
        print(
            "protocol fuzz: \(count) requests (seed \(rng.seed)), answers \(statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")), \(transport) broken transfers"
        )
        #expect(d.daemons["32"]!.isRunning)
        #expect(transport < count / 20, "\(transport) transfers broke")
        #expect(try d["32"].run(["verify"]).status == 0)
        try kab.ok(["plan", "add", "--area", "2", "--activity", "Sesudah diserang"])
        let after = try kab.run(["sync"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
    }

    func pick<T>(_ options: [T], _ rng: inout SeededRandom) -> T { options[Int(rng.next() % UInt64(options.count))] }

    func escape(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }

    /// A few random edits of `body`: flipped bytes, tokens put in, ranges cut, doubled or spliced.
    func mutate(_ body: Data, _ rng: inout SeededRandom, splice: [Data]) -> Data {
        var bytes = [UInt8](body)
        for _ in 0...(rng.next() % 4) {
            let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 7 {
            case 0: if !bytes.isEmpty { bytes[at] ^= UInt8(1 << (rng.next() % 8)) }
            case 1: if !bytes.isEmpty { bytes[at] = UInt8(truncatingIfNeeded: rng.next()) }
            case 2: bytes.insert(contentsOf: Array(pick(Self.tokens, &rng).utf8), at: at)
            case 3:
                let end = min(bytes.count, at + Int(rng.next() % 40))
                bytes.removeSubrange(at..<end)
            case 4: bytes = Array(bytes.prefix(at))
            case 5:
                let end = min(bytes.count, at + Int(rng.next() % 200))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            default:
                let other = [UInt8](pick(splice, &rng))
                let from = other.isEmpty ? 0 : Int(rng.next() % UInt64(other.count))
                bytes = Array(bytes.prefix(at)) + other[from...]
            }
        }
        return Data(bytes)
    }
}
