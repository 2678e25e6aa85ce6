import Foundation
import Testing

/// Real `zisync daemon` and `zisync sync` processes over mutual TLS on 127.0.0.1.
@Suite(.serialized, .timeLimit(.minutes(10))) struct SyncTreeTests {
    @Test func threeLevelTreeConverges() throws {
        let d = try Deployment()
        defer { d.cleanup() }
        try d.node("00", serves: true)
        for prov in ["32", "33"] { try d.node(prov, parent: "00", serves: true) }
        for kab in ["32.17", "32.18", "33.01"] { try d.node(kab, parent: String(kab.prefix(2))) }

        var plans: [String: String] = [:]
        let scan = d.dir.appendingPathComponent("scan.pdf")
        for kab in ["32.17", "32.18", "33.01"] {
            plans[kab] = try d[kab].ok(["plan", "add", "--area", "1", "--activity", "Tim kerja \(kab)"])
            try d[kab].ok(["plan", "add", "--area", "5", "--activity", "Gratifikasi \(kab)"])
            try Data("bukti \(kab) ".utf8 + Data(repeating: UInt8(kab.count), count: 400_000)).write(to: scan)
            try d[kab].ok(["evidence", "add", "--plan", plans[kab]!, scan.path])
        }
        let provPlan = try d["32"].ok(["plan", "add", "--area", "2", "--activity", "SOP provinsi"])

        for kab in ["32.17", "32.18", "33.01"] { try d[kab].ok(["sync"]) }
        try d["32"].ok(["review", "plan", plans["32.17"]!, "--verdict", "perlu-revisi", "--note", "Lengkapi SK"])
        for prov in ["32", "33"] { try d[prov].ok(["sync"]) }
        try d["00"].ok(["review", "plan", provPlan, "--verdict", "disetujui"])
        for prov in ["32", "33"] { try d[prov].ok(["sync"]) }
        for kab in ["32.17", "32.18", "33.01"] { try d[kab].ok(["sync"]) }

        // Every subtree's digest is equal on every node that holds it.
        for kab in ["32.17", "32.18", "33.01"] {
            let prov = String(kab.prefix(2))
            let here = try d[kab].digest(kab)
            #expect(try d[prov].digest(kab) == here, "\(kab) at its province")
            #expect(try d["00"].digest(kab) == here, "\(kab) at RI")
        }
        for prov in ["32", "33"] { #expect(try d[prov].digest(prov) == d["00"].digest(prov)) }
        // RI holds every record: the 752 of the reference data, and the 12 this test wrote (per
        // kab/kota two plans and one evidence, the province's plan, two reviews).
        let national = try d["00"].digest("00")
        #expect(national.hasSuffix(" 00 (764 records)"), "\(national)")
        // The province's review reached the kab/kota; nothing outside a node's scope did.
        let shown = try d["32.17"].object("plan", "show", plans["32.17"]!)
        #expect((shown["review"] as? [String: Any])?["verdict"] as? String == "perlu-revisi")
        #expect(try d["32.17"].digest("32.18").hasSuffix("(0 records)"))
        #expect(try d["33"].digest("32").hasSuffix("(0 records)"))
        #expect(try d["32.18"].digest("32").contains("(2 records)") == false)
        // Evidence files travelled up to RI, checked by hash.
        let atRI = try d["00"].objects("evidence", "list")
        #expect(atRI.count == 3 && atRI.allSatisfy { $0["file_present"] as? Bool == true })
        let status = try d["32.17"].object("status")
        #expect(status["pendingChanges"] as? Int == 0 && status["pendingFiles"] as? Int == 0)
        #expect(status["problem"] == nil)
        let provStatus = try d["32"].object("status")
        let children = try #require(provStatus["children"] as? [[String: Any]])
        #expect(children.first { $0["satker"] as? String == "32.17" }?["lastSeen"] != nil)
        for node in ["00", "32", "33", "32.17"] { #expect(try d[node].ok(["verify"]).hasPrefix("ok")) }
    }

    @Test func concurrentEditsPickTheSameWinnerEverywhere() throws {
        let d = try Deployment.threeOffices()
        defer { d.cleanup() }
        let plan = try d["32.17"].ok([
            "plan", "add", "--area", "3", "--activity", "Analisis jabatan", "--target", "5 dokumen",
        ])
        try d["32.17"].ok(["sync"])
        // The province corrects the target; the kab/kota, offline, edits the same field later.
        try d["32"].ok(["plan", "set", plan, "target=6 dokumen", "--actor", "prov-verifikator"])
        usleep(10_000)
        try d["32.17"].ok(["plan", "set", plan, "target=7 dokumen", "--actor", "kab-operator"])
        try d["32.17"].ok(["sync"])
        try d["32"].ok(["sync"])
        try d["32.17"].ok(["sync"])
        for node in ["32.17", "32"] {
            let shown = try d[node].object("plan", "show", plan)
            #expect(shown["target"] as? String == "7 dokumen", "last writer by HLC wins on \(node)")
            let conflicts = try d[node].objects("conflicts")
            #expect(conflicts.count == 1 && conflicts[0]["field"] as? String == "target", "\(node)")
            let history = try d[node].objects("history", plan).filter {
                $0["field"] as? String == "target"
            }
            #expect(
                Set(history.compactMap { $0["actor"] as? String }) == ["tester", "prov-verifikator", "kab-operator"])
            #expect(Set(history.compactMap { $0["value"] as? String }) == ["5 dokumen", "6 dokumen", "7 dokumen"])
        }
        #expect(try d["32"].digest("32.17") == d["32.17"].digest("32.17"))
        #expect(try d["00"].digest("32.17") == d["32.17"].digest("32.17"))
    }
}
