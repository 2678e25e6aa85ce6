import Crypto
import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol
import ZISyncTransport

/// The parent's endpoints answer malformed and out-of-order requests as docs/protocol.md says,
/// over real mutual TLS with a child's certificate, and a child re-fetches a lost file by Range.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ParentProtocolTests {
    @Test func aLostFileComesBackByRangeDownloads() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Berkas hilang"])
        let original = try d.file("laporan.pdf", bytes: 5_000_000, seed: 13)
        let added = try kab.object("evidence", "add", "--plan", plan, original.path)
        let sha = try #require(added["sha256"] as? String)
        try kab.ok(["sync"])
        // The office's copy is lost (a disk replaced, a folder deleted): the record still names it.
        try FileManager.default.removeItem(at: kab.home.appendingPathComponent("files/\(sha.prefix(2))/\(sha)"))
        #expect(try kab.object("status")["missingFiles"] as? Int == 1)
        let report = try kab.object("sync")
        #expect(report["filesDownloaded"] as? Int == 1 && report["bytesDownloaded"] as? Int == 5_000_000)
        let back = d.dir.appendingPathComponent("back.pdf")
        try kab.ok(["evidence", "get", try #require(added["id"] as? String), "--out", back.path])
        #expect(try Data(contentsOf: back) == Data(contentsOf: original))
    }

    @Test func malformedRequestsGetTheirDocumentedAnswers() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let other = try d.node("32.18", parent: "32")
        let base = d.daemons["32"]!.url
        let http = d.client("32.17")
        let proto = (SyncProtocol.header, SyncProtocol.version)
        let tus = ("Tus-Resumable", "1.0.0")

        // Push and report bodies that are not what they claim.
        var r = try await http.send(
            HTTPRequest(method: "POST", url: base + "/v1/push", headers: [proto], body: Data("{".utf8)))
        #expect(r.status == 400)
        r = try await http.send(
            HTTPRequest(
                method: "POST", url: base + "/v1/push", headers: [proto],
                body: PushRequest.encode(from: "32.18", wire: [])))
        #expect(r.status == 403 && String(decoding: r.body, as: UTF8.self).contains("certificate is 32.17"))
        r = try await http.send(
            HTTPRequest(method: "POST", url: base + "/v1/report", headers: [proto], body: Data("[]".utf8)))
        #expect(r.status == 400)
        // Pull cursors and limits at and beyond the ends of the integers: a page, never a crash.
        for query in [
            "after=9223372036854775807&limit=9223372036854775807", "after=-5&limit=-1",
            "after=99999999999999999999&limit=0", "after=x&limit=y",
        ] {
            r = try await http.send(HTTPRequest(method: "GET", url: base + "/v1/pull?" + query, headers: [proto]))
            #expect(r.status == 200, "\(query)")
            let page = try PullPage.decode(r.body)
            #expect(page.changes.count <= SyncProtocol.maxPullChanges, "\(query)")
        }

        // A file whose record reached the parent without it (tus creation, HEAD, PATCH rules).
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Unggah manual"])
        let content = try d.file("notulen.pdf", bytes: 300_000, seed: 5)
        let sha = try #require(try kab.object("evidence", "add", "--plan", plan, content.path)["sha256"] as? String)
        try FileManager.default.removeItem(at: kab.home.appendingPathComponent("files/\(sha.prefix(2))/\(sha)"))
        try kab.ok(["sync"])
        let bytes = try Data(contentsOf: content)

        r = try await http.send(HTTPRequest(method: "OPTIONS", url: base + "/v1/files"))
        #expect(r.status == 204 && r.headers["tus-version"] == "1.0.0")
        #expect(
            r.headers["tus-extension"] == "creation,checksum" && r.headers["tus-checksum-algorithm"] == "sha256,sha1")
        r = try await http.send(
            HTTPRequest(
                method: "POST", url: base + "/v1/files",
                headers: [
                    tus, ("Upload-Length", "300000"),
                    ("Upload-Metadata", "sha256 \(Data(sha.utf8).base64EncodedString())"),
                ],
                body: Data()))
        #expect(r.status == 201 && r.headers["location"] == "/v1/files/\(sha)")
        let url = base + "/v1/files/" + sha
        r = try await http.send(HTTPRequest(method: "HEAD", url: url, headers: [tus]))
        #expect(r.status == 200 && r.headers["upload-offset"] == "0" && r.headers["upload-length"] == "300000")

        func patch(_ headers: [(String, String)], _ body: Data) async throws -> HTTPResponse {
            try await http.send(HTTPRequest(method: "PATCH", url: url, headers: headers, body: body))
        }
        let octets = ("Content-Type", "application/offset+octet-stream")
        let chunk = bytes.prefix(100_000)
        #expect(try await patch([octets, ("Upload-Offset", "0")], chunk).status == 412, "Tus-Resumable required")
        #expect(try await patch([tus, ("Content-Type", "text/plain"), ("Upload-Offset", "0")], chunk).status == 415)
        #expect(try await patch([tus, octets, ("Upload-Offset", "5")], chunk).status == 409)
        #expect(
            try await patch([tus, octets, ("Upload-Offset", "0"), ("Upload-Checksum", "md5 AAAA")], chunk).status == 400
        )
        let wrong = Data(Insecure.SHA1.hash(data: Data("other".utf8))).base64EncodedString()
        #expect(
            try await patch([tus, octets, ("Upload-Offset", "0"), ("Upload-Checksum", "sha1 \(wrong)")], chunk).status
                == 460)
        r = try await http.send(HTTPRequest(method: "HEAD", url: url, headers: [tus]))
        #expect(r.headers["upload-offset"] == "0", "a chunk with a bad checksum is dropped")
        let right = Data(Insecure.SHA1.hash(data: chunk)).base64EncodedString()
        r = try await patch([tus, octets, ("Upload-Offset", "0"), ("Upload-Checksum", "sha1 \(right)")], chunk)
        #expect(r.status == 204 && r.headers["upload-offset"] == "100000")
        // The same file announced with another length, and a body longer than the length: refused
        // with a reason (not a server error), and the upload goes on from what was kept.
        r = try await http.send(
            HTTPRequest(
                method: "POST", url: base + "/v1/files",
                headers: [
                    tus, ("Upload-Length", "999"),
                    ("Upload-Metadata", "sha256 \(Data(sha.utf8).base64EncodedString())"),
                ],
                body: Data()))
        #expect(r.status == 400 && String(decoding: r.body, as: UTF8.self).contains("(300000 bytes)"))
        r = try await patch(
            [tus, octets, ("Upload-Offset", "100000")], bytes.suffix(from: 100_000) + Data(count: 50_000))
        #expect(r.status == 400 && String(decoding: r.body, as: UTF8.self).contains("exceed the announced length"))
        r = try await http.send(HTTPRequest(method: "HEAD", url: url, headers: [tus]))
        let kept = try #require(Int(r.headers["upload-offset"] ?? ""))
        #expect((100_000..<300_000).contains(kept), "what fitted was kept: \(kept)")
        r = try await patch([tus, octets, ("Upload-Offset", String(kept))], bytes.suffix(from: kept))
        #expect(r.status == 204 && r.headers["upload-offset"] == "300000")
        #expect(try d["32"].objects("evidence", "list")[0]["file_present"] as? Bool == true)

        // Downloads: ranges, unknown files, and files outside the child's subtree.
        r = try await http.send(HTTPRequest(method: "GET", url: url, headers: [proto, ("Range", "bytes=1000-1999")]))
        #expect(
            r.status == 206 && r.body == bytes[1000..<2000] && r.headers["content-range"] == "bytes 1000-1999/300000")
        r = try await http.send(HTTPRequest(method: "GET", url: url, headers: [proto, ("Range", "bytes=x-")]))
        #expect(r.status == 416)
        r = try await http.send(
            HTTPRequest(method: "GET", url: base + "/v1/files/" + String(repeating: "0", count: 64)))
        #expect(r.status == 404)
        let theirPlan = try other.ok(["plan", "add", "--area", "1", "--activity", "Milik 32.18"])
        let theirs = try d.file("milik-3218.pdf", bytes: 10_000, seed: 3)
        let theirSha =
            try #require(try other.object("evidence", "add", "--plan", theirPlan, theirs.path)["sha256"] as? String)
        try other.ok(["sync"])
        r = try await http.send(HTTPRequest(method: "GET", url: base + "/v1/files/" + theirSha))
        #expect(r.status == 404, "another office's file is not in 32.17's scope, and it is not told it is here")
        r = try await http.send(HTTPRequest(method: "HEAD", url: base + "/v1/files/" + theirSha, headers: [tus]))
        #expect(r.status == 404)
    }
}
