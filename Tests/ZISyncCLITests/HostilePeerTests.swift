import Foundation
import Testing
import ZISyncCore
import ZISyncFaultProxy
import ZISyncProtocol
import ZISyncTransport

/// The audit of hostile and faulty peers (docs/security.md), each attack against real daemons
/// over mutual TLS on loopback: refused with a reason, and the node keeps serving its honest
/// children.
@Suite(.serialized, .timeLimit(.minutes(10))) struct HostilePeerTests {
    static let proto = (SyncProtocol.header, SyncProtocol.version)
    static let tus = ("Tus-Resumable", "1.0.0")

    func post(_ http: CurlHTTPClient, _ url: String, _ body: Data, gzip: Bool = false) async throws -> HTTPResponse {
        var headers = [Self.proto, ("Content-Type", "application/json")]
        if gzip { headers.append(("Content-Encoding", "gzip")) }
        return try await http.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body))
    }

    func text(_ r: HTTPResponse) -> String { String(decoding: r.body, as: UTF8.self) }

    func pull(_ http: CurlHTTPClient, _ base: String) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(method: "GET", url: base + "/v1/pull?after=0&limit=10", headers: [Self.proto]))
    }

    /// A crafted change of `origin`, chained after `prev`.
    func change(
        _ origin: String, _ seq: Int64, prev: Change?, _ type: RecordType, owner: String,
        _ fields: [String: FieldValue],
        id: String = Validation.newRecordID()
    ) -> Change {
        Change(
            origin: origin, seq: seq, hlc: HLC(milliseconds: HybridClock.systemMilliseconds(), counter: 0),
            recordType: type.rawValue, recordID: id, owner: owner, fields: fields, base: [:], actor: "penyerang",
            prev: prev?.hash)
    }

    // MARK: - Reports and queries

    /// A report with extreme numbers is refused naming the field, the stored reports never crash
    /// `status` (here or at KPU RI), and text meant to forge log lines or move a terminal's
    /// cursor arrives as plain words.
    @Test func aChildsReportCannotCrashOrForgeAnything() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let http = d.client("32.17")
        let url = d.daemons["32"]!.url + "/v1/report"
        for (field, json) in [
            (
                "oldestPending",
                #"{"pendingChanges":1,"pendingFiles":0,"pendingBytes":0,"oldestPending":-9223372036854775808}"#
            ),
            ("pendingBytes", #"{"pendingChanges":1,"pendingFiles":0,"pendingBytes":9223372036854775807}"#),
            (
                "below.attention[0].lagSeconds",
                #"{"pendingChanges":0,"pendingFiles":0,"pendingBytes":0,"below":{"ok":0,"neverSeen":0,"attention":[{"satker":"32.18","state":"late","lagSeconds":9223372036854775807}]}}"#
            ),
        ] {
            let r = try await post(http, url, Data(json.utf8))
            #expect(r.status == 400 && text(r).contains(field), "\(field): \(r.status) \(text(r))")
        }
        let forged = "putus\n<3>zisync[1]: kunci CA bocor\u{1B}[2J\u{1B}[31m"
        let report = ChildReport(
            pendingChanges: 2, pendingFiles: 0, pendingBytes: 0, oldestPending: HybridClock.systemMilliseconds(),
            problem: SyncProblem(cause: .link, message: forged, advice: forged, at: HybridClock.systemMilliseconds()))
        #expect(try await post(http, url, report.encoded()).status == 200)

        let status = try d["32"].run(["status"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(!status.stdout.contains("\u{1B}") && status.stdout.contains("putus <3>zisync[1]: kunci CA bocor"))
        #expect(!status.stdout.split(separator: "\n").contains { $0.hasPrefix("<3>") })
        #expect(try d["32"].object("status")["children"] != nil)
        try d["32"].ok(["sync"])
        #expect(try d["00"].run(["status"]).status == 0)
        #expect(d.daemons["32"]!.isRunning && d.daemons["00"]!.isRunning)
        let log = d.daemons["32"]!.log.text
        #expect(!log.split(separator: "\n").contains { $0.hasPrefix("<3>zisync") }, "no forged log line")
        #expect(!log.contains("\u{1B}"))
    }

    /// A small gzip body that expands to millions of JSON values is refused while it is read,
    /// without the parent's memory growing with it; a push of more changes than allowed, too.
    @Test func aCompressionBombIsRefusedWithoutExhaustingTheParent() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        try d.node("32.17", parent: "32")
        let parent = d.daemons["32"]!
        let url = parent.url + "/v1/push"
        let http = d.client("32.17")
        var bomb = Data(#"{"from":"32.17","changes":["#.utf8)
        bomb.append(Data([0x30, 0x2C]).repeatedBytes(15_000_000))
        bomb.append(0x30)
        bomb.append(Data("]}".utf8))
        let body = try SyncProtocol.gzip(bomb)
        #expect(body.count < 100_000, "\(body.count) bytes on the wire")
        let before = try Self.peakMemory(parent.pid)
        let r = try await post(http, url, body, gzip: true)
        #expect(r.status == 400 && text(r).contains("more values than a document may hold"), "\(text(r))")
        let growth = try Self.peakMemory(parent.pid) - before
        print(
            "compression bomb: \(body.count) bytes on the wire, \(bomb.count >> 20) MiB of JSON,",
            "peak memory +\(growth >> 20) MiB")
        #expect(growth < 400 << 20, "peak memory grew by \(growth >> 20) MiB")
        // Beyond the limit of changes per push, but small: refused by count.
        let wire = Array(repeating: "0", count: SyncProtocol.maxPushChanges + 1)
        let many = try await post(http, url, PushRequest.encode(from: "32.17", wire: wire))
        #expect(many.status == 413, "\(many.status) \(text(many))")
        #expect(parent.isRunning)
        try d["32.17"].ok(["plan", "add", "--area", "1", "--activity", "Masih dilayani"])
        try d["32.17"].ok(["sync"])
        #expect(try d["32"].digest("32.17") == d["32.17"].digest("32.17"))
    }

    /// VmHWM: the most resident memory the process has used, in bytes.
    static func peakMemory(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    // MARK: - Connections

    /// Hosts that connect and never start TLS hold at most their share, and only until the
    /// handshake deadline: a real child still gets its round through.
    @Test func connectionsWithoutAHandshakeCannotStarveTheParent() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        try d["32"].config.set("serve.handshake_timeout_seconds", 2)
        try d["32"].config.set("serve.max_connections_per_address", 6)
        try d.restart("32")
        let kab = try d.node("32.17", parent: "32")
        try kab.ok(["plan", "add", "--area", "1", "--activity", "Tetap dilayani"])
        let port = d.daemons["32"]!.port
        // Six silent connections fill what one address may hold, a seventh is turned away.
        let silent = try (0..<7).map { _ in try RawConnection(port: port) }
        defer { silent.forEach { $0.close() } }
        let started = Date()
        let sync = try kab.run(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(try d["32"].digest("32.17") == kab.digest("32.17"))
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(silent.allSatisfy { $0.closedByPeer(within: 30) }, "the parent closed every silent connection")
        let log = d.daemons["32"]!.log.text
        #expect(log.contains("no TLS handshake within 2 s"), "\(log)")
        #expect(log.contains("refused a connection from 127.0.0.1"), "\(log)")
    }

    /// However many connections one office opens, it has at most `max_requests_per_child`
    /// requests in progress; the next is told to come back (429), and the office's rounds retry.
    @Test func oneChildHoldsAtMostItsShareOfRequests() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        try d["32"].config.set("serve.max_requests_per_child", 1)
        try d.restart("32")
        let kab = try d.node("32.17", parent: "32")
        let base = d.daemons["32"]!.url
        // A push through a line of the test's own holds the one request 32.17 may have: once its
        // body is flowing (an event the line sees), the line goes silent and the push stays open.
        let line = try FaultProxy(target: d.daemons["32"]!.port, rate: 20_000)
        defer { line.close() }
        let padded = PushRequest.encode(from: "32.17", wire: []) + Data(repeating: 0x20, count: 200_000)
        let holding = Task { try await post(d.client("32.17"), "https://127.0.0.1:\(line.port)/v1/push", padded) }
        #expect(waitUntil(120) { line.upstreamBytes > 30_000 }, "the push's body is on its way")
        line.mode = .stall
        let other = try await pull(d.client("32.17"), base)
        #expect(other.status == 429 && text(other).contains("1 requests in progress"), "\(text(other))")
        line.mode = .forward
        #expect(try await holding.value.status == 200)
        try kab.ok(["plan", "add", "--area", "1", "--activity", "Sesudahnya"])
        try kab.ok(["sync"])
    }

    /// A PATCH that trickles past the write deadline is cut with 408; what arrived is kept, and
    /// the upload resumes from it.
    @Test func aTricklingChunkIsCutAtItsDeadline() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        try d["32"].config.set("serve.upload_write_timeout_seconds", 10)
        try d.restart("32")
        let kab = try d.node("32.17", parent: "32")
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Pelan"])
        let content = try d.file("lambat.pdf", bytes: 150_000, seed: 6)
        let sha = try #require(try kab.object("evidence", "add", "--plan", plan, content.path)["sha256"] as? String)
        let base = d.daemons["32"]!.url
        let metadata = ("Upload-Metadata", "sha256 \(Data(sha.utf8).base64EncodedString())")
        try FileManager.default.removeItem(at: kab.home.appendingPathComponent("files/\(sha.prefix(2))/\(sha)"))
        try kab.ok(["sync"])  // the records go up; the file, gone here, is sent by hand below
        var slow = HTTPClientConfiguration(
            caFile: d.pki + "/ca.crt", certificateFile: d.pki + "/32.17.crt", keyFile: d.pki + "/32.17.key")
        slow.maxBytesPerSecond = 5_000
        let trickle = CurlHTTPClient(configuration: slow)
        let created = try await trickle.send(
            HTTPRequest(
                method: "POST", url: base + "/v1/files", headers: [Self.tus, ("Upload-Length", "150000"), metadata],
                body: Data()))
        #expect(created.status == 201)
        let bytes = try Data(contentsOf: content)
        let started = Date()
        let cut = try await trickle.send(
            HTTPRequest(
                method: "PATCH", url: base + "/v1/files/" + sha,
                headers: [Self.tus, ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0")],
                body: bytes))
        #expect(cut.status == 408 && text(cut).contains("within 10 s"), "\(cut.status) \(text(cut))")
        #expect(Date().timeIntervalSince(started) < 25)
        let head = try await d.client("32.17").send(
            HTTPRequest(method: "HEAD", url: base + "/v1/files/" + sha, headers: [Self.tus]))
        let kept = Int(head.headers["upload-offset"] ?? "") ?? -1
        #expect(kept > 10_000 && kept < 150_000, "what arrived is kept: \(kept)")
        let rest = try await d.client("32.17").send(
            HTTPRequest(
                method: "PATCH", url: base + "/v1/files/" + sha,
                headers: [
                    Self.tus, ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", String(kept)),
                ],
                body: bytes.suffix(from: kept)))
        #expect(rest.status == 204 && rest.headers["upload-offset"] == "150000")
    }

    // MARK: - Write rules that need the records

    /// A province cannot publish a review, as "00" or as itself, of another province's plan, nor
    /// link evidence to it: refused at KPU RI naming the rule, and nothing counts.
    @Test func reviewsAndEvidenceStayInsideTheirOffice() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("00", serves: true)
        try d.node("32", parent: "00")
        try d.node("33", parent: "00", serves: true)
        let victim = try d.node("33.01", parent: "33")
        let plan = try victim.ok(["plan", "add", "--area", "1", "--activity", "Rencana 33.01"])
        try victim.ok(["sync"])
        try d["33"].ok(["sync"])
        #expect(try d["00"].digest("33.01").hasSuffix("(1 records)"))

        let asRI = change(
            "32", 1, prev: nil, .review, owner: "32.17",
            [
                "subject_type": .string("action_plan"), "subject": .string(plan), "verdict": .string("ditolak"),
                "reviewer_satker": .string("00"),
            ])
        let asItself = change(
            "32", 2, prev: asRI, .review, owner: "32.17",
            [
                "subject_type": .string("action_plan"), "subject": .string(plan), "verdict": .string("ditolak"),
                "reviewer_satker": .string("32"),
            ])
        let wrongType = change(
            "32", 3, prev: asItself, .review, owner: "33.01",
            [
                "subject_type": .string("evidence"), "subject": .string(plan), "verdict": .string("ditolak"),
                "reviewer_satker": .string("32"),
            ])
        let padding = change(
            "32", 4, prev: wrongType, .evidence, owner: "32.17",
            ["plan": .string(plan), "file_name": .string("palsu.pdf"), "title": .string("palsu")])
        let r = try await post(
            d.client("32"), d.daemons["00"]!.url + "/v1/push",
            PushRequest.encode(
                from: "32", wire: try [asRI, asItself, wrongType, padding].map { try d.signed($0).wireJSON },
                certificates: try d.certificates("32")))
        #expect(r.status == 200, "\(text(r))")
        let answer = try JSONDecoder().decode(PushAnswer.self, from: r.body)
        #expect(answer.accepted == 0 && answer.refused.count == 4, "\(answer)")
        let reasons = answer.refused.map(\.reason)
        #expect(reasons[0].contains("reviewer_satker must be the office writing it (32), not '00'"), "\(reasons[0])")
        #expect(reasons[1].contains("belongs to 33.01"), "\(reasons[1])")
        #expect(
            reasons[2].contains("may only be written by an office above it") || reasons[2].contains("is a action_plan"),
            "\(reasons[2])")
        #expect(reasons[3].contains("its plan \(plan) belongs to 33.01"), "\(reasons[3])")
        let seen = try d["00"].ok(["plan", "show", plan])
        #expect(!seen.contains("ditolak"), "no review of 33.01's plan but its own province's")
        #expect(try d["00"].run(["verify"]).status == 0)
    }

    // MARK: - Files

    /// A hash a child writes into a record of its own is no key to another office's file: the
    /// parent answers 404 exactly as for a file it does not hold. What a child uploaded, and what
    /// an office above attached to its plan, it may fetch.
    @Test func aFileHashIsNoDownloadKey() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        let sibling = try d.node("32.18", parent: "32")
        try d.node("32.17", parent: "32")
        let theirPlan = try sibling.ok(["plan", "add", "--area", "1", "--activity", "Milik 32.18"])
        let secret = try d.file("rahasia.pdf", bytes: 50_000, seed: 9)
        let added = try sibling.object("evidence", "add", "--plan", theirPlan, secret.path)
        let sha = try #require(added["sha256"] as? String)
        try sibling.ok(["sync"])

        // 32.17 names that hash (and its size) in evidence of its own plan.
        let plan = change(
            "32.17", 1, prev: nil, .actionPlan, owner: "32.17", ["area": .string("sdm"), "activity": .string("x")])
        let claim = change(
            "32.17", 2, prev: plan, .evidence, owner: "32.17",
            [
                "plan": .string(plan.recordID), "sha256": .string(sha), "size": .int(50_000),
                "file_name": .string("a.pdf"),
            ])
        let base = d.daemons["32"]!.url
        let http = d.client("32.17")
        let pushed = try await post(
            http, base + "/v1/push",
            PushRequest.encode(
                from: "32.17", wire: try [plan, claim].map { try d.signed($0).wireJSON },
                certificates: try d.certificates("32.17")))
        #expect(try JSONDecoder().decode(PushAnswer.self, from: pushed.body).accepted == 2)

        let theirs = try await http.send(
            HTTPRequest(method: "GET", url: base + "/v1/files/" + sha, headers: [Self.proto, ("Range", "bytes=0-99")]))
        let nowhere = try await http.send(
            HTTPRequest(
                method: "GET", url: base + "/v1/files/" + String(repeating: "0", count: 64), headers: [Self.proto]))
        #expect(theirs.status == 404 && nowhere.status == 404)
        #expect(theirs.body == nowhere.body, "not allowed and not here read the same")
        let head = try await http.send(HTTPRequest(method: "HEAD", url: base + "/v1/files/" + sha, headers: [Self.tus]))
        #expect(head.status == 404)
        // Announcing an upload of it does not say the parent holds it either.
        let create = try await http.send(
            HTTPRequest(
                method: "POST", url: base + "/v1/files",
                headers: [
                    Self.tus, ("Upload-Length", "50000"),
                    ("Upload-Metadata", "sha256 \(Data(sha.utf8).base64EncodedString())"),
                ],
                body: Data()))
        #expect(create.status == 201 && create.headers["upload-offset"] == "0", "\(create.status) \(create.headers)")

        // The office that uploaded it may fetch it back.
        let own = try await d.client("32.18").send(
            HTTPRequest(method: "GET", url: base + "/v1/files/" + sha, headers: [Self.proto, ("Range", "bytes=0-99")]))
        let original = try Data(contentsOf: secret)
        #expect(own.status == 206 && own.body == original.prefix(100))
        // A file the province attached to a kab/kota's plan comes down to it.
        let kab = try d.node("32.16", parent: "32")
        let fromAbove = try d.file("surat-edaran.pdf", bytes: 20_000, seed: 4)
        let kabPlan = try kab.ok(["plan", "add", "--area", "2", "--activity", "Rencana 32.16"])
        try kab.ok(["sync"])
        try d["32"].ok(["evidence", "add", "--plan", kabPlan, fromAbove.path])
        let kabSync = try kab.object("sync")
        #expect(kabSync["filesDownloaded"] as? Int == 1, "\(kabSync)")
    }

    /// Uploads are bounded: the length must be the record's, each child has a quota of unfinished
    /// uploads, they expire, and one office's unfinished upload of a file never blocks another's.
    @Test func uploadsAreBoundedPerChild() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        try d.node("32.17", parent: "32")
        let b = try d.node("32.18", parent: "32")
        let shared = try d.file("surat-bersama.pdf", bytes: 400_000, seed: 11)
        let bytes = try Data(contentsOf: shared)
        let sha = Hashing.sha256Hex(bytes)
        // 32.17's records name the file; it starts its upload, with a wrong length first.
        let plan = change(
            "32.17", 1, prev: nil, .actionPlan, owner: "32.17", ["area": .string("sdm"), "activity": .string("x")])
        let evidence = change(
            "32.17", 2, prev: plan, .evidence, owner: "32.17",
            [
                "plan": .string(plan.recordID), "sha256": .string(sha), "size": .int(400_000),
                "file_name": .string("surat.pdf"),
            ])
        let base = d.daemons["32"]!.url
        let http = d.client("32.17")
        _ = try await post(
            http, base + "/v1/push",
            PushRequest.encode(
                from: "32.17", wire: try [plan, evidence].map { try d.signed($0).wireJSON },
                certificates: try d.certificates("32.17")))
        let metadata = ("Upload-Metadata", "sha256 \(Data(sha.utf8).base64EncodedString())")
        var r = try await http.send(
            HTTPRequest(
                method: "POST", url: base + "/v1/files", headers: [Self.tus, ("Upload-Length", "999"), metadata],
                body: Data()))
        #expect(
            r.status == 400 && text(r).contains("is not the size the evidence record gives the file (400000 bytes)"),
            "\(text(r))")
        r = try await http.send(
            HTTPRequest(
                method: "POST", url: base + "/v1/files", headers: [Self.tus, ("Upload-Length", "400000"), metadata],
                body: Data()))
        #expect(r.status == 201)
        r = try await http.send(
            HTTPRequest(
                method: "PATCH", url: base + "/v1/files/" + sha,
                headers: [Self.tus, ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0")],
                body: bytes.prefix(100_000)))
        #expect(r.status == 204 && r.headers["upload-offset"] == "100000")

        // 32.18 uploads the same file whole: 32.17's unfinished upload is no obstacle.
        let bPlan = try b.ok(["plan", "add", "--area", "1", "--activity", "Surat bersama"])
        try b.ok(["evidence", "add", "--plan", bPlan, shared.path])
        let other = try b.object("sync")
        #expect(other["filesUploaded"] as? Int == 1, "\(other)")
        #expect(try d["32"].objects("evidence", "list").allSatisfy { $0["file_present"] as? Bool == true })

        // 32.17's unfinished upload, untouched for 8 days, expires at the next announcement; a
        // child's unfinished uploads may not pass its quota.
        let partial = d["32"].home.appendingPathComponent("files/partial/\(sha)-32.17.part")
        #expect(FileManager.default.fileExists(atPath: partial.path))
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-8 * 86_400)], ofItemAtPath: partial.path)
        try d["32"].config.set("serve.max_unfinished_upload_mb_per_child", 1)
        try d.restart("32")
        let big = try d.file("besar.pdf", bytes: 3 << 20, seed: 13)
        let bigPlan = try b.ok(["plan", "add", "--area", "3", "--activity", "Besar"])
        try b.ok(["evidence", "add", "--plan", bigPlan, big.path])
        let report = try b.run(["sync", "--json"]).object()
        let problems = report["fileProblems"] as? [String] ?? []
        #expect(problems.count == 1 && problems.first?.contains("besar.pdf") == true, "\(problems)")
        #expect(problems.first?.contains("quota of 1 MB") == true, "\(problems)")
        #expect(!FileManager.default.fileExists(atPath: partial.path), "the week-old unfinished upload expired")
        let retry = try b.object("sync")
        #expect(retry["filesWaiting"] as? Int == 1, "the refused file waits for its own next attempt: \(retry)")
    }

    /// A file the parent refuses (here: beyond the office's quota) is that file's problem: the
    /// round goes on to the pull, and the province's review reaches the kab/kota.
    @Test func aRefusedFileDoesNotStopTheRound() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        try d["32"].config.set("serve.max_unfinished_upload_mb_per_child", 1)
        try d.restart("32")
        let kab = try d.node("32.17", parent: "32")
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Dinilai"])
        try kab.ok(["sync"])
        try d["32"].ok(["review", "plan", plan, "--verdict", "perlu-revisi", "--note", "lengkapi"])
        let scan = try d.file("pindaian.pdf", bytes: 3 << 20, seed: 2)
        try kab.ok(["evidence", "add", "--plan", plan, scan.path])
        let round = try kab.run(["sync", "--json"])
        let report = try round.object()
        #expect((report["pulled"] as? Int ?? 0) >= 1, "\(round.stdout)")
        #expect(try kab.ok(["plan", "show", plan]).contains("perlu-revisi"))
        let problem = try #require(report["problem"] as? [String: Any])
        #expect((problem["message"] as? String)?.contains("pindaian.pdf") == true, "\(problem)")
        #expect((problem["message"] as? String)?.contains("captive portal") == false)
        let status = try kab.ok(["status"])
        #expect(status.contains("pindaian.pdf"), "\(status)")
    }

    // MARK: - Small ones

    /// Ranges that end before they start, and plain GETs of files too large for one answer, get
    /// a 4xx saying so; spreadsheet formulas are exported as text; everything zisync creates is
    /// for its user only, whatever the umask.
    @Test func theSmallOnes() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        let kab = try d.node("32.17", parent: "32")
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "=HYPERLINK(\"http://x\",\"klik\")"])
        let large = try d.file("besar.pdf", bytes: 9 << 20, seed: 5)
        let sha = try #require(try kab.object("evidence", "add", "--plan", plan, large.path)["sha256"] as? String)
        try kab.ok(["sync"])
        let http = d.client("32.17")
        let url = d.daemons["32"]!.url + "/v1/files/" + sha
        var r = try await http.send(
            HTTPRequest(method: "GET", url: url, headers: [Self.proto, ("Range", "bytes=20-10")]))
        #expect(r.status == 416)
        r = try await http.send(HTTPRequest(method: "GET", url: url, headers: [Self.proto]))
        #expect(r.status == 413 && text(r).contains("ask for it by Range"), "\(r.status) \(text(r))")

        let csv = try kab.ok(["plan", "export"])
        #expect(csv.contains("'=HYPERLINK"), "\(csv)")
        let sheet = d.dir.appendingPathComponent("rencana.csv")
        try (csv + "\n").write(to: sheet, atomically: true, encoding: .utf8)
        let imported = try kab.object("plan", "import", sheet.path)
        #expect(imported["unchanged"] as? Int == 1, "the sheet round-trips: \(imported)")

        let loose = CLI("umask", in: d.dir)
        let made = try CLI.process(
            "/bin/sh",
            [
                "-c", "umask 000; exec \"$0\" \"$@\"", CLI.binary.path, "init", "--satker", "32.18", "--home",
                loose.home.path,
            ],
            environment: CLI.environment)
        #expect(made.status == 0, "\(made.stderr)")
        let file = try d.file("foto.jpg", bytes: 1000)
        let looseShell = "umask 000; exec \"$0\" \"$@\""
        let p = try loose.ok(["plan", "add", "--area", "1", "--activity", "x"])
        _ = try CLI.process(
            "/bin/sh",
            ["-c", looseShell, CLI.binary.path, "evidence", "add", "--plan", p, file.path, "--home", loose.home.path],
            environment: CLI.environment)
        func mode(_ url: URL) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
        }
        #expect(try mode(loose.home) == 0o700)
        let socket = d["32"].home.appendingPathComponent("control.sock")
        #expect(try mode(socket) & 0o077 == 0, "the control socket is the node user's only")
        #expect(try mode(loose.home.appendingPathComponent("zisync.db")) == 0o600)
        let stored = try FileManager.default.subpathsOfDirectory(
            atPath: loose.home.appendingPathComponent("files").path
        )
        .filter { $0.count > 60 }
        #expect(!stored.isEmpty)
        for path in stored {
            #expect(try mode(loose.home.appendingPathComponent("files/" + path)) == 0o600, "\(path)")
        }
    }
}

