import Foundation
import GRDB
import Testing
import ZISyncCore
import ZISyncNode
import ZISyncStore

/// The operator's status on a province: children worst first, each problem with its cause
/// and what to do, on a real tree of daemons.
@Suite(.serialized, .timeLimit(.minutes(10))) struct OperatorStatusTests {
    @Test func aFailingChildComesFirstWithItsCause() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let good = d["32.17"]
        let bad = try d.node("32.18", parent: "32")
        try good.ok(["plan", "add", "--area", "1", "--activity", "Baik"])
        try bad.ok(["plan", "add", "--area", "1", "--activity", "Asli"])
        try good.ok(["sync"])
        try bad.ok(["sync"])

        // A change edited behind zisync's back (a damaged disk, a hand-made fix): its hash no
        // longer matches, so the province refuses it.
        let plan = try bad.ok(["plan", "add", "--area", "2", "--activity", "Asli juga"])
        let db = try DatabaseQueue(path: bad.home.appendingPathComponent("zisync.db").path)
        try db.write {
            try $0.execute(
                sql: "UPDATE change_log SET fields = replace(fields, 'Asli juga', 'Palsu') WHERE record_id = ?",
                arguments: [plan])
        }
        try db.close()
        let refused = try bad.run(["sync"])
        #expect(refused.status == 4, "refusals exit 4: \(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("what to do"))
        try good.ok(["sync"])

        let own = try bad.object("status")
        let ownProblem = own["problem"] as? [String: Any]
        #expect(ownProblem?["cause"] as? String == "refused")
        #expect((ownProblem?["advice"] as? String)?.contains("zisync verify") == true)

        let status = try d["32"].object("status")
        let children = try #require(status["children"] as? [[String: Any]])
        #expect(children.count == 27, "every kab/kota of Jawa Barat is listed")
        #expect(children[0]["satker"] as? String == "32.18", "the failing child first: \(children.prefix(2))")
        #expect(children[0]["state"] as? String == "failing")
        let problem = children[0]["problem"] as? [String: Any]
        #expect(problem?["cause"] as? String == "refused")
        #expect((problem?["message"] as? String)?.contains(plan) == true, "names the record: \(problem ?? [:])")
        #expect((problem?["advice"] as? String)?.isEmpty == false)
        #expect(children[0]["pendingChanges"] as? Int == 1, "the child reported its pending change")
        #expect(children[1]["satker"] as? String == "32.17" && children[1]["state"] as? String == "ok")
        #expect(children[1]["problem"] == nil && children[1]["pendingChanges"] as? Int == 0)
        #expect(children.dropFirst(2).allSatisfy { $0["state"] as? String == "never_seen" })
        #expect((status["daemon"] as? [String: Any])?["pid"] as? Int == Int(d.daemons["32"]!.pid))

        let text = try d["32"].ok(["status"])
        let rows = text.split(separator: "\n")
        let failingRow = rows.firstIndex { $0.hasPrefix("32.18") }
        let okRow = rows.firstIndex { $0.hasPrefix("32.17") }
        #expect(failingRow != nil && okRow != nil && failingRow! < okRow!, "\(text)")
        #expect(text.contains("what to do:") && text.contains("never seen (25)"))

        // KPU RI sees the kab/kota through the province's report of its own children.
        try d["32"].ok(["sync"])
        let national = try d["00"].object("status")
        let jabar = try #require(national["children"] as? [[String: Any]]).first { $0["satker"] as? String == "32" }
        let below = try #require(jabar?["below"] as? [String: Any], "\(jabar ?? [:])")
        let attention = below["attention"] as? [[String: Any]] ?? []
        #expect(attention.count == 1 && attention.first?["satker"] as? String == "32.18")
        #expect(attention.first?["state"] as? String == "failing")
        #expect((attention.first?["problem"] as? [String: Any])?["cause"] as? String == "refused")
        #expect(below["ok"] as? Int == 1 && below["neverSeen"] as? Int == 25)
        let nationalText = try d["00"].ok(["status"])
        #expect(nationalText.contains("1 failing, 0 late, 1 ok"), "\(nationalText)")
        #expect(nationalText.contains("below 32 KPU Provinsi Jawa Barat") && nationalText.contains("  32.18 failing"))

        // Two hours on, with no news from 32.17, it is late and says so; 32.18 still comes first.
        let store = try Store.open(home: Home(path: d["32"].home.path))
        let later = try NodeStatus.read(store: store, config: nil, now: HybridClock.systemMilliseconds() + 7_200_000)
        #expect(later.children.map(\.satker).prefix(2) == ["32.18", "32.17"])
        #expect(later.children[1].state == .late && later.children[1].problem?.cause == .notSeen)
    }

    @Test func anUnreachableParentIsExplainedInOperatorWords() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let kab = d["32.17"]
        d.daemons["32"]!.stop()
        let failed = try kab.run(["sync", "--json"])
        #expect(failed.status == 1)
        let problem = (try failed.json() as? [String: Any])?["problem"] as? [String: Any]
        #expect(problem?["cause"] as? String == "unreachable")
        #expect((problem?["message"] as? String)?.contains("curl error 7") == true)
        #expect((problem?["advice"] as? String)?.contains("daemon") == true)
        let text = try kab.ok(["status"])
        #expect(text.contains("problem:") && text.contains("what to do:"), "\(text)")
        #expect(text.contains("daemon:    not running"))
        #expect(text.contains("certificate: valid until") && text.contains("(825 days)"), "\(text)")
    }

    @Test func aCertificateNearItsEndIsFlagged() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("00", serves: true)
        let prov = try d.node("32", parent: "00")
        try CLI.tool(["pki", "issue", "--dir", d.pki, "--satker", "32", "--days", "10"])
        let tls = prov.home.appendingPathComponent("tls")
        for (source, name) in [("32.crt", "node.crt"), ("32.key", "node.key")] {
            try FileManager.default.removeItem(at: tls.appendingPathComponent(name))
            try FileManager.default.copyItem(
                atPath: "\(d.pki)/\(source)", toPath: tls.appendingPathComponent(name).path)
        }
        let text = try prov.ok(["status"])
        #expect(text.contains("certificate: expires in 10 days") && text.contains("rotate it now"), "\(text)")
        let json = try prov.object("status")
        let until = try #require(json["certificateValidUntil"] as? Int)
        let days = Double(until - Int(HybridClock.systemMilliseconds())) / 86_400_000
        // Certificate times have whole seconds: the end may round a second past issue time + 10 days.
        #expect(days > 9.9 && days <= 10 + 2.0 / 86_400, "\(days)")
    }
}
