import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncStore

/// What the cycle's commands share: the cycle named or this year, a known satker, and each step
/// as JSON.
enum LKECycle {
    static func resolve(_ cycle: Int?) throws -> Int {
        let cycle = cycle ?? CalendarDay.thisYear()
        guard (2000...2100).contains(cycle) else { throw ValidationError("--cycle must be a year, got \(cycle)") }
        return cycle
    }

    static func check(satker: String, _ store: Store) throws {
        guard store.registry.contains(satker) else {
            throw ValidationError("unknown satker code '\(satker)' (e.g. 00, 32, 32.17)")
        }
    }

    static func json(_ step: Evaluation.Step) -> [String: Any] {
        [
            "n": step.n, "day": step.day, "hlc": step.hlc.description, "satker": step.origin, "actor": step.actor,
            "note": step.note as Any? ?? NSNull(),
        ]
    }

    static func json(_ s: Evaluation.Submission) -> [String: Any] {
        json(s.step).merging([
            "answers_hash": s.answersHash, "score": s.score as Any? ?? NSNull(),
            "answered": s.answered as Any? ?? NSNull(),
        ]) { a, _ in a }
    }

    static func json(_ r: Evaluation.Return) -> [String: Any] {
        json(r.step).merging(["items": r.items, "stage": r.stage.rawValue]) { a, _ in a }
    }

    static func json(_ v: Evaluation.Verdict) -> [String: Any] {
        json(v.step).merging(["verdict": v.verdict.rawValue]) { a, _ in a }
    }

    static func json(_ c: Evaluation.Conclusion) -> [String: Any] {
        json(c.step).merging([
            "conclusion": c.conclusion.rawValue, "step": c.tpiStep.rawValue, "final": c.isFinal,
        ]) { a, _ in a }
    }

    static func json(_ p: Evaluation.Proposal) -> [String: Any] {
        [
            "satker": p.satker, "cycle": p.cycle, "category": p.category, "n": p.n,
            "score": p.score as Any? ?? NSNull(), "override": p.override as Any? ?? NSNull(), "actor": p.actor,
            "day": EvaluationCycle.day(of: p.hlc),
        ]
    }

    static func json(_ s: Evaluation.UnitStatus) -> [String: Any] {
        [
            "satker": s.satker, "cycle": s.cycle, "state": s.state.rawValue, "revision": s.revision,
            "submissions": s.submissions.map(json), "returns": s.returns.map(json),
            "verdicts": s.verdicts.map(json), "verdict": s.verdict.map(json) as Any? ?? NSNull(),
            "conclusions": s.conclusions.map(json), "conclusion": s.conclusion.map(json) as Any? ?? NSNull(),
            "proposal": s.proposal.map(json) as Any? ?? NSNull(),
            "answers_hash": s.answersHash, "answers_as_submitted": s.answersAsSubmitted as Any? ?? NSNull(),
        ]
    }
}
