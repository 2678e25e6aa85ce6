/// The evaluation cycle's rules that need other records (issue 22; docs/decisions.md, "The
/// evaluation cycle as records"): a unit's answers are read-only from its submission until that
/// submission is returned; a return, a verdict and the reviewers' layers follow a submission; each
/// step falls in its stage's window. Every rule compares clocks (HLC) of records named by derived
/// ids, never the order things arrived in: a step whose record is not here yet waits for it, so
/// every office ends with the same answers whatever order the changes reached it in.
enum CycleRules {
    typealias Refusal = RelationRules.Refusal
    typealias Lookup = (String) throws -> RelationRules.Related?

    static func check(_ change: Change, lookup: Lookup) rethrows -> Refusal? {
        let t = change.hlc
        switch RecordType(rawValue: change.recordType) {
        case .lkeJadwal:
            return try windowChange(change, lookup: lookup)
        case .lkeAnswer:
            guard let id = Assessment.parseAnswerID(change.recordID) else { return nil }
            switch id.layer {
            case .unit:
                var stage = EvaluationStage.mandiri
                if let k = try latestSubmission(satker: id.satker, cycle: id.cycle, before: t, lookup: lookup) {
                    let returnID = EvaluationCycle.returnID(satker: id.satker, cycle: id.cycle, n: k.n)
                    guard let returned = try lookup(returnID) else {
                        return Refusal(
                            "\(id.satker) submitted its LKE for \(id.cycle) (submission \(k.n), \(EvaluationCycle.day(of: k.hlc))): its unit layer is read-only until the submission is returned",
                            awaiting: returnID)
                    }
                    guard let r = returned.written("n"), r.hlc < t else {
                        return Refusal(
                            "written while submission \(k.n) of \(id.satker)'s LKE for \(id.cycle) was under assessment, before it was returned"
                        )
                    }
                    stage = EvaluationCycle.reviewStage(origin: r.origin)
                }
                return try window(stage, cycle: id.cycle, at: t, lookup: lookup)
            case .provinsi, .tpi:
                if let refusal = try submitted(satker: id.satker, cycle: id.cycle, n: 1, before: t, lookup: lookup) {
                    return refusal
                }
                return try window(id.layer == .provinsi ? .pendahuluan : .tpi, cycle: id.cycle, at: t, lookup: lookup)
            }
        case .lkeKirim:
            guard let id = EvaluationCycle.parseStepID(change.recordID, type: .lkeKirim) else { return nil }
            if try lookup(change.recordID) != nil {
                return Refusal(
                    "submission \(id.n) of \(id.satker)'s LKE for \(id.cycle) was made already; it stands as made (a return opens the next)"
                )
            }
            var stage = EvaluationStage.mandiri
            if id.n > 1 {
                let returnID = EvaluationCycle.returnID(satker: id.satker, cycle: id.cycle, n: id.n - 1)
                guard let returned = try lookup(returnID) else {
                    return Refusal(
                        "submission \(id.n) of \(id.satker)'s LKE for \(id.cycle) needs submission \(id.n - 1) returned first",
                        awaiting: returnID)
                }
                guard let r = returned.written("n"), r.hlc < t else {
                    return Refusal("submission \(id.n) is stamped before the return of submission \(id.n - 1)")
                }
                stage = EvaluationCycle.reviewStage(origin: r.origin)
            }
            return try window(stage, cycle: id.cycle, at: t, lookup: lookup)
        case .lkeKembali:
            guard let id = EvaluationCycle.parseStepID(change.recordID, type: .lkeKembali) else { return nil }
            if try lookup(change.recordID) != nil {
                return Refusal("submission \(id.n) of \(id.satker)'s LKE for \(id.cycle) was returned already")
            }
            if let refusal = try submitted(satker: id.satker, cycle: id.cycle, n: id.n, before: t, lookup: lookup) {
                return refusal
            }
            if let refusal = try returner(change, id: id, lookup: lookup) { return refusal }
            return try window(
                EvaluationCycle.reviewStage(origin: change.origin), cycle: id.cycle, at: t, lookup: lookup)
        case .lkePutusan:
            guard let id = EvaluationCycle.parseStepID(change.recordID, type: .lkePutusan) else { return nil }
            if try lookup(change.recordID) != nil {
                return Refusal(
                    "the verdict on submission \(id.n) of \(id.satker)'s LKE for \(id.cycle) was given already; it stands as given"
                )
            }
            if let refusal = try submitted(satker: id.satker, cycle: id.cycle, n: id.n, before: t, lookup: lookup) {
                return refusal
            }
            let returnID = EvaluationCycle.returnID(satker: id.satker, cycle: id.cycle, n: id.n)
            if let back = try lookup(returnID)?.written("n"), back.hlc < t {
                return Refusal(
                    "submission \(id.n) of \(id.satker)'s LKE for \(id.cycle) was returned: no verdict on it")
            }
            return try window(.pendahuluan, cycle: id.cycle, at: t, lookup: lookup)
        case .lkeSimpulan:
            return try conclusion(change, lookup: lookup)
        case .lkeUsulan:
            return try proposal(change, lookup: lookup)
        case .lkePrasyarat:
            for id in Validation.lkeCodes(change.fields["evidence"]?.stringValue ?? "") {
                guard let target = try lookup(id) else {
                    return Refusal("the prerequisite's bukti dukung \(id) is not evidence here", awaiting: id)
                }
                guard target.type == RecordType.evidence.rawValue, target.owner == change.owner else {
                    return Refusal("the prerequisite's bukti dukung \(id) is not evidence of \(change.owner)")
                }
            }
            return nil
        default:
            return nil
        }
    }

