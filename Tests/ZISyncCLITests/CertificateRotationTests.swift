import Foundation
import Testing

/// Rotating a parent's certificate with `systemctl reload` (SIGHUP): the next handshakes get
/// the new one; a pair that cannot work is refused and the served one stays.
@Suite(.serialized, .timeLimit(.minutes(10))) struct CertificateRotationTests {
    @Test func aReloadRotatesTheServersCertificate() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        try kab.ok(["plan", "add", "--area", "1", "--activity", "Sebelum rotasi"])
        try kab.ok(["sync"])
        let prov = d["32"]
        let daemon = try #require(d.daemons["32"])
        // The daemon's own account of itself, to show at the end that no restart happened.
        let before = try #require(try prov.object("status")["daemon"] as? [String: Any])
        let pid = try #require(before["pid"] as? Int)
        let startedAt = try #require(before["startedAt"] as? Int)
        #expect(pid == Int(daemon.pid))

        let rotated = d.dir.appendingPathComponent("rotated").path
        try FileManager.default.createDirectory(atPath: rotated, withIntermediateDirectories: true)
        for f in ["ca.crt", "ca.key"] {
            try FileManager.default.copyItem(atPath: "\(d.pki)/\(f)", toPath: "\(rotated)/\(f)")
        }
        func install(certificate: String, key: String) throws {
            let tls = prov.home.appendingPathComponent("tls")
            for (source, name) in [(certificate, "node.crt"), (key, "node.key")] {
                try FileManager.default.removeItem(at: tls.appendingPathComponent(name))
                try FileManager.default.copyItem(atPath: source, toPath: tls.appendingPathComponent(name).path)
            }
        }
        func reload(until marker: String) -> Bool {
            let before = daemon.log.text.components(separatedBy: marker).count
            daemon.signal(SIGHUP)
            return waitUntil(60) { daemon.log.text.components(separatedBy: marker).count > before }
        }

        // A new certificate for a host name the children do not use: once reloaded, their
        // handshakes see it and refuse it.
        try CLI.tool(["pki", "issue", "--dir", rotated, "--satker", "32", "--host", "zisync.jabar.example"])
        try install(certificate: "\(rotated)/32.crt", key: "\(rotated)/32.key")
        #expect(reload(until: "reloaded "), "\(daemon.log.text)")
        try kab.ok(["plan", "add", "--area", "1", "--activity", "Saat sertifikat salah nama"])
        let refused = try kab.run(["sync", "--json"])
        #expect(refused.status == 1)
        let problem = (try refused.json() as? [String: Any])?["problem"] as? [String: Any]
        #expect(problem?["cause"] as? String == "certificate", "\(refused.stdout)")

        // A key that is not the certificate's: refused, and the certificate served stays.
        try CLI.tool(["pki", "issue", "--dir", rotated, "--satker", "32.18"])
        try install(certificate: "\(rotated)/32.crt", key: "\(rotated)/32.18.key")
        #expect(reload(until: "reload refused"), "\(daemon.log.text)")
        #expect(daemon.log.text.contains("is not the key of"))
        #expect(daemon.isRunning)

        // Another office's certificate with its satker in the file: the database is 32's, refused.
        try install(certificate: "\(rotated)/32.18.crt", key: "\(rotated)/32.18.key")
        let original = try prov.config.text
        try prov.config.set("satker", "32.18")
        #expect(reload(until: "reload refused"), "\(daemon.log.text)")
        #expect(daemon.log.text.contains("satker is 32 for this database; the file says 32.18"))
        try prov.config.write(original)

        // The right certificate: the next round goes through, without a restart.
        try CLI.tool(["pki", "issue", "--dir", rotated, "--satker", "32"])
        try install(certificate: "\(rotated)/32.crt", key: "\(rotated)/32.key")
        #expect(reload(until: "reloaded "), "\(daemon.log.text)")
        try kab.ok(["sync"])
        #expect(try prov.digest("32.17") == kab.digest("32.17"))
        let after = try #require(try prov.object("status")["daemon"] as? [String: Any])
        #expect(daemon.isRunning)
        #expect(after["pid"] as? Int == pid && after["startedAt"] as? Int == startedAt, "the same process throughout")
        #expect(after["reloadedAt"] as? Int != nil)
    }
}
