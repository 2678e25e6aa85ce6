/// The LKE of many satkers side by side (`zisync lke report`, the web app's Rekap LKE): each
/// satker that has answers in the layer, scored and judged, worst total first.
public struct LKERollUpLine: Sendable {
    public let satker: String
    public let score: LKEScore
    public let readiness: LKEReadiness
}

public enum LKERollUp {
    /// `answers(satker)` gives a satker's answers in the layer (code → answer); `wbkYears(satker)`
    /// the full years since its first Menuju WBK predikat (0: none). Satkers without answers are left out; equal
    /// totals in satker order.
    public static func lines(
        _ model: LKEModel, satkers: [String], answers: (String) throws -> [String: String],
        wbkYears: (String) throws -> Int
    ) rethrows -> [LKERollUpLine] {
        var lines: [LKERollUpLine] = []
        for satker in satkers {
            let given = try answers(satker)
            guard !given.isEmpty else { continue }
            let (score, readiness) = LKEScoring.judge(model, answers: given, wbkYears: try wbkYears(satker))
            lines.append(LKERollUpLine(satker: satker, score: score, readiness: readiness))
        }
        return lines.sorted {
            $0.score.total != $1.score.total ? $0.score.total < $1.score.total : $0.satker < $1.satker
        }
    }
}