/// A TCP connection that sends nothing (a host without a certificate, or a port scanner).
final class RawConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 { throw DaemonError(message: "connect: errno \(errno)") }
    }

    /// True when the other end closes the connection within `seconds`.
    func closedByPeer(within seconds: Int) -> Bool { closedByPeer(withinMilliseconds: seconds * 1000) }

    func closedByPeer(withinMilliseconds ms: Int) -> Bool {
        var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&poll, 1, Int32(ms)) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }

    /// One HTTP/1.1 answer (head and a body of its Content-Length) as text, nil when the connection
    /// closes or `seconds` pass first.
    func response(within seconds: Int) -> String? {
        var bytes: [UInt8] = []
        let end = Date().addingTimeInterval(TimeInterval(seconds))
        while Date() < end {
            let text = String(decoding: bytes, as: UTF8.self)
            if let split = text.range(of: "\r\n\r\n") {
                let length =
                    text[..<split.lowerBound].split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if bytes.count - text.utf8.distance(from: text.startIndex, to: split.upperBound) >= length {
                    return text
                }
            }
            var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, 1000) >= 0 else { return nil }
            guard poll.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { return nil }
            bytes += chunk.prefix(n)
        }
        return nil
    }

    /// Sends all of `bytes` (and nothing after: the connection stays open, silent).
    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw DaemonError(message: "send: errno \(errno)") }
            sent += n
        }
    }

    func close() { _ = Glibc.close(fd) }
}

extension Data {
    /// This data `count` times over.
    func repeatedBytes(_ count: Int) -> Data {
        var out = Data(capacity: self.count * count)
        for _ in 0..<count { out.append(self) }
        return out
    }
}