    /// The TPI's conclusion on submission N: after the submission and (for a kab/kota) its
    /// province's layak verdict, not on a returned one; its steps only go forward, and once the
    /// technical controller made it final it stands.
    static func conclusion(_ change: Change, lookup: Lookup) rethrows -> Refusal? {
        guard let id = EvaluationCycle.parseStepID(change.recordID, type: .lkeSimpulan) else { return nil }
        let t = change.hlc
        if let existing = try lookup(change.recordID), let was = existing.text("step").flatMap(TPIStep.init) {
            if was == .dalnis {
                return Refusal("the TPI's conclusion on submission \(id.n) of \(id.satker)'s LKE is final; it stands")
            }
            if let now = change.fields["step"]?.stringValue.flatMap(TPIStep.init), now < was {
                return Refusal("the TPI's conclusion is at the step of the \(was.title): its steps only go forward")
            }
        }
        if let refusal = try submitted(satker: id.satker, cycle: id.cycle, n: id.n, before: t, lookup: lookup) {
            return refusal
        }
        let returnID = EvaluationCycle.returnID(satker: id.satker, cycle: id.cycle, n: id.n)
        if let back = try lookup(returnID)?.written("n"), back.hlc < t {
            return Refusal("submission \(id.n) of \(id.satker)'s LKE was returned: no conclusion on it")
        }
        if try lookup("satker:\(id.satker)")?.text("level") == SatkerLevel.kabkota.rawValue {
            let verdictID = EvaluationCycle.verdictID(satker: id.satker, cycle: id.cycle, n: id.n)
            guard let verdict = try lookup(verdictID), let given = verdict.written("verdict") else {
                return Refusal(
                    "the TPI concludes on \(id.satker)'s submission \(id.n) after its province's verdict",
                    awaiting: verdictID)
            }
            guard verdict.text("verdict") == ProvinceVerdict.layak.rawValue, given.hlc < t else {
                return Refusal(
                    "\(id.satker)'s submission \(id.n) is not in evaluasi TPI: its province found it \(verdict.text("verdict") ?? "-")"
                )
            }
        }
        return try window(.tpi, cycle: id.cycle, at: t, lookup: lookup)
    }

    /// KPU RI's proposal: of a submission here, in the usulan window, and (unless it states the
    /// override and why) with the TPI's final conclusion memenuhi before it. Withdrawing one
    /// (deleting it) asks nothing.
    static func proposal(_ change: Change, lookup: Lookup) rethrows -> Refusal? {
        guard let id = EvaluationCycle.parseOwnedID(change.recordID, prefix: "usulan:", last: false) else { return nil }
        if change.fields[RecordSchema.deletedField] == .bool(true) { return nil }
        let existing = try lookup(change.recordID)
        guard let n = change.fields["n"]?.intValue.map(Int.init) ?? existing?.text("n").flatMap({ Int($0) }) else {
            return nil  // the required fields' rule says why
        }
        let t = change.hlc
        if let refusal = try submitted(satker: id.satker, cycle: id.cycle, n: n, before: t, lookup: lookup) {
            return refusal
        }
        let overridden = !(change.fields["override"]?.stringValue ?? existing?.text("override") ?? "").isEmpty
        if !overridden {
            let conclusionID = EvaluationCycle.conclusionID(satker: id.satker, cycle: id.cycle, n: n)
            guard let conclusion = try lookup(conclusionID), let made = conclusion.written("step") else {
                return Refusal(
                    "\(id.satker) is proposed after the TPI's final conclusion on submission \(n) (or with an override)",
                    awaiting: conclusionID)
            }
            guard conclusion.text("step") == TPIStep.dalnis.rawValue,
                conclusion.text("conclusion") == TPIConclusion.memenuhi.rawValue, made.hlc < t
            else {
                return Refusal(
                    "the TPI's conclusion on \(id.satker)'s submission \(n) is not a final memenuhi: a proposal needs one, or an override with its reason"
                )
            }
        }
        return try window(.usulan, cycle: id.cycle, at: t, lookup: lookup)
    }

