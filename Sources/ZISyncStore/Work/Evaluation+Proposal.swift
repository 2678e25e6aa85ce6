import Foundation
import ZISyncCore
import ZISyncScoring

/// The evaluation cycle's end (issue 22): the prerequisites that are not LKE scores, and KPU RI's
/// proposal to KemenPANRB with every rule it is judged by.
extension Evaluation {
    // MARK: - Prerequisites

    public struct PrerequisiteValue: Sendable, Equatable {
        public let item: Prerequisite
        public let value: String
        public let note: String?
        public let evidence: [String]
    }

    /// `satker`'s prerequisites of `cycle` as held here, by item.
    public func prerequisites(satker: String, cycle: Int) throws -> [Prerequisite: PrerequisiteValue] {
        var out: [Prerequisite: PrerequisiteValue] = [:]
        for item in Prerequisite.allCases where item.isAgency == (satker == SatkerRegistry.root && item.isAgency) {
            guard
                let rec = try store.records.get(
                    EvaluationCycle.prerequisiteID(satker: satker, cycle: cycle, item: item)),
                !rec.isDeleted, let value = rec.string("value")
            else { continue }
            out[item] = PrerequisiteValue(
                item: item, value: value, note: rec.string("note"),
                evidence: Validation.lkeCodes(rec.string("evidence") ?? ""))
        }
        return out
    }

    /// Records a prerequisite: a unit's by the unit or an office above it; the agency's (bpk,
    /// sakip-instansi, indeks-rb, spip) by KPU RI for 00.
    @discardableResult
    public func setPrerequisite(
        satker: String, cycle: Int, item: Prerequisite, value: String, note: String?, evidence: [String],
        actor: String
    ) throws -> PrerequisiteValue {
        guard let normal = item.normalize(value) else {
            throw ZISyncError("\(item.rawValue) takes \(item.takes), not '\(value)'")
        }
        var fields: [String: FieldValue] = [
            "satker": .string(satker), "cycle": .int(Int64(cycle)), "item": .string(item.rawValue),
            "value": .string(normal),
        ]
        if let note = note?.trimmedOfWhitespace { fields["note"] = note.isEmpty ? .null : .string(note) }
        if !evidence.isEmpty { fields["evidence"] = .string(evidence.joined(separator: ",")) }
        try store.write(
            type: .lkePrasyarat, recordID: EvaluationCycle.prerequisiteID(satker: satker, cycle: cycle, item: item),
            owner: satker, fields: fields, actor: actor)
        return try prerequisites(satker: satker, cycle: cycle)[item]!
    }

    /// The day by which ZI must have been built for a year: the first day of the cycle's usulan
    /// window, or 30 June of its year (PortalRB's proposal deadline in 2022) without one.
    public func prerequisiteReference(cycle: Int) throws -> String {
        try windows(cycle: cycle).first { $0.stage == .usulan }?.from ?? "\(cycle)-06-30"
    }

    /// `satker`'s prerequisites and KPU's, judged for WBK and WBBM.
    public func checkPrerequisites(satker: String, cycle: Int) throws -> PrerequisiteCheck.Result {
        PrerequisiteCheck.evaluate(
            unit: try prerequisites(satker: satker, cycle: cycle).mapValues(\.value)
                .filter { !$0.key.isAgency },
            agency: try prerequisites(satker: SatkerRegistry.root, cycle: cycle).mapValues(\.value)
                .filter { $0.key.isAgency },
            reference: try prerequisiteReference(cycle: cycle))
    }

    // MARK: - The proposal

    /// Why `satker` may not be proposed for `category` in `cycle`, each rule with its required and
    /// actual figure: the TPI's final conclusion, the LKE thresholds (of the TPI's layer), the
    /// prerequisites, and for WBBM two full years of Menuju WBK. Empty: it may.
    public func proposalProblems(satker: String, cycle: Int, category: String) throws -> [String] {
        let now = try status(satker: satker, cycle: cycle)
        var problems: [String] = []
        if now.state != .submitted {
            problems.append("the LKE is not submitted (state \(now.state.rawValue))")
        } else if let c = now.conclusion, c.isFinal, c.conclusion == .memenuhi {
        } else {
            problems.append(
                "the TPI's conclusion: required final memenuhi, actual \(now.conclusion.map { "\($0.conclusion.rawValue) (\($0.tpiStep.title))" } ?? "none")"
            )
        }
        let wbbm = category == "wbbm"
        let lke = try ScoredLKE(store: store, satker: satker, cycle: cycle, layer: .tpi)
        let verdict = wbbm ? lke.readiness.wbbm : lke.readiness.wbk
        for rule in verdict.failed {
            if rule.rule == "predikat wbk" {
                problems.append(
                    "predikat wbk: required \(Int(rule.required)) full years of Menuju WBK, actual \(Int(rule.actual))")
                continue
            }
            problems.append(
                "LKE threshold (tpi layer) \(rule.rule): required \(Self.figure(rule.required)), actual \(Self.figure(rule.actual))"
            )
        }
        let pre = try checkPrerequisites(satker: satker, cycle: cycle)
        for rule in wbbm ? pre.wbbm : pre.wbk {
            problems.append("prerequisite \(Self.words(rule))")
        }
        return problems
    }

