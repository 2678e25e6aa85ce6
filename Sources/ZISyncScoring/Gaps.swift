/// Where the points are: the questions ranked by what the total would gain if each reached its
/// top answer (its indicator's weight ÷ the indicator's number of questions × (1 − value); a hasil
/// item: its weight × (1 − value)), with the readiness rules each would help.
public struct LKEGap: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    /// The area (`manajemen-perubahan`, …), or `hasil`.
    public var area: String
    public var aspect: String
    public var indicator: String
    public var value: Double
    public var answered: Bool
    public var gain: Double
    /// Failed readiness rules this question counts in, as `wbk: total`, `wbbm: area sdm (%)`.
    public var helps: [String]
}

public enum LKEGaps {
    public static func rank(_ model: LKEModel, _ score: LKEScore, readiness: LKEReadiness, top: Int? = nil)
        -> [LKEGap]
    {
        func counts(_ item: LKEGap, in rule: String) -> Bool {
            switch rule {
            case "total": return true
            case "pengungkit": return item.aspect == "pemenuhan" || item.aspect == "reform"
            case "birokrasi bersih dan akuntabel": return item.code.hasPrefix("B.I.")
            case "ipak": return item.code == "B.I.a"
            case "kinerja": return item.code == "B.I.b"
            case "ipkp": return item.code == "B.II.a"
            default: return rule == "area \(item.area) (%)"
            }
        }
        var gaps: [LKEGap] = []
        for v in score.items where v.gain > 0 {
            guard let item = model[code: v.code] else { continue }
            var gap = LKEGap(
                code: v.code, name: item.name, area: item.area.isEmpty ? "hasil" : item.area, aspect: item.aspect,
                indicator: v.indicator, value: v.value, answered: v.answered, gain: v.gain, helps: [])
            for (level, verdict) in [("wbk", readiness.wbk), ("wbbm", readiness.wbbm)] {
                for rule in verdict.failed where counts(gap, in: rule.rule) {
                    gap.helps.append("\(level): \(rule.rule)")
                }
            }
            gaps.append(gap)
        }
        // Largest gain first; document order among equals.
        let order = Dictionary(model.items.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { a, _ in a })
        gaps.sort { $0.gain != $1.gain ? $0.gain > $1.gain : (order[$0.code] ?? 0) < (order[$1.code] ?? 0) }
        return top.map { Array(gaps.prefix($0)) } ?? gaps
    }
}