    /// Which reviewer may return a kab/kota's submission, so that one submission has one return
    /// whatever order things arrive in: its province until it finds it layak, KPU RI's TPI only
    /// after. The verdict is written once, so the two never both hold.
    static func returner(_ change: Change, id: (satker: String, cycle: Int, n: Int), lookup: Lookup) rethrows
        -> Refusal?
    {
        let verdictID = EvaluationCycle.verdictID(satker: id.satker, cycle: id.cycle, n: id.n)
        let verdict = try lookup(verdictID)
        let layak = verdict?.text("verdict") == ProvinceVerdict.layak.rawValue
        if change.origin == SatkerRegistry.root {
            // A province's or KPU RI's own LKE goes to the TPI straight: no verdict is asked.
            let level = try lookup("satker:\(id.satker)")?.text("level")
            guard level == SatkerLevel.kabkota.rawValue else { return nil }
            guard let given = verdict?.written("verdict") else {
                return Refusal(
                    "KPU RI returns \(id.satker)'s submission \(id.n) in evaluasi TPI, after its province's verdict",
                    awaiting: verdictID)
            }
            guard layak, given.hlc < change.hlc else {
                return Refusal(
                    "\(id.satker)'s submission \(id.n) is not in evaluasi TPI: its province found it \(verdict?.text("verdict") ?? "-") (only a layak one goes on)"
                )
            }
            return nil
        }
        if layak, let given = verdict?.written("verdict"), given.hlc < change.hlc {
            return Refusal(
                "the province found \(id.satker)'s submission \(id.n) layak: from then on only KPU RI's TPI returns it")
        }
        return nil
    }

    /// The last submission of `satker`'s LKE for `cycle` made before `t`, as held here.
    static func latestSubmission(satker: String, cycle: Int, before t: HLC, lookup: Lookup) rethrows -> (
        n: Int, hlc: HLC
    )? {
        var last: (n: Int, hlc: HLC)?
        for n in 1...EvaluationCycle.maxSubmissions {
            guard let rec = try lookup(EvaluationCycle.submissionID(satker: satker, cycle: cycle, n: n)),
                let w = rec.written("n"), w.hlc < t
            else { break }
            last = (n, w.hlc)
        }
        return last
    }

    /// Why a step that follows submission `n` may not stand: the submission is not here (it waits
    /// for it), or was made after the step.
    static func submitted(satker: String, cycle: Int, n: Int, before t: HLC, lookup: Lookup) rethrows -> Refusal? {
        let id = EvaluationCycle.submissionID(satker: satker, cycle: cycle, n: n)
        guard let kirim = try lookup(id) else {
            return Refusal("\(satker) has not submitted its LKE for \(cycle) (submission \(n))", awaiting: id)
        }
        guard let k = kirim.written("n"), k.hlc < t else {
            return Refusal("written before \(satker) submitted its LKE for \(cycle) (submission \(n))")
        }
        return nil
    }

    /// Why a step of `stage` written at `t` falls outside the stage's window, when KPU RI has set
    /// one here. It waits for the window's record: an extension KPU RI makes later lets it in.
    static func window(_ stage: EvaluationStage, cycle: Int, at t: HLC, lookup: Lookup) rethrows -> Refusal? {
        let id = EvaluationCycle.windowID(cycle: cycle, stage: stage)
        guard let w = try lookup(id), let from = w.text("from"), let to = w.text("to") else { return nil }
        let day = EvaluationCycle.day(of: t)
        guard day < from || day > to else { return nil }
        return Refusal(
            "outside the window of \(stage.title) \(cycle), \(from) to \(to) (set by KPU RI): written on \(day)",
            awaiting: id)
    }

    /// A window's own change: it starts before it ends, and once it has opened its start stays and
    /// its end only moves later, so no step already taken in it falls outside it afterwards.
    static func windowChange(_ change: Change, lookup: Lookup) rethrows -> Refusal? {
        if change.fields[RecordSchema.deletedField] != nil {
            return Refusal("a stage's window is not deleted: set its dates")
        }
        let existing = try lookup(change.recordID)
        let from = change.fields["from"]?.stringValue ?? existing?.text("from")
        let to = change.fields["to"]?.stringValue ?? existing?.text("to")
        guard let from, let to else { return nil }  // the required fields' rule says why
        if to < from { return Refusal("the window ends (\(to)) before it starts (\(from))") }
        let day = EvaluationCycle.day(of: change.hlc)
        if let opened = existing?.text("from"), opened <= day, let closes = existing?.text("to") {
            if from != opened {
                return Refusal("the window opened on \(opened): its start stays (only its end may move later)")
            }
            if to < closes {
                return Refusal("the window has opened: its end may move later than \(closes), not earlier")
            }
        }
        return nil
    }
}
