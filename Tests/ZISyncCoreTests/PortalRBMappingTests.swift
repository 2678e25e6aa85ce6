import Foundation
import Testing
import ZISyncCore

/// The shipped mapping from PortalRB's soal ids to catalogue codes (issue 23), checked against a
/// copy of PortalRB's own master for 2026: every soal maps to one code, answered with the same
/// type, and together they cover every answerable row of the catalogue but the two LHKPN/LHKASN
/// totals PortalRB takes as their breakdown.
@Suite struct PortalRBMappingTests {
    struct MasterSoal {
        let id: Int
        let type: String
        let excelRow: Int
        let text: String
    }

    static func master() throws -> [MasterSoal] {
        let url = try #require(Bundle.module.url(forResource: "portalrb-master-soal-2026", withExtension: "json"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        #expect(root["tahun"] as? Int == 2026 && root["total_soal"] as? Int == 127)
        var out: [MasterSoal] = []
        func walk(_ node: [String: Any]) {
            for s in node["soals"] as? [[String: Any]] ?? [] {
                out.append(
                    MasterSoal(
                        id: s["id"] as? Int ?? -1, type: s["jenis_jawaban"] as? String ?? "",
                        excelRow: s["excel_baris"] as? Int ?? -1, text: s["teks_pertanyaan"] as? String ?? ""))
            }
            for c in node["children"] as? [[String: Any]] ?? [] { walk(c) }
        }
        for n in root["data"] as? [[String: Any]] ?? [] { walk(n) }
        return out
    }

    @Test func everySoalMapsToOneCodeOfTheSameAnswerType() throws {
        let master = try Self.master()
        let shipped = try #require(try PortalRBSoal.master(year: 2026))
        #expect(master.count == 127 && shipped.count == 127)
        #expect(Set(shipped.map(\.id)).count == 127 && Set(shipped.map(\.code)).count == 127, "one code per soal")
        let types: [String: LKEAnswerType] = [
            "YA_TIDAK": .yaTidak, "ABC": .abc, "ABCD": .abcd, "ABCDE": .abcde, "Jumlah": .jumlah, "jumlah": .jumlah,
            "0-4": .nilai04,
        ]
        let byID = Dictionary(uniqueKeysWithValues: shipped.map { ($0.id, $0) })
        let catalogue = try ReferenceSeed.load().catalogue
        let byCode = Dictionary(uniqueKeysWithValues: catalogue.map { ($0.code, $0) })
        for soal in master {
            let mapped = try #require(byID[soal.id], "soal \(soal.id) is not mapped")
            #expect(types[soal.type] == mapped.answerType, "soal \(soal.id): \(soal.type) vs \(mapped.code)")
            #expect(mapped.excelRow == soal.excelRow, "soal \(soal.id)")
            let item = try #require(byCode[mapped.code], "\(mapped.code) is not in the catalogue")
            #expect(item.answerType == mapped.answerType.rawValue, "\(mapped.code)")
        }
        // Every answerable row of the catalogue has its soal, but the two totals sent as breakdown.
        let answerable = catalogue.filter {
            ["pertanyaan", "jumlah", "hasil"].contains($0.level) && !$0.answerType.isEmpty && $0.answerType != "persen"
        }.map(\.code)
        #expect(
            Set(answerable).subtracting(shipped.map(\.code)) == ["A.II.5.iii.i.a.J1", "A.II.5.iii.ii.a.J1"],
            "\(Set(answerable).subtracting(shipped.map(\.code)))")
        #expect(try PortalRBSoal.master(year: 2019) == nil)
    }
}
