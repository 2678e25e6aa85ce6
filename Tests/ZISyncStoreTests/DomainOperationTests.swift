import Foundation
import Testing
import ZISyncCore
import ZISyncStore
import ZISyncTestSupport

/// Domain operations the CLI and the web share, in-process: their own refusals, and what they
/// leave in the store.
@Suite struct DomainOperationTests {
    func refusal(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func onlyKPURIRevokesAKnownOfficesCertificateByItsHexSerial() throws {
        let ri = try TestNodes.make("00")
        let prov = try TestNodes.make("32")
        defer { TestNodes.remove(ri); TestNodes.remove(prov) }
        #expect(
            refusal {
                try CertificateRevocations(prov).revoke(satker: "32.17", serial: "ab", reason: "", actor: "t", at: 1)
            }
            .contains("published by KPU RI"))
        #expect(
            refusal {
                try CertificateRevocations(ri).revoke(satker: "99.99", serial: "ab", reason: "", actor: "t", at: 1)
            }
            .contains("unknown satker code '99.99'"))
        for bad in ["", "xyz", String(repeating: "a", count: 65)] {
            #expect(
                refusal {
                    try CertificateRevocations(ri).revoke(satker: "32.17", serial: bad, reason: "", actor: "t", at: 1)
                }
                .contains("serial number in hex"), "\(bad)")
        }
        #expect(ri.revocations.isEmpty, "nothing stored by a refusal")
        let serial = try CertificateRevocations(ri).revoke(
            satker: "32.17", serial: "0A:1B:2c", reason: "laptop hilang", actor: "admin@00", at: 1_796_000_000_000)
        #expect(serial == "0a1b2c")
        let entry = try #require(ri.revocations.entry(satker: "32.17", serial: "0a1b2c"))
        #expect(entry.at == 1_796_000_000_000 && entry.reason == "laptop hilang")
    }

    @Test func resolvingAConflictKeepsTheChosenValueEverywhere() throws {
        let kab = try TestNodes.make("32.17")
        let prov = try TestNodes.make("32")
        defer { TestNodes.remove(kab); TestNodes.remove(prov) }
        let plan = try Plans(kab).add(
            fields: [
                "area": try RecordType.actionPlan.schema.parse(field: "area", text: "1"),
                "activity": .string("SK Tim Kerja"), "target": .string("10 SK"),
            ], actor: "op@32.17")
        _ = try prov.receive(try kab.outboxChanges(), sender: "32.17", source: "test")
        // The province and the kab/kota edit the same field, each unaware of the other.
        try Plans(prov).set(plan, assignments: [("target", "12 SK")], actor: "verif@32")
        try Plans(kab).set(plan, assignments: [("target", "11 SK")], actor: "op@32.17")
        _ = try prov.receive(try kab.outboxChanges(), sender: "32.17", source: "test")
        let conflict = try #require(try Conflicts(prov).find(String(plan.prefix(8)), field: "target"))
        #expect(conflict.values.map(\.value.description).sorted() == ["11 SK", "12 SK"])
        #expect(refusal { try Conflicts(prov).resolve(conflict, choice: 2, actor: "x") }.contains("0 to 1"))
        let loser = try #require(conflict.values.firstIndex { !$0.winner })
        try Conflicts(prov).resolve(conflict, choice: loser, actor: "verif@32")
        #expect(try Conflicts(prov).open().isEmpty)
        #expect(try prov.records.get(plan)?.fields["target"]?.value == conflict.values[loser].value)
        #expect(try Conflicts(prov).find(plan, field: "target") == nil)
    }
}
