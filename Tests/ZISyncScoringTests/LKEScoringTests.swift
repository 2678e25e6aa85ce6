import Foundation
import Testing
import ZISyncCore

@testable import ZISyncScoring

/// The LKE scored exactly as PermenPANRB 90/2021 prints it (docs/decisions.md, "Scoring the LKE"),
/// against hand-computed examples on the shipped catalogue.
@Suite struct LKEScoringTests {
    static let model = try! LKEModel.shipped()
    var model: LKEModel { Self.model }

    func indicator(_ s: LKEScore, _ code: String) -> Double { s.indicators.first { $0.code == code }!.score }

    /// Answers that give every question its top value (`top`) or its bottom one.
    func extreme(top: Bool) -> [String: String] {
        var answers: [String: String] = [:]
        for item in model.items {
            guard let type = LKEAnswerType(rawValue: item.answerType) else { continue }
            switch type {
            case .yaTidak: answers[item.code] = top ? "Ya" : "Tidak"
            case .abc: answers[item.code] = top ? "A" : "C"
            case .abcd: answers[item.code] = top ? "A" : "D"
            case .abcde: answers[item.code] = top ? "A" : "E"
            case .nilai04: answers[item.code] = top ? "4" : "0"
            case .persen:
                // Top: every count 0 (0/0 is 1). Bottom: J1 = 10 and the rest 0, or J1 = J2 for a decrease.
                for j in model.children(of: item.code) where j.level == "jumlah" {
                    let last = j.code.split(separator: ".").last!
                    answers[j.code] =
                        top ? "0" : (last == "J1" || (item.formula.hasPrefix("(J1-J2)") && last == "J2") ? "10" : "0")
                }
            case .jumlah: break
            }
        }
        return answers
    }

    @Test func theRollUpListsSatkersWithAnswersWorstFirst() {
        let given: [String: [String: String]] = [
            "32.73": extreme(top: true), "32.17": ["A.I.1.i.a": "Ya"], "32.01": ["A.I.1.i.a": "Ya"], "32.04": [:],
        ]
        let lines = LKERollUp.lines(
            model, satkers: ["32.73", "32.17", "32.04", "32.01"], answers: { given[$0] ?? [:] },
            wbkYears: { $0 == "32.73" ? 2 : 0 })
        #expect(lines.map(\.satker) == ["32.01", "32.17", "32.73"], "no answers: left out; equal totals by code")
        #expect(lines[0].score == LKEScoring.score(model, answers: ["A.I.1.i.a": "Ya"]))
        #expect(lines[2].readiness.wbk.meets && lines[2].readiness.wbbm.meets, "the top LKE with its predikat")
        #expect(!lines[0].readiness.wbk.meets)
    }

    @Test func theCataloguesWeightsAddUp() {
        func sum(_ code: String, level: String) -> Double {
            model.children(of: code).filter { $0.level == level }.map { model.weight($0.code) }.reduce(0, +)
        }
        #expect(rounded2(sum("A.I", level: "area")) == 30 && rounded2(sum("A.II", level: "area")) == 30)
        #expect(rounded2(sum("B.I", level: "hasil") + sum("B.II", level: "hasil")) == 40)
        for area in model.items where area.level == "area" {
            #expect(rounded2(sum(area.code, level: "indikator")) == model.weight(area.code), "\(area.code)")
        }
        #expect(model.inputCodes.count == model.items.filter { model.isInput($0.code) }.count)
        #expect(!model.isInput("A.II.1.i.a") && model.isInput("A.II.1.i.a.J1") && model.isInput("B.I.a"))
    }

