/// The LKE assessment as records (issue 11): one answer per satker × cycle × layer × input code,
/// its record id derived from those four so that two offices answering the same question offline
/// write the same record and meet in the merge; and the predikat KPU RI grants.
public enum AssessmentLayer: String, Sendable, CaseIterable {
    /// The office's own self-assessment (entered by it, or on its behalf by an office above it).
    case unit
    /// The province's penilaian pendahuluan of one of its kab/kota.
    case provinsi
    /// The Tim Penilai Internal (Inspektorat KPU RI), for any satker.
    case tpi
}

public enum Assessment {
    static let answerPrefix = "jawaban:"
    static let predikatPrefix = "predikat:"

    /// `jawaban:SATKER:CYCLE:LAYER:CODE`.
    public static func answerID(satker: String, cycle: Int, layer: AssessmentLayer, code: String) -> String {
        "\(answerPrefix)\(satker):\(cycle):\(layer.rawValue):\(code)"
    }

    /// The parts of an answer's record id, nil when it is not one.
    public static func parseAnswerID(_ id: String) -> (
        satker: String, cycle: Int, layer: AssessmentLayer, code: String
    )? {
        guard id.hasPrefix(answerPrefix) else { return nil }
        let parts = id.dropFirst(answerPrefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, Validation.isSatkerCode(String(parts[0])), let cycle = Int(parts[1]),
            (2000...2100).contains(cycle), let layer = AssessmentLayer(rawValue: String(parts[2])), !parts[3].isEmpty
        else { return nil }
        return (String(parts[0]), cycle, layer, String(parts[3]))
    }

    /// `predikat:SATKER:YEAR`.
    public static func predikatID(satker: String, year: Int) -> String { "\(predikatPrefix)\(satker):\(year)" }

    /// Which office may write `layer` of `satker`'s LKE, in words, and whether `origin` is it.
    static func layerRule(_ layer: AssessmentLayer, satker: String, origin: String, registry: SatkerRegistry)
        -> String?
    {
        switch layer {
        case .unit:
            // The office's own answers, by the office alone: its submission locks them, and only
            // one writer's chain gives every office the same order of answers and submissions
            // (docs/decisions.md, "The unit layer is the unit's alone").
            return origin == satker
                ? nil : "layer unit of \(satker)'s LKE may be written only by \(satker) itself, not by \(origin)"
        case .provinsi:
            guard let office = registry[satker], office.level == .kabkota, let province = office.parent else {
                return "layer provinsi exists only for a kab/kota's LKE; \(satker) is not a kab/kota"
            }
            return origin == province
                ? nil
                : "layer provinsi of \(satker)'s LKE may be written only by \(province) (its province), not by \(origin)"
        case .tpi:
            return origin == SatkerRegistry.root
                ? nil : "layer tpi of \(satker)'s LKE may be written only by KPU RI (00), not by \(origin)"
        }
    }

    /// The rules of an answer change: its id and fields agree, its layer's writer, its code is an
    /// input of the catalogue and its answer fits the code's answer type.
    static func refusal(of change: Change, registry: SatkerRegistry, lkeRow: (String) -> LKERow?) -> String? {
        guard let id = parseAnswerID(change.recordID) else {
            return "an LKE answer's record id must be jawaban:SATKER:CYCLE:LAYER:CODE, not '\(change.recordID)'"
        }
        guard registry.contains(id.satker), change.owner == id.satker else {
            return "an LKE answer of \(id.satker) must be owned by \(id.satker), not by \(change.owner)"
        }
        let stated: [(String, FieldValue)] = [
            ("satker", .string(id.satker)), ("cycle", .int(Int64(id.cycle))), ("layer", .string(id.layer.rawValue)),
            ("code", .string(id.code)),
        ]
        for (name, value) in stated {
            if let given = change.fields[name], given != value {
                return "field '\(name)' is \(given) but the record id says \(value)"
            }
        }
        if let rule = layerRule(id.layer, satker: id.satker, origin: change.origin, registry: registry) { return rule }
        guard let row = lkeRow(id.code) else { return "unknown LKE code '\(id.code)' (see `zisync lke list`)" }
        guard row.isInput, let type = row.answerType else {
            return row.answerType == .persen
                ? "\(id.code) is a persen row: it takes no answer, it is computed from its jumlah rows"
                : "\(id.code) is a \(row.level) row, not a question: only questions, jumlah rows and hasil items take an answer"
        }
        if let answer = change.fields["answer"], answer != .null {
            guard let text = answer.stringValue else { return "field 'answer' must be text" }
            if case .failure(let e) = type.normalize(text) { return "\(id.code): \(e.description)" }
        }
        if let evidence = change.fields["evidence"]?.stringValue {
            for part in Validation.lkeCodes(evidence) where !Validation.isRecordID(part) {
                return "field 'evidence' must list ids of bukti dukung, not '\(part.prefix(40))'"
            }
        }
        return nil
    }
}

/// What the catalogue says of one code, for the write rules.
public struct LKERow: Sendable, Equatable {
    public let level: String
    public let answerType: LKEAnswerType?

    public init(level: String, answerType: LKEAnswerType?) {
        self.level = level
        self.answerType = answerType
    }

    public var isInput: Bool {
        switch level {
        case "pertanyaan": answerType != nil && answerType != .persen
        case "jumlah", "hasil": answerType != nil
        default: false
        }
    }
}