    /// A prerequisite rule's required and actual figures in their own terms (a grade, an opinion).
    public static func words(_ rule: LKEReadiness.Rule) -> String {
        switch Prerequisite(rawValue: rule.rule) {
        case .sakip, .sakipInstansi, .indeksRB:
            return
                "\(rule.rule): required \(PrerequisiteCheck.grade(rank: rule.required)) or better, actual \(PrerequisiteCheck.grade(rank: rule.actual))"
        case .bpk:
            let opinion = { (r: Double) in
                Prerequisite.opinions.indices.contains(Int(r) - 1) ? Prerequisite.opinions[Int(r) - 1] : "-"
            }
            return "bpk: required \(opinion(rule.required)), actual \(opinion(rule.actual))"
        case .pencanangan:
            return "pencanangan: required \(Int(rule.required)) full year of ZI, actual \(Int(rule.actual))"
        case .spip:
            return "spip: required level \(Int(rule.required)), actual \(Int(rule.actual))"
        default:
            return "\(rule.rule): required \(figure(rule.required)) %, actual \(figure(rule.actual)) %"
        }
    }

    static func figure(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.2f", x)
    }

    /// KPU RI proposes `satker` to KemenPANRB for `category` (wbk or wbbm) in `cycle`: refused
    /// with every rule not met unless `override` says why it is proposed anyway (kept, with the
    /// rules, and shown as an override).
    @discardableResult
    public func propose(satker: String, cycle: Int, category: String, override: String?, actor: String) throws
        -> Proposal
    {
        guard store.node == SatkerRegistry.root else {
            throw ZISyncError("units are proposed by KPU RI: run this on the node of 00, not \(store.node)")
        }
        guard category == "wbk" || category == "wbbm" else { throw ZISyncError("the category is wbk or wbbm") }
        let now = try status(satker: satker, cycle: cycle)
        guard now.state == .submitted, let n = now.submissions.last?.step.n else {
            throw ZISyncError("\(satker)'s LKE for \(cycle) is not submitted: nothing to propose")
        }
        let problems = try proposalProblems(satker: satker, cycle: cycle, category: category)
        let reason = override?.trimmedOfWhitespace ?? ""
        if !problems.isEmpty && reason.isEmpty {
            throw ZISyncError(
                "\(satker) may not be proposed for \(category.uppercased()) in \(cycle):\n  "
                    + problems.joined(separator: "\n  ") + "\n(propose anyway with --reason, shown as an override)")
        }
        let lke = try ScoredLKE(store: store, satker: satker, cycle: cycle, layer: .tpi)
        var fields: [String: FieldValue] = [
            "satker": .string(satker), "cycle": .int(Int64(cycle)), "category": .string(category),
            "n": .int(Int64(n)), "score": .string(String(format: "%.2f", lke.score.total)), "override": .null,
        ]
        if !problems.isEmpty {
            fields["override"] = .string(
                String("\(reason) [rules not met: \(problems.joined(separator: "; "))]".prefix(4000)))
        }
        try store.write(
            type: .lkeUsulan, recordID: EvaluationCycle.proposalID(satker: satker, cycle: cycle), owner: satker,
            fields: fields, actor: actor)
        return try proposal(satker: satker, cycle: cycle)!
    }

    /// KPU RI withdraws its proposal of `satker` (kept in the history).
    public func withdraw(satker: String, cycle: Int, actor: String) throws {
        guard store.node == SatkerRegistry.root else {
            throw ZISyncError("units are proposed by KPU RI: run this on the node of 00, not \(store.node)")
        }
        guard try proposal(satker: satker, cycle: cycle) != nil else {
            throw ZISyncError("\(satker) is not proposed for \(cycle)")
        }
        try store.write(
            type: .lkeUsulan, recordID: EvaluationCycle.proposalID(satker: satker, cycle: cycle), owner: satker,
            fields: [RecordSchema.deletedField: .bool(true)], actor: actor)
    }
}
