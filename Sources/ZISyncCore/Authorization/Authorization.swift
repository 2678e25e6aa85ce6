/// Who may write what (brief §7). Pure rules: the same checks run on a local write,
/// on a bundle import and at a parent receiving a push, so an honest node never
/// produces a change its parent refuses.
public struct Authorization: Sendable {
    public let registry: SatkerRegistry
    public let lkeCodeExists: @Sendable (String) -> Bool
    /// What the catalogue says of an LKE code (its level and answer type), for answers.
    public let lkeRow: @Sendable (String) -> LKERow?

    public init(
        registry: SatkerRegistry, lkeCodeExists: @escaping @Sendable (String) -> Bool,
        lkeRow: @escaping @Sendable (String) -> LKERow? = { _ in nil }
    ) {
        self.registry = registry
        self.lkeCodeExists = lkeCodeExists
        self.lkeRow = lkeRow
    }

    /// The door rule: an office (a child pushing, a bundle's author) may deliver only changes
    /// whose origin lies in its own subtree. Returns the reason when `origin` may not come from `sender`.
    public func doorRefusal(origin: String, sender: String) -> String? {
        registry.isInSubtree(origin, of: sender)
            ? nil : "origin \(origin) is outside the subtree of the sender \(sender)"
    }

    /// Returns the reason `change` must be refused by the write rules, or nil when its origin
    /// may make it.
    public func refusal(of change: Change) -> String? {
        guard registry.contains(change.origin) else { return "unknown origin satker '\(change.origin)'" }
        guard let type = RecordType(rawValue: change.recordType) else {
            return "unknown record type '\(change.recordType)'"
        }
        guard registry.contains(change.owner) else { return "unknown owner satker '\(change.owner)'" }
        guard Validation.isRecordID(change.recordID, of: type) else {
            let id = String(change.recordID.prefix(80))
            return type.idPrefix.map {
                "the id of a record of type \(type.rawValue) must start with '\($0)', not '\(id)'"
            }
                ?? "the id of a record of type \(type.rawValue) must be a UUID, not '\(id)'"
        }
        if change.fields.isEmpty { return "the change writes no field" }
        if change.actor.isEmpty || change.actor.utf8.count > 200 { return "the actor must be 1–200 bytes" }
        if change.actor.unicodeScalars.contains(where: ControlCharacters.contains) {
            return "the actor holds a control character"
        }
        if let problem = writeRule(type: type, origin: change.origin, owner: change.owner) { return problem }
        let schema = type.schema
        for (name, value) in change.fields.sorted(by: { $0.key < $1.key }) {
            if let problem = schema.problem(field: name, value: value, lkeCodeExists: lkeCodeExists) {
                return problem
            }
        }
        for field in change.base.keys where change.fields[field] == nil {
            return "base names field '\(field)' that the change does not write"
        }
        switch type {
        case .lkeAnswer: return Assessment.refusal(of: change, registry: registry, lkeRow: lkeRow)
        case .predikat:
            let satker = change.fields["satker"]?.stringValue ?? ""
            let year = change.fields["year"]?.intValue ?? 0
            guard registry.contains(satker), change.recordID == Assessment.predikatID(satker: satker, year: Int(year))
            else { return "a predikat's record id must be predikat:SATKER:YEAR of its satker and year" }
            return nil
        case .lkeJadwal, .lkeKirim, .lkeKembali, .lkePutusan, .lkeSimpulan, .lkeUsulan, .lkePrasyarat:
            return EvaluationCycle.refusal(of: change, type: type, registry: registry)
        default: return nil
        }
    }

    /// Whether office `origin` may write a record of `type` owned by `owner`.
    public func writeRule(type: RecordType, origin: String, owner: String) -> String? {
        if type.isReference {
            if origin != SatkerRegistry.root || owner != SatkerRegistry.root {
                return "\(type.rawValue) is reference data: only KPU RI (00) may write it"
            }
            return nil
        }
        // Its layer decides (Assessment.layerRule), or the step's own rule (EvaluationCycle).
        if type == .lkeAnswer || type.isCycleStep { return nil }
        if type == .review {
            if !registry.isStrictAncestor(origin, of: owner) {
                return "a review of \(owner)'s record may only be written by an office above it, not by \(origin)"
            }
            return nil
        }
        if !registry.isInSubtree(owner, of: origin) {
            return "\(origin) may not write a record owned by \(owner) (outside its subtree)"
        }
        return nil
    }
}
