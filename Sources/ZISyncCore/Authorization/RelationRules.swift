/// The rules that need other records (docs/security.md): a review names a subject that is here,
/// of the stated type and owned by the review's owner, and its reviewer_satker is the office
/// writing it; evidence links only to a plan of its own owner; an LKE answer's bukti dukung are
/// evidence of the satker it answers for. Pure: the records come from `lookup`, so the same
/// rules hold for a local write and a received change, whatever the store.
public enum RelationRules {
    /// What a rule needs of a record: its type, owner, its text fields, and when and by whom a
    /// field's standing value was written.
    public struct Related: Sendable {
        public let type: String
        public let owner: String
        public let text: @Sendable (String) -> String?
        public let written: @Sendable (String) -> (hlc: HLC, origin: String)?

        public init(
            type: String, owner: String, text: @escaping @Sendable (String) -> String?,
            written: @escaping @Sendable (String) -> (hlc: HLC, origin: String)? = { _ in nil }
        ) {
            self.type = type
            self.owner = owner
            self.text = text
            self.written = written
        }
    }

    /// Why a change may not be applied, and whether only the order of arrival is to blame.
    public struct Refusal: Sendable, Equatable {
        public let reason: String
        /// The record whose absence alone refuses the change: it may still arrive (a review that
        /// came before its subject), so the change waits for it instead of being refused for good.
        public let awaiting: String?

        public init(_ reason: String, awaiting: String? = nil) {
            self.reason = reason
            self.awaiting = awaiting
        }
    }

    /// Why `change` may not be applied, or nil. `lookup(id)` is the record `id` as held here
    /// (nil when it is not); it is asked for the change's own record too.
    public static func refusal(of change: Change, lookup: (String) throws -> Related?) rethrows -> String? {
        try check(change, lookup: lookup)?.reason
    }

    /// `refusal(of:lookup:)` with what the change would wait for.
    public static func check(_ change: Change, lookup: (String) throws -> Related?) rethrows -> Refusal? {
        switch RecordType(rawValue: change.recordType) {
        case .review: return try reviewRefusal(change, lookup: lookup)
        case .evidence:
            guard let plan = change.fields["plan"], !plan.isNull else { return nil }
            guard let planID = plan.stringValue else {
                return Refusal("the evidence's plan \(plan) is not a record id")
            }
            guard let target = try lookup(planID) else {
                return Refusal("the evidence's plan \(planID) is not here", awaiting: planID)
            }
            guard target.type == RecordType.actionPlan.rawValue else {
                return Refusal("the evidence's plan \(planID) is a \(target.type), not an action_plan")
            }
            guard target.owner == change.owner else {
                return Refusal(
                    "the evidence is owned by \(change.owner) but its plan \(planID) belongs to \(target.owner)")
            }
            return nil
        case .lkeJadwal, .lkeKirim, .lkeKembali, .lkePutusan, .lkeSimpulan, .lkeUsulan, .lkePrasyarat:
            return try CycleRules.check(change, lookup: lookup)
        case .lkeAnswer:
            for id in Validation.lkeCodes(change.fields["evidence"]?.stringValue ?? "") {
                guard let target = try lookup(id) else {
                    return Refusal("the answer's bukti dukung \(id) is not evidence here", awaiting: id)
                }
                guard target.type == RecordType.evidence.rawValue else {
                    return Refusal("the answer's bukti dukung \(id) is not evidence here")
                }
                guard target.owner == change.owner else {
                    return Refusal("the answer's bukti dukung \(id) belongs to \(target.owner), not to \(change.owner)")
                }
            }
            return try CycleRules.check(change, lookup: lookup)
        default:
            return nil
        }
    }

    static func reviewRefusal(_ change: Change, lookup: (String) throws -> Related?) rethrows -> Refusal? {
        let existing = try lookup(change.recordID)
        if let written = change.fields["reviewer_satker"] {
            guard written.stringValue == change.origin else {
                return Refusal(
                    "a review's reviewer_satker must be the office writing it (\(change.origin)), not '\(written)'")
            }
        } else if existing == nil {
            return Refusal("a new review must name its reviewer_satker (\(change.origin))")
        }
        guard change.fields["subject"] != nil || change.fields["subject_type"] != nil || existing == nil else {
            return nil
        }
        guard let subjectID = change.fields["subject"]?.stringValue ?? existing?.text("subject"),
            let subjectType = change.fields["subject_type"]?.stringValue ?? existing?.text("subject_type")
        else { return Refusal("a review must name its subject and subject_type") }
        guard let subject = try lookup(subjectID) else {
            return Refusal("the review's subject \(subjectID) is not here", awaiting: subjectID)
        }
        guard subject.type == subjectType else {
            return Refusal("the review's subject \(subjectID) is a \(subject.type), not a \(subjectType)")
        }
        guard subject.owner == change.owner else {
            return Refusal(
                "the review is owned by \(change.owner) but its subject \(subjectID) belongs to \(subject.owner)")
        }
        return nil
    }
}
