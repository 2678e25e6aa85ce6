import Crypto
import Foundation
import ZISyncCore
import ZISyncScoring

/// The evaluation cycle (issue 22): KPU RI's calendar, a unit's submissions, the reviewers'
/// returns and the province's verdict, all written through the one apply path, so the cycle's
/// rules (`CycleRules`, Core) hold here as at every parent; and each unit's place in it.
public struct Evaluation: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    // MARK: - The calendar

    /// One stage's window as KPU RI set it.
    public struct Window: Sendable, Equatable {
        public let stage: EvaluationStage
        public let from: String
        public let to: String
        public let reason: String?

        public func contains(day: String) -> Bool { from <= day && day <= to }
    }

    /// The windows of `cycle` held here, in the stages' order.
    public func windows(cycle: Int) throws -> [Window] {
        try EvaluationStage.allCases.compactMap { stage in
            guard let rec = try store.records.get(EvaluationCycle.windowID(cycle: cycle, stage: stage)),
                let from = rec.string("from"), let to = rec.string("to")
            else { return nil }
            return Window(stage: stage, from: from, to: to, reason: rec.string("reason"))
        }
    }

    /// Sets (or extends) a stage's window: KPU RI only. Changing a window that exists needs a
    /// reason, which its history keeps with who gave it.
    @discardableResult
    public func setWindow(
        cycle: Int, stage: EvaluationStage, from: String, to: String, reason: String?, actor: String
    ) throws -> Change {
        guard store.node == SatkerRegistry.root else {
            throw ZISyncError("the calendar is set by KPU RI: run this on the node of 00, not \(store.node)")
        }
        for (name, day) in [("--from", from), ("--to", to)] where !Validation.isDate(day) {
            throw ZISyncError("\(name) must be a date YYYY-MM-DD, got '\(day)'")
        }
        let id = EvaluationCycle.windowID(cycle: cycle, stage: stage)
        let reason = reason?.trimmedOfWhitespace
        if try store.records.get(id) != nil, reason?.isEmpty ?? true {
            throw ZISyncError(
                "the window of \(stage.title) \(cycle) is set already: changing it needs --reason (kept in its history)"
            )
        }
        var fields: [String: FieldValue] = [
            "cycle": .int(Int64(cycle)), "stage": .string(stage.rawValue), "from": .string(from), "to": .string(to),
        ]
        if let reason, !reason.isEmpty { fields["reason"] = .string(reason) }
        return try store.write(type: .lkeJadwal, recordID: id, owner: SatkerRegistry.root, fields: fields, actor: actor)
    }

    // MARK: - Where a unit stands

    /// One step of a unit's cycle, as held here: its number, when, by which office and person.
    public struct Step: Sendable, Equatable {
        public let n: Int
        public let hlc: HLC
        public let origin: String
        public let actor: String
        public let note: String?

        public var day: String { EvaluationCycle.day(of: hlc) }
    }

    public struct Submission: Sendable, Equatable {
        public let step: Step
        public let answersHash: String
        public let score: String?
        public let answered: Int?
    }

    public struct Return: Sendable, Equatable {
        public let step: Step
        /// The items returned with a note (in the reviewer's layer).
        public let items: [String]
        public var stage: EvaluationStage { EvaluationCycle.reviewStage(origin: step.origin) }
    }

    public struct Verdict: Sendable, Equatable {
        public let step: Step
        public let verdict: ProvinceVerdict
    }

    public struct Conclusion: Sendable, Equatable {
        /// The last write: when, by whom, with the step it reached.
        public let step: Step
        public let conclusion: TPIConclusion
        public let tpiStep: TPIStep
        public var isFinal: Bool { tpiStep == .dalnis }
    }

    public struct Proposal: Sendable, Equatable {
        public let satker: String
        public let cycle: Int
        public let category: String
        public let n: Int
        public let score: String?
        /// Why KPU RI proposed it although a rule was not met (the rules listed), or nil.
        public let override: String?
        public let hlc: HLC
        public let actor: String
    }

    /// A unit's cycle: every submission, return and verdict held here.
    public struct UnitStatus: Sendable {
        public enum State: String, Sendable {
            /// Not submitted yet: the unit answers.
            case draft = "draf"
            /// Submitted: read-only for the unit, with its reviewers.
            case submitted = "dikirim"
            /// Returned for revision: the unit answers again.
            case returned = "dikembalikan"

            /// The one rule: submitted when the last submission is not returned. Submission n+1
            /// follows return n, so there are never more returns than submissions.
            init(submissions: Int, returns: Int) {
                self = submissions == 0 ? .draft : returns >= submissions ? .returned : .submitted
            }
        }

        public let satker: String
        public let cycle: Int
        public let submissions: [Submission]
        public let returns: [Return]
        public let verdicts: [Verdict]
        public let conclusions: [Conclusion]
        public let proposal: Proposal?
        /// The hash of the unit layer's answers now, to compare with the last submission's.
        public let answersHash: String

        public var state: State { State(submissions: submissions.count, returns: returns.count) }

        /// How many times the LKE was returned (revision 1, 2, …).
        public var revision: Int { returns.count }

        /// The province's verdict on the submission under assessment, if it gave one.
        public var verdict: Verdict? {
            guard state == .submitted, let n = submissions.last?.step.n else { return nil }
            return verdicts.first { $0.step.n == n }
        }

        /// The TPI's conclusion on the submission under assessment, at whatever step it is.
        public var conclusion: Conclusion? {
            guard state == .submitted, let n = submissions.last?.step.n else { return nil }
            return conclusions.first { $0.step.n == n }
        }

        /// Whether the answers are still those the last submission recorded.
        public var answersAsSubmitted: Bool? { submissions.last.map { $0.answersHash == answersHash } }
    }

    /// Where `satker`'s LKE of `cycle` stands, as held here.
    public func status(satker: String, cycle: Int) throws -> UnitStatus {
        var submissions: [Submission] = []
        var returns: [Return] = []
        var verdicts: [Verdict] = []
        var conclusions: [Conclusion] = []
        for n in 1...EvaluationCycle.maxSubmissions {
            guard let kirim = try step(EvaluationCycle.submissionID(satker: satker, cycle: cycle, n: n), n: n) else {
                break
            }
            submissions.append(
                Submission(
                    step: kirim.step, answersHash: kirim.record.string("answers_hash") ?? "",
                    score: kirim.record.string("score"), answered: kirim.record["answered"].intValue.map(Int.init)))
            if let v = try step(EvaluationCycle.verdictID(satker: satker, cycle: cycle, n: n), n: n),
                let verdict = v.record.string("verdict").flatMap(ProvinceVerdict.init(rawValue:))
            {
                verdicts.append(Verdict(step: v.step, verdict: verdict))
            }
            if let c = try step(EvaluationCycle.conclusionID(satker: satker, cycle: cycle, n: n), n: n, field: "step"),
                let conclusion = c.record.string("conclusion").flatMap(TPIConclusion.init(rawValue:)),
                let tpiStep = c.record.string("step").flatMap(TPIStep.init(rawValue:))
            {
                conclusions.append(Conclusion(step: c.step, conclusion: conclusion, tpiStep: tpiStep))
            }
            guard let back = try step(EvaluationCycle.returnID(satker: satker, cycle: cycle, n: n), n: n) else {
                break
            }
            returns.append(Return(step: back.step, items: Validation.lkeCodes(back.record.string("items") ?? "")))
        }
        let unit = try LKEAnswers(store).answers(satker: satker, cycle: cycle)[.unit] ?? [:]
        return UnitStatus(
            satker: satker, cycle: cycle, submissions: submissions, returns: returns, verdicts: verdicts,
            conclusions: conclusions, proposal: try proposal(satker: satker, cycle: cycle),
            answersHash: Self.answersHash(LKEAnswers.given(unit)))
    }

    /// Where `satker`'s LKE of `cycle` stands, the state alone: read from the steps' records
    /// without their history, for callers that ask it of hundreds of units (PortalRB). The same
    /// rule as `status(…).state`: submitted when the last submission is not returned.
    public func state(satker: String, cycle: Int) throws -> UnitStatus.State {
        func held(_ id: String) throws -> Bool {
            guard let rec = try store.records.get(id), !rec.isDeleted else { return false }
            return rec.fields["n"] != nil
        }
        // Counted as `status` counts them: up to the first submission or return missing.
        var (submissions, returns) = (0, 0)
        for n in 1...EvaluationCycle.maxSubmissions {
            guard try held(EvaluationCycle.submissionID(satker: satker, cycle: cycle, n: n)) else { break }
            submissions += 1
            guard try held(EvaluationCycle.returnID(satker: satker, cycle: cycle, n: n)) else { break }
            returns += 1
        }
        return UnitStatus.State(submissions: submissions, returns: returns)
    }

    /// The units of this node's subtree (other than itself, unless `includingSelf`) that have
    /// submitted their LKE of `cycle` at least once, in satker order.
    public func queue(cycle: Int, includingSelf: Bool = false) throws -> [UnitStatus] {
        try store.subtree.sorted().compactMap { satker in
            guard includingSelf || satker != store.node,
                try store.records.get(EvaluationCycle.submissionID(satker: satker, cycle: cycle, n: 1)) != nil
            else { return nil }
            return try status(satker: satker, cycle: cycle)
        }
    }

    /// A step's record as held, with when and by whom `field` was last written.
    func step(_ id: String, n: Int, field: String = "n") throws -> (step: Step, record: StoredRecord)? {
        guard let rec = try store.records.get(id), !rec.isDeleted, let made = rec.fields[field] else { return nil }
        let actor =
            try Audit(store: store).history(of: id).last { $0.field == field && $0.outcome == .current }?.actor ?? ""
        return (Step(n: n, hlc: made.hlc, origin: made.origin, actor: actor, note: rec.string("note")), rec)
    }

    /// KPU RI's proposal of `satker` for `cycle`, as held here (nil: none, or withdrawn);
    /// `withActor: false` leaves out who proposed it (read from its history).
    public func proposal(satker: String, cycle: Int, withActor: Bool = true) throws -> Proposal? {
        guard let rec = try store.records.get(EvaluationCycle.proposalID(satker: satker, cycle: cycle)) else {
            return nil
        }
        return try proposal(rec, cycle: cycle, withActor: withActor)
    }

    /// Every proposal of `cycle` held here, in satker order (`withActor` as for one).
    public func proposals(cycle: Int, withActor: Bool = true) throws -> [Proposal] {
        try store.records.list(.lkeUsulan).compactMap { rec in
            guard rec["cycle"].intValue == Int64(cycle) else { return nil }
            return try proposal(rec, cycle: cycle, withActor: withActor)
        }.sorted { $0.satker < $1.satker }
    }

    private func proposal(_ rec: StoredRecord, cycle: Int, withActor: Bool) throws -> Proposal? {
        guard !rec.isDeleted, let category = rec.string("category"), let n = rec["n"].intValue,
            let made = rec.fields["category"]
        else { return nil }
        let actor =
            withActor ? try Audit(store: store).history(of: rec.id).last { $0.field == "category" }?.actor ?? "" : ""
        return Proposal(
            satker: rec.owner, cycle: cycle, category: category, n: Int(n), score: rec.string("score"),
            override: rec.string("override"), hlc: made.hlc, actor: actor)
    }

    /// SHA-256 of a layer's answers as `code=answer` lines in code order: what a submission
    /// records, so anyone can see whether the answers changed since.
    public static func answersHash(_ answers: [String: String]) -> String {
        var text = ""
        for code in answers.keys.sorted() { text += "\(code)=\(answers[code]!)\n" }
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - The steps

    /// Submits this office's own LKE of `cycle` (penilaian mandiri): records the score and the hash
    /// of its answers; from then on its unit layer is read-only until a reviewer returns it.
    @discardableResult
    public func submit(cycle: Int, note: String?, actor: String) throws -> Submission {
        let satker = store.node
        let now = try status(satker: satker, cycle: cycle)
        if now.state == .submitted, let last = now.submissions.last {
            throw ZISyncError(
                "\(satker) submitted its LKE for \(cycle) already (submission \(last.step.n), \(last.step.day)): it is read-only until it is returned"
            )
        }
        let n = now.submissions.count + 1
        guard n <= EvaluationCycle.maxSubmissions else {
            throw ZISyncError("\(satker)'s LKE for \(cycle) was submitted \(n - 1) times: no more submissions")
        }
        let scored = try ScoredLKE(store: store, satker: satker, cycle: cycle, layer: .unit)
        let given = LKEAnswers.given(scored.answers[.unit] ?? [:])
        guard !given.isEmpty else {
            throw ZISyncError("\(satker) has no answer in its LKE for \(cycle): nothing to submit")
        }
        var fields: [String: FieldValue] = [
            "satker": .string(satker), "cycle": .int(Int64(cycle)), "n": .int(Int64(n)),
            "answers_hash": .string(Self.answersHash(given)),
            "score": .string(String(format: "%.2f", scored.score.total)),
            "answered": .int(Int64(given.count)),
        ]
        if let note = note?.trimmedOfWhitespace, !note.isEmpty { fields["note"] = .string(note) }
        let id = EvaluationCycle.submissionID(satker: satker, cycle: cycle, n: n)
        try store.write(type: .lkeKirim, recordID: id, owner: satker, fields: fields, actor: actor)
        return try status(satker: satker, cycle: cycle).submissions[n - 1]
    }

    /// Returns `satker`'s submitted LKE for revision, with a note and per-item notes (written in
    /// this office's layer: provinsi at the province, tpi at KPU RI), in one transaction.
    @discardableResult
    public func returnForRevision(
        satker: String, cycle: Int, note: String, items: [(code: String, note: String)], actor: String
    ) throws -> Return {
        let now = try status(satker: satker, cycle: cycle)
        let n = try underAssessment(now, doing: "return")
        let note = note.trimmedOfWhitespace
        guard !note.isEmpty else { throw ZISyncError("a return needs a note saying what to revise (--note)") }
        let layer: AssessmentLayer = store.node == SatkerRegistry.root ? .tpi : .provinsi
        var fields: [String: FieldValue] = [
            "satker": .string(satker), "cycle": .int(Int64(cycle)), "n": .int(Int64(n)), "note": .string(note),
        ]
        if !items.isEmpty { fields["items"] = .string(items.map(\.code).joined(separator: ",")) }
        try store.writeBatch { writer in
            for item in items {
                try writer.write(
                    type: .lkeAnswer,
                    recordID: Assessment.answerID(satker: satker, cycle: cycle, layer: layer, code: item.code),
                    owner: satker,
                    fields: [
                        "satker": .string(satker), "cycle": .int(Int64(cycle)), "layer": .string(layer.rawValue),
                        "code": .string(item.code), "note": .string(item.note),
                    ], actor: actor)
            }
            try writer.write(
                type: .lkeKembali, recordID: EvaluationCycle.returnID(satker: satker, cycle: cycle, n: n),
                owner: satker, fields: fields, actor: actor)
        }
        return try status(satker: satker, cycle: cycle).returns[n - 1]
    }

    /// The province's verdict on a kab/kota's submission under assessment (penilaian pendahuluan),
    /// given once: a layak one sends it on to the TPI, which alone may return it from then on.
    @discardableResult
    public func giveVerdict(
        satker: String, cycle: Int, verdict: ProvinceVerdict, note: String?, actor: String
    ) throws -> Verdict {
        let now = try status(satker: satker, cycle: cycle)
        let n = try underAssessment(now, doing: "give a verdict on")
        if let given = now.verdicts.first(where: { $0.step.n == n }) {
            throw ZISyncError(
                "the verdict on submission \(n) of \(satker)'s LKE for \(cycle) was given already (\(given.verdict.rawValue), \(given.step.day)): it stands as given"
            )
        }
        var fields: [String: FieldValue] = [
            "satker": .string(satker), "cycle": .int(Int64(cycle)), "n": .int(Int64(n)),
            "verdict": .string(verdict.rawValue),
        ]
        if let note = note?.trimmedOfWhitespace, !note.isEmpty { fields["note"] = .string(note) }
        try store.write(
            type: .lkePutusan, recordID: EvaluationCycle.verdictID(satker: satker, cycle: cycle, n: n), owner: satker,
            fields: fields, actor: actor)
        return try status(satker: satker, cycle: cycle).verdict!
    }

    /// The TPI's conclusion on the submission under assessment (at KPU RI): a member drafts it,
    /// the team lead agrees, the technical controller makes it final. A kab/kota's needs its
    /// province's layak verdict first.
    @discardableResult
    public func conclude(
        satker: String, cycle: Int, conclusion: TPIConclusion, step: TPIStep, note: String?, actor: String
    ) throws -> Conclusion {
        guard store.node == SatkerRegistry.root else {
            throw ZISyncError("the TPI concludes at KPU RI: run this on the node of 00, not \(store.node)")
        }
        let now = try status(satker: satker, cycle: cycle)
        let n = try underAssessment(now, doing: "conclude on")
        if store.registry[satker]?.level == .kabkota {
            guard let verdict = now.verdict else {
                throw ZISyncError(
                    "\(satker)'s province has given no verdict on submission \(n) yet: the TPI concludes after it")
            }
            guard verdict.verdict == .layak else {
                throw ZISyncError("\(satker)'s province found submission \(n) belum layak: it does not go to the TPI")
            }
        }
        var fields: [String: FieldValue] = [
            "satker": .string(satker), "cycle": .int(Int64(cycle)), "n": .int(Int64(n)),
            "conclusion": .string(conclusion.rawValue), "step": .string(step.rawValue),
        ]
        if let note = note?.trimmedOfWhitespace, !note.isEmpty { fields["note"] = .string(note) }
        try store.write(
            type: .lkeSimpulan, recordID: EvaluationCycle.conclusionID(satker: satker, cycle: cycle, n: n),
            owner: satker, fields: fields, actor: actor)
        return try status(satker: satker, cycle: cycle).conclusion!
    }

    /// The submission under assessment, or why there is none to `doing`.
    func underAssessment(_ s: UnitStatus, doing: String) throws -> Int {
        switch s.state {
        case .draft:
            throw ZISyncError("\(s.satker) has not submitted its LKE for \(s.cycle): nothing to \(doing)")
        case .returned:
            throw ZISyncError(
                "\(s.satker)'s LKE for \(s.cycle) was returned (revision \(s.revision)) and not submitted again: nothing to \(doing)"
            )
        case .submitted:
            return s.submissions.last!.step.n
        }
    }
}
