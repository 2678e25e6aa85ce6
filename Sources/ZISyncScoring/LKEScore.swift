import Foundation
import ZISyncCore

/// One LKE scored (PermenPANRB 90/2021, Lampiran III; docs/decisions.md, "Scoring the LKE"):
/// full precision; the LKE shows two decimals and readiness compares after rounding to them.
public struct LKEScore: Sendable, Codable, Equatable {
    public var total = 0.0
    public var pengungkit = 0.0
    public var pemenuhan = 0.0
    public var reform = 0.0
    public var hasil = 0.0
    /// B.I Birokrasi yang bersih dan akuntabel: IPAK + kinerja.
    public var hasilBirokrasi = 0.0
    public var ipak = 0.0
    public var kinerja = 0.0
    /// B.II Pelayanan publik yang prima.
    public var ipkp = 0.0
    public var areas: [AreaScore] = []
    public var indicators: [IndicatorScore] = []
    /// Each question's and hasil item's value (0–1) as scored.
    public var items: [ItemValue] = []
    /// Input codes without an answer (a breakdown row counts with the jumlah it breaks down).
    public var unanswered = 0
    public var warnings: [String] = []

    public struct AreaScore: Sendable, Codable, Equatable {
        /// The area's name as used everywhere in zisync (`manajemen-perubahan`, …).
        public var area: String
        public var pemenuhan: Double
        public var reform: Double
        public var score: Double
        public var weight: Double
        public var percent: Double
        /// Each aspect's percent of its own weight (the per-aspect check, shown as information).
        public var pemenuhanPercent: Double
        public var reformPercent: Double
    }

    public struct IndicatorScore: Sendable, Codable, Equatable {
        public var code: String
        public var weight: Double
        public var score: Double
    }

    public struct ItemValue: Sendable, Codable, Equatable {
        public var code: String
        /// The indicator (for a hasil item, the item itself) whose score it counts in.
        public var indicator: String
        public var value: Double
        public var answered: Bool
        /// Points the total would gain if this item reached its top answer.
        public var gain: Double
    }
}

public enum LKEScoring {
    /// The score of `answers` and the readiness it gives: the one step from answers to a verdict.
    /// `wbkYears`: the full years since the satker's first Menuju WBK predikat (WBBM's rule).
    public static func judge(_ model: LKEModel, answers: [String: String], wbkYears: Int) -> (
        LKEScore, LKEReadiness
    ) {
        let score = score(model, answers: answers)
        return (score, LKEReadiness.evaluate(score, wbkYears: wbkYears))
    }

    /// Scores `answers` (input code → stored answer) against the catalogue. Unanswered questions
    /// count 0; an answer its type does not accept counts as unanswered (the apply path refuses
    /// such answers, so this only guards the arithmetic).
    public static func score(_ model: LKEModel, answers: [String: String]) -> LKEScore {
        var s = LKEScore()
        let jumlah = jumlahValues(model, answers: answers, into: &s)
        let values = itemValues(model, answers: answers, jumlah: jumlah, into: &s)
        let (indicators, areaScore) = indicatorsAndAreas(model, values: values)
        s.indicators = indicators
        addTotals(model, values: values, areaScore: areaScore, to: &s)
        s.areas = combinedAreas(model, areaScore: areaScore)
        return s
    }

    /// Jumlah rows, breakdowns first: a jumlah with breakdown rows is their sum when any is
    /// answered (a warning when its own answer differs), else its own answer. Counts the
    /// unanswered ones; a breakdown row counts with the jumlah it breaks down.
    private static func jumlahValues(_ model: LKEModel, answers: [String: String], into s: inout LKEScore)
        -> [String: Double]
    {
        var jumlah: [String: Double] = [:]
        for item in model.items where item.level == "jumlah" {
            let breakdown = model.children(of: item.code).filter { $0.level == "jumlah" }
            let own = answers[item.code].flatMap { LKEAnswerType.jumlah.value(of: $0) }
            let parts = breakdown.compactMap { b in answers[b.code].flatMap { LKEAnswerType.jumlah.value(of: $0) } }
            if !parts.isEmpty {
                let sum = parts.reduce(0, +)
                jumlah[item.code] = sum
                if let own, own != sum {
                    s.warnings.append(
                        "\(item.code) is \(format(own)) but its breakdown \(breakdown.map { String($0.code.split(separator: ".").suffix(2).joined(separator: ".")) }.joined(separator: "+")) adds up to \(format(sum)); the score uses \(format(sum))"
                    )
                }
            } else if let own {
                jumlah[item.code] = own
            }
            let isBreakdown = item.parent.flatMap { model[code: $0] }?.level == "jumlah"
            if !isBreakdown && jumlah[item.code] == nil { s.unanswered += 1 }
        }
        return jumlah
    }

