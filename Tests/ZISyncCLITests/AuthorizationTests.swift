import Foundation
import Testing
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol
import ZISyncStore
import ZISyncTestSupport
import ZISyncTransport

/// The parent's door and per-change checks, driven over real mutual TLS.
@Suite(.serialized, .timeLimit(.minutes(10))) struct AuthorizationTests {
    func push(_ client: CurlHTTPClient, to url: String, from: String, _ changes: [Change]) async throws -> HTTPResponse
    {
        try await client.send(
            HTTPRequest(
                method: "POST", url: url + Route.push,
                headers: [(SyncProtocol.header, SyncProtocol.version), ("Content-Type", "application/json")],
                body: PushRequest.encode(from: from, wire: changes.map(\.wireJSON))))
    }

    @Test func forgedAndForeignChangesAreRefusedAndTheRestApplied() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        try d.node("32.18", parent: "32")
        let theirs = try d["32.18"].ok(["plan", "add", "--area", "1", "--activity", "Milik 32.18"])
        try d["32.18"].ok(["sync"])
        try d["32.17"].ok(["plan", "add", "--area", "1", "--activity", "Milik 32.17"])
        try d["32.17"].ok(["sync"])

        // 32.17 continues its own chain with: an edit of 32.18's plan, a change claiming to be
        // from 32.18, and then a legitimate change.
        let kab = try Store.open(home: Home(path: d["32.17"].home.path))
        let tip = try #require(try kab.outboxChanges(all: true).last)
        let foreignEdit = Change(
            origin: "32.17", seq: tip.seq + 1, hlc: HLC(rawValue: tip.hlc.rawValue + 1), recordType: "action_plan",
            recordID: theirs, owner: "32.18", fields: ["activity": .string("diubah 32.17")], base: [:], actor: "x",
            prev: tip.hash)
        let forgedOrigin = Change(
            origin: "32.18", seq: 99, hlc: HLC(rawValue: tip.hlc.rawValue + 2), recordType: "action_plan",
            recordID: Validation.newRecordID(), owner: "32.18", fields: ["activity": .string("palsu")], base: [:],
            actor: "x", prev: nil)
        let legit = Change(
            origin: "32.17", seq: tip.seq + 2, hlc: HLC(rawValue: tip.hlc.rawValue + 3), recordType: "action_plan",
            recordID: Validation.newRecordID(), owner: "32.17",
            fields: ["activity": .string("sah"), "area": .string("sdm")], base: [:], actor: "x", prev: foreignEdit.hash)
        let r = try await push(
            d.client("32.17"), to: d.daemons["32"]!.url, from: "32.17",
            [try d.signed(foreignEdit), try d.signed(forgedOrigin, by: "32.17"), try d.signed(legit)])
        #expect(r.status == 200)
        let answer = try JSONDecoder().decode(PushAnswer.self, from: r.body)
        #expect(answer.accepted == 1)
        #expect(answer.refused.count == 2)
        #expect(answer.refused.contains { $0.change == "32.17:\(tip.seq + 1)" && $0.reason.contains("owned by 32.18") })
        #expect(answer.refused.contains { $0.change == "32.18:99" && $0.reason.contains("outside the subtree") })
        #expect(answer.tips["32.17"] == tip.seq + 2, "the refused change does not block the one after it")
        let shown = try d["32"].object("plan", "show", theirs)
        #expect(shown["activity"] as? String == "Milik 32.18")
        let status = try d["32"].object("status")
        #expect(status["refusedHere"] as? Int == 2)
    }

    @Test func theDoorRefusesForeignCAsAndNonChildren() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        try d.node("33", parent: "00")
        try d["32.17"].ok(["plan", "add", "--area", "1", "--activity", "x"])

        // A satker from the same CA that is not a child of 32.
        let notChild = try await push(d.client("33"), to: d.daemons["32"]!.url, from: "33", [])
        #expect(notChild.status == 403)
        #expect(String(decoding: notChild.body, as: UTF8.self).contains("33 is not a child of 32"))

        // A file no evidence record of the child's subtree names cannot be uploaded.
        let unnamed = try await d.client("32.17").send(
            HTTPRequest(
                method: "POST", url: d.daemons["32"]!.url + Route.files,
                headers: [
                    ("Tus-Resumable", "1.0.0"), ("Upload-Length", "10"),
                    (
                        "Upload-Metadata",
                        "sha256 \(Data(String(repeating: "ab", count: 32).utf8).base64EncodedString())"
                    ),
                ], body: Data()))
        #expect(unnamed.status == 403)

        // No client certificate at all: the TLS handshake fails.
        let anonymous = CurlHTTPClient(
            configuration: HTTPClientConfiguration(caFile: d.pki + "/ca.crt", certificateFile: "", keyFile: ""))
        do {
            _ = try await push(anonymous, to: d.daemons["32"]!.url, from: "32.17", [])
            Issue.record("a push without a client certificate was answered")
        } catch let error as TransportError {
            #expect(error.curlCode == 56 || error.curlCode == 35, "refused in the TLS handshake: \(error)")
        }

        // A certificate for 32.17 from another CA: the TLS handshake fails.
        let foreign = d.dir.appendingPathComponent("foreign-pki").path
        try CLI.tool(["pki", "init-ca", "--dir", foreign])
        try CLI.tool(["pki", "issue", "--dir", foreign, "--satker", "32.17"])
        await #expect(throws: TransportError.self) {
            _ = try await push(d.client("32.17", pki: foreign), to: d.daemons["32"]!.url, from: "32.17", [])
        }
        let tls = d["32.17"].home.appendingPathComponent("tls")
        try FileManager.default.removeItem(at: tls.appendingPathComponent("node.crt"))
        try FileManager.default.removeItem(at: tls.appendingPathComponent("node.key"))
        try FileManager.default.copyItem(
            atPath: foreign + "/32.17.crt", toPath: tls.appendingPathComponent("node.crt").path)
        try FileManager.default.copyItem(
            atPath: foreign + "/32.17.key", toPath: tls.appendingPathComponent("node.key").path)
        // The office's own commands catch it before any connection, naming the file and the key.
        let sync = try d["32.17"].run(["sync"])
        #expect(sync.status == 1)
        #expect(
            sync.stderr.contains("tls.certificate") && sync.stderr.contains("not signed by the deployment CA"),
            "\(sync.stderr)")
        let daemon = try d["32.17"].run(["daemon"])
        #expect(daemon.status != 0 && daemon.stderr.contains("not signed by the deployment CA"), "\(daemon.stderr)")
        #expect(try d["32"].digest("32.17").hasSuffix("(0 records)"))
    }

    /// Ids a record type derives (`jawaban:`, `predikat:`, `lke:`) are that type's alone: plans
    /// pushed under them would hold those ids at the province and KPU RI for good, and RI could
    /// no longer answer 32.17's LKE at layer tpi nor grant 33.01 a predikat.
    @Test func derivedIDsBelongToTheirTypeAlone() async throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        try d["32.17"].ok(["plan", "add", "--area", "1", "--activity", "Milik 32.17"])
        try d["32.17"].ok(["sync"])
        let kab = try Store.open(home: Home(path: d["32.17"].home.path))
        let tip = try #require(try kab.outboxChanges(all: true).last)
        var prev = tip.hash
        var changes: [Change] = []
        let ids = ["jawaban:32.17:2026:tpi:A.I.1.i.a", "predikat:33.01:2026", "lke:A.I.1.i.z", "satker:32.17"]
        for (i, id) in ids.enumerated() {
            let change = Change(
                origin: "32.17", seq: tip.seq + Int64(i + 1), hlc: HLC(rawValue: tip.hlc.rawValue + Int64(i + 1)),
                recordType: "action_plan", recordID: id, owner: "32.17",
                fields: ["activity": .string("menyamar"), "area": .string("sdm")], base: [:], actor: "x", prev: prev)
            prev = change.hash
            changes.append(try d.signed(change))
        }
        let answer = try await d.push(as: "32.17", to: "32", changes, certificates: d.certificates("32.17"))
        #expect(answer.accepted == 0)
        #expect(answer.refused.count == ids.count, "\(answer.refused)")
        #expect(
            answer.refused.allSatisfy { $0.reason.contains("the id of a record of type action_plan must be a UUID") },
            "\(answer.refused)")
        // The ids stay free for what derives them: KPU RI grants 33.01 its predikat.
        try d["00"].ok(["lke", "predikat", "--satker", "33.01", "--year", "2026", "wbk"])
        // And the office's own commands cannot make such a plan either: a web or CLI id is a UUID.
        #expect(try d["32"].digest("32.17").hasSuffix("(1 records)"), "only the genuine plan reached 32")
    }
}
