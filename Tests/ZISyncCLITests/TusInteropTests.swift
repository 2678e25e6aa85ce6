import Foundation
import Testing

/// An independent tus 1.0.0 client (tuspy, from PyPI; test tooling only) uploads evidence to a
/// parent with a node certificate, through the same endpoints zisync's own client uses.
@Suite(.serialized, .timeLimit(.minutes(10))) struct TusInteropTests {
    static let script = """
        import os, sys
        from tusclient import client
        url, cert, key, path, sha = sys.argv[1:]
        c = client.TusClient(url, client_cert=(cert, key))
        u = c.uploader(path, chunk_size=256 * 1024, metadata={"sha256": sha, "filename": os.path.basename(path)},
                       upload_checksum=True)
        u.upload()
        print(u.offset)
        """

    @Test func tuspyUploadsEvidenceToAParent() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        let plan = try kab.ok(["plan", "add", "--area", "1", "--activity", "Unggah dengan tus"])
        let file = try d.file("notulen.pdf", bytes: 1_300_000)
        let added = try kab.object("evidence", "add", "--plan", plan, file.path)
        let sha = try #require(added["sha256"] as? String)
        // The record travels by zisync; the file's stored copy is removed so zisync sends no file.
        try FileManager.default.removeItem(
            at: kab.home.appendingPathComponent("files/\(sha.prefix(2))/\(sha)"))
        try kab.ok(["sync"])
        let before = try d["32"].objects("evidence", "list")
        #expect(before.count == 1 && before[0]["file_present"] as? Bool == false, "a record without its file is a gap")

        let scriptURL = d.dir.appendingPathComponent("tus_upload.py")
        try Self.script.write(to: scriptURL, atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["REQUESTS_CA_BUNDLE"] = d.pki + "/ca.crt"
        let tuspy = try CLI.process(
            "python3",
            [
                scriptURL.path, d.daemons["32"]!.url + "/v1/files", d.pki + "/32.17.crt", d.pki + "/32.17.key",
                file.path, sha,
            ], environment: env)
        #expect(tuspy.status == 0, "tuspy failed (pip install tuspy): \(tuspy.stderr)")
        #expect(tuspy.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1300000")
        let after = try d["32"].objects("evidence", "list")
        #expect(after[0]["file_present"] as? Bool == true)
        let out2 = d.dir.appendingPathComponent("back.pdf")
        try d["32"].ok(["evidence", "get", try #require(added["id"] as? String), "--out", out2.path])
        #expect(try Data(contentsOf: out2) == Data(contentsOf: file))
    }
}
