import Foundation
import ZISyncCore
import ZISyncScoring

/// One satker's LKE as this node holds it: the catalogue, every layer's answers, and one layer
/// scored and judged. The one path from stored answers to a score and a readiness verdict, for
/// `zisync lke score`/`gaps`, the web's LKE page and Beranda, and the roll-ups below.
public struct ScoredLKE: Sendable {
    public let satker: String
    public let cycle: Int
    public let layer: AssessmentLayer
    public let model: LKEModel
    public let answers: [AssessmentLayer: [String: LKEAnswers.Answer]]
    public let score: LKEScore
    public let readiness: LKEReadiness

    public init(store: Store, satker: String, cycle: Int, layer: AssessmentLayer) throws {
        self.satker = satker
        self.cycle = cycle
        self.layer = layer
        model = LKEModel(try store.records.lkeCatalogue())
        let stored = LKEAnswers(store)
        answers = try stored.answers(satker: satker, cycle: cycle)
        (score, readiness) = LKEScoring.judge(
            model, answers: LKEAnswers.given(answers[layer] ?? [:]),
            wbkYears: try stored.wbkYears(satker: satker, cycle: cycle))
    }

    /// Every satker of this node's subtree with answers in `layer` of `cycle`, scored and judged,
    /// worst total first (`zisync lke report`, the web's Rekap LKE).
    public static func rollUp(store: Store, cycle: Int, layer: AssessmentLayer) throws -> [LKERollUpLine] {
        let model = LKEModel(try store.records.lkeCatalogue())
        let answers = LKEAnswers(store)
        return try LKERollUp.lines(
            model, satkers: try answers.satkers(cycle: cycle, among: store.subtree),
            answers: { LKEAnswers.given(try answers.answers(satker: $0, cycle: cycle)[layer] ?? [:]) },
            wbkYears: { try answers.wbkYears(satker: $0, cycle: cycle) })
    }
}
