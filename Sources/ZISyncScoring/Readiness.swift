/// Whether a scored LKE may be proposed for Menuju WBK or Menuju WBBM (domain §4.1; PermenPANRB
/// 90/2021, Lampiran II): every rule with its required and actual figure, compared after rounding
/// to two decimals as the LKE shows them.
public struct LKEReadiness: Sendable, Codable, Equatable {
    public struct Rule: Sendable, Codable, Equatable {
        public var rule: String
        public var required: Double
        public var actual: Double
    }

    public struct Verdict: Sendable, Codable, Equatable {
        public var meets: Bool
        /// The rules not met, with the gap as required − actual.
        public var failed: [Rule]
        /// The per-aspect area check (pemenuhan and reform each against its own weight): shown,
        /// not required (the combined check is the rule; docs/decisions.md).
        public var perAspect: [Rule]
    }

    public var wbk: Verdict
    public var wbbm: Verdict

    struct Thresholds {
        let total, pengungkit, areaPercent, birokrasi, ipak, kinerja, ipkp: Double
        static let wbk = Thresholds(
            total: 75, pengungkit: 40, areaPercent: 60, birokrasi: 18.25, ipak: 15.75, kinerja: 2.5, ipkp: 14)
        static let wbbm = Thresholds(
            total: 85, pengungkit: 48, areaPercent: 75, birokrasi: 19.5, ipak: 15.75, kinerja: 3.75, ipkp: 15.75)
    }

    /// The percent each area must reach (its bar's line on a chart).
    public static func areaPercentRequired(wbbm: Bool) -> Double {
        wbbm ? Thresholds.wbbm.areaPercent : Thresholds.wbk.areaPercent
    }

    /// Full years a Menuju WBK predikat must have been held before the cycle's year for Menuju
    /// WBBM: PortalRB's administrative check asks "minimal telah 2 tahun WBK" (evaluation.md §1.2),
    /// so a 2024 predikat qualifies for 2026 and a 2025 one does not (docs/decisions.md).
    public static let wbkYearsForWBBM = 2

    /// `wbkYears`: the cycle's year minus the year of the satker's first Menuju WBK predikat, 0
    /// when it holds none (`LKEAnswers.wbkYears`).
    public static func evaluate(_ s: LKEScore, wbkYears: Int) -> LKEReadiness {
        func verdict(_ t: Thresholds, wbbm: Bool) -> Verdict {
            var rules: [Rule] = [
                Rule(rule: "total", required: t.total, actual: rounded2(s.total)),
                Rule(rule: "pengungkit", required: t.pengungkit, actual: rounded2(s.pengungkit)),
            ]
            for a in s.areas {
                rules.append(Rule(rule: "area \(a.area) (%)", required: t.areaPercent, actual: rounded2(a.percent)))
            }
            rules += [
                Rule(rule: "birokrasi bersih dan akuntabel", required: t.birokrasi, actual: rounded2(s.hasilBirokrasi)),
                Rule(rule: "ipak", required: t.ipak, actual: rounded2(s.ipak)),
                Rule(rule: "kinerja", required: t.kinerja, actual: rounded2(s.kinerja)),
                Rule(rule: "ipkp", required: t.ipkp, actual: rounded2(s.ipkp)),
            ]
            if wbbm {
                rules.append(
                    Rule(rule: "predikat wbk", required: Double(wbkYearsForWBBM), actual: Double(max(0, wbkYears))))
            }
            var perAspect: [Rule] = []
            for a in s.areas {
                perAspect.append(
                    Rule(
                        rule: "area \(a.area) pemenuhan (%)", required: t.areaPercent,
                        actual: rounded2(a.pemenuhanPercent)))
                perAspect.append(
                    Rule(rule: "area \(a.area) reform (%)", required: t.areaPercent, actual: rounded2(a.reformPercent)))
            }
            let failed = rules.filter { $0.actual < $0.required }
            return Verdict(
                meets: failed.isEmpty, failed: failed, perAspect: perAspect.filter { $0.actual < $0.required })
        }
        return LKEReadiness(wbk: verdict(.wbk, wbbm: false), wbbm: verdict(.wbbm, wbbm: true))
    }
}