    /// Questions and hasil items: each one's value (0–1; a persen item from its formula over the
    /// jumlah rows), recorded in `s.items` with what reaching its top answer would gain. Returns
    /// the values by code.
    private static func itemValues(
        _ model: LKEModel, answers: [String: String], jumlah: [String: Double], into s: inout LKEScore
    ) -> [String: Double] {
        var values: [String: Double] = [:]
        for item in model.items where item.level == "pertanyaan" || item.level == "hasil" {
            guard let type = LKEAnswerType(rawValue: item.answerType) else { continue }
            var value = 0.0
            var answered = false
            if type == .persen {
                if let formula = Formula(item.formula),
                    let x = formula.evaluate({ jumlah[item.code + "." + $0] })
                {
                    value = min(1, max(0, x))
                    answered = true
                }
            } else if let raw = answers[item.code], let v = type.value(of: raw) {
                value = type == .nilai04 ? v / 4 : v
                answered = true
            } else {
                s.unanswered += 1
            }
            values[item.code] = value
            let share: Double
            if item.level == "hasil" {
                share = model.weight(item.code)
            } else if let indicator = model.indicator(of: item) {
                let questions = model.children(of: indicator.code).filter { $0.level == "pertanyaan" }.count
                share = model.weight(indicator.code) / Double(max(1, questions))
            } else {
                share = 0
            }
            s.items.append(
                .init(
                    code: item.code, indicator: item.level == "hasil" ? item.code : (item.parent ?? ""), value: value,
                    answered: answered, gain: share * (1 - value)))
        }
        return values
    }

    /// Indicators (a sub-indicator's score counts in its parent, A.II.5.iii), then areas: each
    /// indicator's score in catalogue order, and each area's sum of its indicators by code.
    private static func indicatorsAndAreas(_ model: LKEModel, values: [String: Double]) -> (
        [LKEScore.IndicatorScore], [String: Double]
    ) {
        var indicatorScore: [String: Double] = [:]
        func indicator(_ code: String) -> Double {
            if let known = indicatorScore[code] { return known }
            let kids = model.children(of: code)
            let subs = kids.filter { $0.level == "indikator" }
            let questions = kids.filter { $0.level == "pertanyaan" }
            let score =
                subs.isEmpty
                ? (questions.isEmpty
                    ? 0
                    : model.weight(code) * questions.map { values[$0.code] ?? 0 }.reduce(0, +) / Double(questions.count))
                : subs.map { indicator($0.code) }.reduce(0, +)
            indicatorScore[code] = score
            return score
        }
        var areaScore: [String: Double] = [:]
        for item in model.items where item.level == "area" {
            let score = model.children(of: item.code).filter { $0.level == "indikator" }.map { indicator($0.code) }
                .reduce(0, +)
            areaScore[item.code] = score
        }
        var indicators: [LKEScore.IndicatorScore] = []
        for item in model.items where item.level == "indikator" {
            indicators.append(.init(code: item.code, weight: model.weight(item.code), score: indicator(item.code)))
        }
        return (indicators, areaScore)
    }

    /// The components up to the total: pengungkit from the areas of A.I and A.II, hasil from its
    /// items' values, each sum added in the same order as the LKE adds it.
    private static func addTotals(
        _ model: LKEModel, values: [String: Double], areaScore: [String: Double], to s: inout LKEScore
    ) {
        func aspect(_ code: String) -> Double {
            model.children(of: code).filter { $0.level == "area" }.map { areaScore[$0.code] ?? 0 }.reduce(0, +)
        }
        s.pemenuhan = aspect("A.I")
        s.reform = aspect("A.II")
        s.pengungkit = s.pemenuhan + s.reform
        func hasilItem(_ code: String) -> Double { model.weight(code) * (values[code] ?? 0) }
        s.ipak = hasilItem("B.I.a")
        s.kinerja = hasilItem("B.I.b")
        s.hasilBirokrasi = s.ipak + s.kinerja
        s.ipkp = hasilItem("B.II.a")
        s.hasil = s.hasilBirokrasi + s.ipkp
        s.total = s.pengungkit + s.hasil
    }

    /// Areas combined: pemenuhan + reform of the same area, with each aspect's percent of its own
    /// weight.
    private static func combinedAreas(_ model: LKEModel, areaScore: [String: Double]) -> [LKEScore.AreaScore] {
        var areas: [LKEScore.AreaScore] = []
        for area in model.children(of: "A.I").filter({ $0.level == "area" }) {
            let reformArea = model.children(of: "A.II").first { $0.area == area.area }
            let p = areaScore[area.code] ?? 0
            let r = reformArea.map { areaScore[$0.code] ?? 0 } ?? 0
            let wp = model.weight(area.code)
            let wr = reformArea.map { model.weight($0.code) } ?? 0
            let weight = wp + wr
            areas.append(
                .init(
                    area: area.area, pemenuhan: p, reform: r, score: p + r, weight: weight,
                    percent: weight == 0 ? 0 : (p + r) / weight * 100, pemenuhanPercent: wp == 0 ? 0 : p / wp * 100,
                    reformPercent: wr == 0 ? 0 : r / wr * 100))
        }
        return areas
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }
}

/// Two decimals, as the LKE shows a score.
public func rounded2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
