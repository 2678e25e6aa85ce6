import Foundation
import Testing
import ZISyncCore
import ZISyncProtocol
import ZISyncTransport

extension HostilePeerTests {
    /// An unfinished upload is dropped by the daemon once it is older than the 168 h expiry by the
    /// daemon's own clock (moved 8 days with faketime; file times left as the disk has them), when
    /// the next upload is admitted; a younger one is kept.
    @Test func anUnfinishedUploadExpiresInTheDaemon() async throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("32", serves: true)
        try d.node("32.17", parent: "32")
        let http = d.client("32.17")
        let files = (1...3).map { Data(repeating: UInt8($0), count: 200_000) }
        let shas = files.map { Hashing.sha256Hex($0) }
        let plan = change(
            "32.17", 1, prev: nil, .actionPlan, owner: "32.17", ["area": .string("sdm"), "activity": .string("x")])
        var chain = [plan]
        for (i, sha) in shas.enumerated() {
            chain.append(
                change(
                    "32.17", Int64(i + 2), prev: chain.last, .evidence, owner: "32.17",
                    [
                        "plan": .string(plan.recordID), "sha256": .string(sha), "size": .int(200_000),
                        "file_name": .string("bukti-\(i).pdf"),
                    ]))
        }
        let pushed = try await post(
            http, d.daemons["32"]!.url + "/v1/push",
            PushRequest.encode(
                from: "32.17", wire: try chain.map { try d.signed($0).wireJSON },
                certificates: try d.certificates("32.17")))
        #expect(pushed.status == 200, "\(text(pushed))")
        func begin(_ i: Int, half: Bool) async throws -> Int {
            let base = d.daemons["32"]!.url
            let metadata = ("Upload-Metadata", "sha256 \(Data(shas[i].utf8).base64EncodedString())")
            let created = try await http.send(
                HTTPRequest(
                    method: "POST", url: base + "/v1/files",
                    headers: [Self.tus, ("Upload-Length", "200000"), metadata], body: Data()))
            guard half, created.status == 201 else { return created.status }
            return try await http.send(
                HTTPRequest(
                    method: "PATCH", url: base + "/v1/files/" + shas[i],
                    headers: [Self.tus, ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0")],
                    body: files[i].prefix(100_000))
            ).status
        }
        func held(_ i: Int) async throws -> Int {
            let r = try await http.send(
                HTTPRequest(method: "HEAD", url: d.daemons["32"]!.url + "/v1/files/" + shas[i], headers: [Self.tus]))
            return r.status == 200 ? Int(r.headers["upload-offset"] ?? "") ?? -1 : -r.status
        }
        #expect(try await begin(0, half: true) == 204)
        // A new upload now: the first is young, and kept.
        #expect(try await begin(1, half: true) == 204)
        #expect(try await held(0) == 100_000)
        // Eight days on by the province's clock: the next admission drops both.
        try d.restart("32", prefix: ["NO_FAKE_STAT=1"] + FakeClock.ahead("+8d"))
        #expect(try await begin(2, half: false) == 201)
        #expect(try await held(0) == -404, "older than 168 h: dropped")
        #expect(try await held(1) == -404)
        #expect(try await held(2) == 0, "the new one is there")
    }
}
