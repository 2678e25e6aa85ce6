import Foundation
import Testing

@testable import ZISyncCore

/// The unit's own surveys (issue 25): the sample a period needs, the scale's conversion and the
/// indices, against published figures and hand-computed sets.
@Suite struct SurveyTests {
    /// Krejcie and Morgan's published table (1970), population → sample.
    @Test(arguments: [
        (10, 10), (15, 14), (20, 19), (50, 44), (75, 63), (100, 80), (150, 108), (200, 132), (300, 169), (500, 217),
        (1_000, 278), (2_000, 322), (5_000, 357), (10_000, 370), (20_000, 377), (30_000, 379), (40_000, 380),
        (50_000, 381), (75_000, 382),
        (1_000_000, 384),
    ])
    func theSampleFollowsKrejcieAndMorgansTable(population: Int, sample: Int) {
        #expect(SampleSize.krejcieMorgan(population: population) == sample)
    }

    @Test func aSampleIsNeverMoreThanThoseServedNorNegative() {
        #expect(SampleSize.krejcieMorgan(population: 0) == 0)
        #expect(SampleSize.krejcieMorgan(population: -5) == 0)
        #expect(SampleSize.krejcieMorgan(population: 1) == 1)
        #expect(SampleSize.krejcieMorgan(population: Int.max) == 384)
        #expect((1...400).allSatisfy { SampleSize.krejcieMorgan(population: $0) <= $0 })
    }

    @Test func aSixPointScaleIsConvertedToTheIndexScale() {
        #expect(SurveyScale.six.value(1) == 1 && SurveyScale.six.value(6) == 4)
        #expect(abs(SurveyScale.six.value(4)! - 2.8) < 1e-12)
        #expect(SurveyScale.four.value(3) == 3)
        #expect(SurveyScale.four.value(0) == nil && SurveyScale.four.value(5) == nil && SurveyScale.six.value(7) == nil)
    }

    @Test func theInstrumentsHaveTheCommonStatements() {
        let spkp = SurveyInstrument.standard(.spkp, cycle: 2026)
        let spak = SurveyInstrument.standard(.spak, cycle: 2026)
        #expect(spkp.statements.count == 8 && spak.statements.count == 5)
        #expect(spkp.version == "2026.1" && spak.kind.lkeCode == "B.I.a" && spkp.kind.lkeCode == "B.II.a")
    }

    /// Worked by hand: item means 3.5, 3, 4, 2.5, 3.5 → index 16.5 / 5 = 3.3.
    @Test func theIndexIsTheMeanOfTheItemMeans() {
        let spak = SurveyInstrument.standard(.spak, cycle: 2026)
        let responses = [
            SurveyResponse(service: "informasi publik", answers: [4, 3, 4, 2, 4]),
            SurveyResponse(service: "permohonan data pemilih", answers: [3, 3, 4, 3, 3]),
        ]
        let index = SurveyIndex(responses, instrument: spak)
        #expect(index.respondents == 2 && index.itemMeans == [3.5, 3, 4, 2.5, 3.5])
        #expect(abs(index.index! - 3.3) < 1e-12 && index.lkeAnswer == "3.30")
        let per = SurveyIndex.perService(responses, instrument: spak)
        #expect(per.map(\.service) == ["informasi publik", "permohonan data pemilih"])
        #expect(per[0].index.index == 3.4 && per[1].index.index == 3.2)
        // Not the mean of the respondents' means when items are missing: here they are equal.
        #expect(SurveyIndex([], instrument: spak).index == nil && SurveyIndex([], instrument: spak).lkeAnswer == nil)
    }

    /// Random sets: the index equals the mean of the item means computed independently, and a
    /// response that does not fit the instrument is not counted.
    @Test func randomSetsMatchAnIndependentComputation() {
        var rng = SplitMix(state: 25)
        for scale in SurveyScale.allCases {
            let spkp = SurveyInstrument.standard(.spkp, cycle: 2026, scale: scale)
            for _ in 0..<50 {
                let n = Int(rng.next() % 400) + 1
                let responses = (0..<n).map { _ in
                    SurveyResponse(
                        service: "s\(rng.next() % 3)",
                        answers: (0..<8).map { _ in Int(rng.next() % UInt64(scale.rawValue)) + 1 })
                }
                var means: [Double] = []
                for item in 0..<8 {
                    let values = responses.map { r -> Double in
                        let x = Double(r.answers[item])
                        return scale == .four ? x : 1 + 3 * (x - 1) / 5
                    }
                    means.append(values.reduce(0, +) / Double(values.count))
                }
                let want = means.reduce(0, +) / 8
                let got = SurveyIndex(responses + [SurveyResponse(service: "x", answers: [9, 9])], instrument: spkp)
                #expect(got.respondents == n && abs(got.index! - want) < 1e-9)
                #expect((1...4).contains(got.index!))
            }
        }
    }
}

/// A seeded generator (SplitMix64), so that a failing set can be drawn again.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
