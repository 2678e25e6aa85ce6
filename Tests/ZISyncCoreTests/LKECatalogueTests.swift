import Testing

@testable import ZISyncCore

@Suite struct LKECatalogueTests {
    let items = try! LKECatalogue.load()

    func weight(_ code: String) -> Int { items.first { $0.code == code }!.weightHundredths! }

    func childrenSum(_ code: String) -> Int {
        items.filter { $0.parent == code && $0.weightHundredths != nil }.map(\.weightHundredths!).reduce(0, +)
    }

    @Test func hasAllNodesWithCriteriaTexts() {
        #expect(items.count == 199)
        #expect(items.filter { $0.level == "pertanyaan" }.count == 110)
        #expect(items.first { $0.code == "A.I.1.i.b" }!.penjelasan.hasPrefix("a. Jika dengan prosedur"))
    }

    @Test func weightsAddUpAsTheRegulationSays() {
        #expect(weight("A") == 60_00)
        #expect(weight("A.I") == 30_00 && weight("A.II") == 30_00)
        #expect(childrenSum("A") == 60_00)
        #expect(weight("B") == 40_00 && childrenSum("B") == 40_00)
        #expect(childrenSum("B.I") == weight("B.I") && childrenSum("B.II") == weight("B.II"))
        #expect(weight("A") + weight("B") == 100_00)
        // Area weights, pemenuhan + reform: 8 / 7 / 10 / 10 / 15 / 10.
        let expected = [8_00, 7_00, 10_00, 10_00, 15_00, 10_00]
        for (i, total) in expected.enumerated() {
            let n = i + 1
            #expect(weight("A.I.\(n)") + weight("A.II.\(n)") == total, "area \(n)")
            #expect(weight("A.I.\(n)") == weight("A.II.\(n)"), "area \(n) splits 50/50")
            #expect(childrenSum("A.I.\(n)") == weight("A.I.\(n)"), "pemenuhan area \(n) indicators")
            #expect(childrenSum("A.II.\(n)") == weight("A.II.\(n)"), "reform area \(n) indicators")
        }
        #expect(childrenSum("A.I") == 30_00 && childrenSum("A.II") == 30_00)
    }

    @Test func everyPersenFormulaNamesExistingJumlahRows() {
        let codes = Set(items.map(\.code))
        for item in items where item.answerType == "persen" {
            let tokens = item.formula.split(whereSeparator: { "()/-+* ".contains($0) }).filter { $0.hasPrefix("J") }
            #expect(!tokens.isEmpty, "\(item.code)")
            for t in tokens { #expect(codes.contains("\(item.code).\(t)"), "\(item.code) names \(t)") }
        }
    }

    @Test func seedIsIdenticalOnEveryLoad() throws {
        let a = try ReferenceSeed.load()
        let b = try ReferenceSeed.load()
        #expect(a.changes.count == 553 + 199)
        #expect(a.changes.map(\.hash) == b.changes.map(\.hash))
        #expect(a.registry.all.filter { $0.level == .provinsi }.count == 38)
        #expect(a.registry.all.filter { $0.level == .kabkota }.count == 514)
    }
}