    @Test func allTopAnswersScoreExactlyOneHundredAndAllBottomZero() {
        let top = LKEScoring.score(model, answers: extreme(top: true))
        #expect(
            rounded2(top.total) == 100 && rounded2(top.pengungkit) == 60 && rounded2(top.hasil) == 40, "\(top.total)")
        #expect(top.unanswered == 0 && top.warnings.isEmpty)
        #expect(top.areas.allSatisfy { rounded2($0.percent) == 100 })
        let bottom = LKEScoring.score(model, answers: extreme(top: false))
        #expect(rounded2(bottom.total) == 0 && bottom.unanswered == 0, "\(bottom.total)")
        let none = LKEScoring.score(model, answers: [:])
        #expect(
            none.total == 0 && none.unanswered == model.inputCodes.count - 6, "breakdown rows count with their jumlah")
    }

    @Test func eachAnswerTypeHasItsValue() {
        var s = LKEScoring.score(model, answers: ["A.I.1.ii.a": "ya", "A.I.1.ii.b": "b", "A.I.1.ii.c": "C"])
        #expect(abs(indicator(s, "A.I.1.ii") - 0.5) < 1e-12, "1.00 × (1 + 0.5 + 0) / 3")
        s = LKEScoring.score(model, answers: ["A.I.1.iii.a": "B", "A.I.1.iii.b": "B", "A.I.1.iii.c": "B"])
        #expect(abs(indicator(s, "A.I.1.iii") - 0.67) < 1e-12, "A–D: B is 0.67")
        s = LKEScoring.score(model, answers: ["B.I.a": "3.6", "B.I.b": "C", "B.II.a": "3,2"])
        #expect(abs(s.ipak - 15.75) < 1e-12 && abs(s.kinerja - 2.5) < 1e-12 && abs(s.ipkp - 14) < 1e-12)
        #expect(abs(s.hasilBirokrasi - 18.25) < 1e-12 && abs(s.hasil - 32.25) < 1e-12)
    }

    @Test func persenRowsFollowTheirFormula() {
        // 3/4 and 0/0 (nothing due counts as done): 2.00 × (0.75 + 1) / 2.
        var s = LKEScoring.score(
            model,
            answers: ["A.II.1.i.a.J1": "4", "A.II.1.i.a.J2": "3", "A.II.1.i.b.J1": "0", "A.II.1.i.b.J2": "0"])
        #expect(abs(indicator(s, "A.II.1.i") - 1.75) < 1e-12)
        // More done than due is clamped to 1; a decrease below zero to 0; x/0 by the sign of x.
        s = LKEScoring.score(
            model,
            answers: ["A.II.1.i.a.J1": "2", "A.II.1.i.a.J2": "5", "A.II.3.iii.a.J1": "0", "A.II.3.iii.a.J2": "3"])
        #expect(s.items.first { $0.code == "A.II.1.i.a" }?.value == 1)
        #expect(s.items.first { $0.code == "A.II.3.iii.a" }?.value == 0)
        s = LKEScoring.score(model, answers: ["A.II.4.i.a.J1": "0", "A.II.4.i.a.J2": "2"])
        #expect(s.items.first { $0.code == "A.II.4.i.a" }?.value == 1)
        // A count missing: the row scores 0.
        s = LKEScoring.score(model, answers: ["A.II.1.i.a.J1": "4"])
        #expect(s.items.first { $0.code == "A.II.1.i.a" }?.answered == false && indicator(s, "A.II.1.i") == 0)
    }

    @Test func aBreakdownIsSummedAndASlipIsNamed() {
        let s = LKEScoring.score(
            model,
            answers: [
                "A.II.5.iii.i.a.J1": "12", "A.II.5.iii.i.a.J1.1": "2", "A.II.5.iii.i.a.J1.2": "3",
                "A.II.5.iii.i.a.J1.3": "5", "A.II.5.iii.i.a.J2": "10", "A.II.5.iii.ii.a.J1": "4",
                "A.II.5.iii.ii.a.J2": "2",
            ])
        #expect(s.warnings.count == 1 && s.warnings[0].contains("12") && s.warnings[0].contains("10"), "\(s.warnings)")
        // The sub-indicators: 1.00 × 10/10 and 1.00 × 2/4; the indicator is their sum.
        #expect(indicator(s, "A.II.5.iii.i") == 1 && indicator(s, "A.II.5.iii.ii") == 0.5)
        #expect(indicator(s, "A.II.5.iii") == 1.5)
    }

    @Test func anIncompleteLKECountsItsUnansweredQuestionsAsZero() {
        let s = LKEScoring.score(model, answers: ["A.I.1.ii.a": "Ya"])
        #expect(abs(indicator(s, "A.I.1.ii") - 1.0 / 3) < 1e-12, "not 1.00: the two unanswered count 0")
        #expect(s.unanswered == model.inputCodes.count - 6 - 1)
    }

    @Test func everyAnswerSetStaysWithinItsWeights() {
        var rng = LCG(seed: 2026)
        for _ in 0..<300 {
            var answers: [String: String] = [:]
            for item in model.items where model.isInput(item.code) && rng.next() % 3 != 0 {
                switch LKEAnswerType(rawValue: item.answerType) {
                case .yaTidak: answers[item.code] = rng.next() % 2 == 0 ? "Ya" : "Tidak"
                case .abc: answers[item.code] = ["A", "B", "C"][Int(rng.next() % 3)]
                case .abcd: answers[item.code] = ["A", "B", "C", "D"][Int(rng.next() % 4)]
                case .abcde: answers[item.code] = ["A", "B", "C", "D", "E"][Int(rng.next() % 5)]
                case .jumlah: answers[item.code] = String(rng.next() % 20)
                case .nilai04: answers[item.code] = String(format: "%.2f", Double(rng.next() % 401) / 100)
                default: break
                }
            }
            let s = LKEScoring.score(model, answers: answers)
            for i in s.indicators { #expect(i.score >= 0 && i.score <= i.weight + 1e-9, "\(i)") }
            for a in s.areas { #expect(a.score >= 0 && a.score <= a.weight + 1e-9, "\(a)") }
            #expect(s.total >= 0 && s.total <= 100 + 1e-9 && s.pengungkit <= 60 + 1e-9 && s.hasil <= 40 + 1e-9)
            #expect(s.items.allSatisfy { (0...1).contains($0.value) && $0.gain >= 0 })
        }
    }

    struct LCG {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
    }
}

/// WBK and WBBM readiness at and just below each threshold (domain §4.1).
@Suite struct LKEReadinessTests {
    func score(
        total: Double = 90, pengungkit: Double = 50, areaPercent: Double = 80, birokrasi: Double = 20,
        ipak: Double = 16, kinerja: Double = 4, ipkp: Double = 16
    ) -> LKEScore {
        var s = LKEScore()
        s.total = total
        s.pengungkit = pengungkit
        s.hasilBirokrasi = birokrasi
        s.ipak = ipak
        s.kinerja = kinerja
        s.ipkp = ipkp
        s.areas = ["manajemen-perubahan", "sdm"].map {
            .init(
                area: $0, pemenuhan: 0, reform: 0, score: 0, weight: 8, percent: areaPercent, pemenuhanPercent: 50,
                reformPercent: areaPercent)
        }
        return s
    }

    @Test func atEachThresholdTheLevelIsMetAndJustBelowItIsNot() {
        let wbk = score(
            total: 75, pengungkit: 40, areaPercent: 60, birokrasi: 18.25, ipak: 15.75, kinerja: 2.5, ipkp: 14)
        let at = LKEReadiness.evaluate(wbk, wbkYears: 0)
        #expect(at.wbk.meets && at.wbk.failed.isEmpty)
        #expect(!at.wbbm.meets && at.wbbm.failed.map(\.rule).contains("predikat wbk"))
        #expect(at.wbk.perAspect.map(\.rule).contains("area sdm pemenuhan (%)"), "per aspect: shown, not required")
        // Rounded to two decimals as the LKE shows it: 74.995 shows 75.00 and passes, 74.994 does not.
        #expect(LKEReadiness.evaluate(score(total: 74.995), wbkYears: 0).wbk.meets)
        let below = LKEReadiness.evaluate(score(total: 74.994), wbkYears: 0).wbk
        #expect(below.failed == [.init(rule: "total", required: 75, actual: 74.99)])
        for (s, rule) in [
            (score(pengungkit: 39.99), "pengungkit"), (score(areaPercent: 59.99), "area manajemen-perubahan (%)"),
            (score(birokrasi: 18.24), "birokrasi bersih dan akuntabel"), (score(ipak: 15.74), "ipak"),
            (score(kinerja: 2.49), "kinerja"), (score(ipkp: 13.99), "ipkp"),
        ] {
            #expect(LKEReadiness.evaluate(s, wbkYears: 2).wbk.failed.first?.rule == rule, "\(rule)")
        }
        let wbbm = score(
            total: 85, pengungkit: 48, areaPercent: 75, birokrasi: 19.5, ipak: 15.75, kinerja: 3.75, ipkp: 15.75)
        #expect(LKEReadiness.evaluate(wbbm, wbkYears: 2).wbbm.meets)
        // Two full years of Menuju WBK (PortalRB's administrative check): a 2025 predikat does
        // not open WBBM in 2026 (one year), a 2024 one does (two).
        let oneYear = LKEReadiness.evaluate(wbbm, wbkYears: 1).wbbm
        #expect(oneYear.failed == [.init(rule: "predikat wbk", required: 2, actual: 1)])
        #expect(LKEReadiness.evaluate(wbbm, wbkYears: 0).wbbm.failed.first?.actual == 0)
        for (s, rule) in [
            (score(total: 84.99), "total"), (score(pengungkit: 47.99), "pengungkit"),
            (score(areaPercent: 74.99), "area manajemen-perubahan (%)"),
            (score(birokrasi: 19.49), "birokrasi bersih dan akuntabel"),
            (score(kinerja: 3.74), "kinerja"), (score(ipkp: 15.74), "ipkp"),
        ] {
            #expect(LKEReadiness.evaluate(s, wbkYears: 2).wbbm.failed.first?.rule == rule, "\(rule)")
        }
    }

    @Test func theGapsRankWhereThePointsAre() {
        let model = LKEScoringTests.model
        let s = LKEScoring.score(model, answers: ["B.I.a": "2", "B.II.a": "4", "B.I.b": "A"])
        let readiness = LKEReadiness.evaluate(s, wbkYears: 0)
        let gaps = LKEGaps.rank(model, s, readiness: readiness, top: 5)
        // IPAK at 2 of 4: 17.50 × (1 − 0.5) = 8.75 points, more than any question.
        #expect(gaps.first?.code == "B.I.a" && abs((gaps.first?.gain ?? 0) - 8.75) < 1e-12)
        #expect(gaps.first?.helps.contains("wbk: ipak") == true && gaps.first?.helps.contains("wbk: total") == true)
        #expect(gaps.count == 5 && zip(gaps, gaps.dropFirst()).allSatisfy { $0.gain >= $1.gain })
        let all = LKEGaps.rank(model, s, readiness: readiness)
        #expect(abs(all.map(\.gain).reduce(0, +) - (100 - s.total)) < 1e-9, "the gains add up to what is missing")
    }
}

/// What each answer type accepts (issue 11, item 3).
@Suite struct LKEAnswerTests {
    @Test func answersAreNormalizedOrRefusedWithWhatIsAllowed() {
        #expect(LKEAnswerType.yaTidak.normalize(" tidak ") == .success("Tidak"))
        #expect(LKEAnswerType.abcd.normalize("d") == .success("D"))
        #expect(LKEAnswerType.nilai04.normalize("3,6") == .success("3.6"))
        #expect(LKEAnswerType.jumlah.normalize("007") == .success("7"))
        for (type, bad) in [
            (LKEAnswerType.yaTidak, "iya"), (.abc, "D"), (.abcd, "E"), (.abcde, "F"), (.jumlah, "-1"), (.jumlah, "1.5"),
            (.nilai04, "4.1"), (.nilai04, "-0"), (.nilai04, "3.12345"), (.persen, "0.5"),
        ] {
            guard case .failure(let e) = type.normalize(bad) else {
                Issue.record("\(type) accepted \(bad)")
                continue
            }
            #expect(e.description.contains(type == .persen ? "computed" : type.allowed), "\(e)")
        }
        #expect(LKEAnswerType.abcde.value(of: "b") == 0.75 && LKEAnswerType.nilai04.value(of: "3,5") == 3.5)
    }
}

/// The prerequisites that are not LKE scores (issue 22), judged apart from the thresholds.
@Suite struct PrerequisiteCheckTests {
    let unit: [Prerequisite: String] = [
        .tlhp: "100", .lhkpn: "100", .lhkasn: "100", .pencanangan: "2025-06-30", .sakip: "BB",
    ]
    let agency: [Prerequisite: String] = [.bpk: "WTP", .sakipInstansi: "A", .indeksRB: "BB", .spip: "3"]

    @Test func allMetAndEachOneShort() {
        let met = PrerequisiteCheck.evaluate(unit: unit, agency: agency, reference: "2026-06-30")
        #expect(met.wbk.isEmpty && met.wbbm.isEmpty && met.missing.isEmpty, "\(met)")
        // A day short of a full year of ZI; SAKIP B opens WBK, not WBBM; an opinion below WTP.
        var short = unit
        short[.pencanangan] = "2025-07-01"
        short[.sakip] = "B"
        short[.lhkpn] = "99.5"
        let r = PrerequisiteCheck.evaluate(
            unit: short, agency: agency.merging([.bpk: "WDP"]) { _, b in b }, reference: "2026-06-30")
        #expect(r.wbk.map(\.rule) == ["lhkpn", "pencanangan", "bpk"], "\(r.wbk)")
        #expect(r.wbbm.map(\.rule) == ["lhkpn", "pencanangan", "bpk", "sakip"], "\(r.wbbm)")
        #expect(r.wbk.first == .init(rule: "lhkpn", required: 100, actual: 99.5))
        #expect(PrerequisiteCheck.grade(rank: r.wbbm.last!.required) == "BB")
        #expect(PrerequisiteCheck.grade(rank: r.wbbm.last!.actual) == "B")
        // Nothing entered: every rule fails and the items are named.
        let none = PrerequisiteCheck.evaluate(unit: [:], agency: [:], reference: "2026-06-30")
        #expect(none.missing.count == Prerequisite.allCases.count && none.wbk.count == 9)
    }
}
