import Foundation

/// The evaluation cycle inside KPU (issue 22, evaluation.md §1): each stage's window, a unit's
/// submissions, the reviewers' returns and the province's verdict, as records with derived ids
/// (`jadwal:`, `kirim:`, `kembali:`, `putusan:`), so that the rules read one record by its id
/// and every office decides alike (`CycleRules`).
public enum EvaluationStage: String, Sendable, CaseIterable {
    case mandiri = "penilaian-mandiri"
    case pendahuluan = "penilaian-pendahuluan"
    case tpi = "evaluasi-tpi"
    case usulan
    /// KemenPANRB's own evaluation (TPN) after the proposal: evidence links for its evaluators
    /// work until this window closes (issue 23).
    case tpn = "evaluasi-tpn"

    /// The stage's name as people say it.
    public var title: String {
        switch self {
        case .mandiri: "penilaian mandiri"
        case .pendahuluan: "penilaian pendahuluan"
        case .tpi: "evaluasi TPI"
        case .usulan: "usulan"
        case .tpn: "evaluasi TPN (KemenPANRB)"
        }
    }
}

/// The province's verdict on a kab/kota's submitted LKE (penilaian pendahuluan).
public enum ProvinceVerdict: String, Sendable, CaseIterable {
    case layak
    case belumLayak = "belum-layak"
}

/// The TPI's conclusion on a submitted LKE (evaluasi TPI).
public enum TPIConclusion: String, Sendable, CaseIterable {
    case memenuhi
    case belumMemenuhi = "belum-memenuhi"
}

/// The TPI's sub-steps, in order: a member drafts the conclusion, the team lead agrees, the
/// technical controller (pengendali teknis) makes it final.
public enum TPIStep: String, Sendable, CaseIterable, Comparable {
    case anggota, ketua, dalnis

    public static func < (a: TPIStep, b: TPIStep) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    public var title: String {
        switch self {
        case .anggota: "anggota tim"
        case .ketua: "ketua tim"
        case .dalnis: "pengendali teknis"
        }
    }
}

/// The prerequisites that are not LKE scores (Lampiran II, Tabel 5; evaluation.md §1.1): per
/// unit and cycle, and per agency (KPU as a whole, kept at KPU RI as satker 00).
public enum Prerequisite: String, Sendable, CaseIterable {
    case tlhp, lhkpn, lhkasn, pencanangan, sakip
    case bpk
    case sakipInstansi = "sakip-instansi"
    case indeksRB = "indeks-rb"
    case spip

    /// An agency's prerequisite (written by KPU RI for satker 00) rather than a unit's.
    public var isAgency: Bool { [.bpk, .sakipInstansi, .indeksRB, .spip].contains(self) }

    /// Grades of SAKIP and Indeks RB, lowest first.
    public static let grades = ["D", "C", "CC", "B", "BB", "A", "AA"]
    public static let opinions = ["TMP", "TW", "WDP", "WTP"]

    public var title: String {
        switch self {
        case .tlhp: "tindak lanjut hasil pemeriksaan (TLHP)"
        case .lhkpn: "kepatuhan LHKPN"
        case .lhkasn: "kepatuhan LHKASN"
        case .pencanangan: "pencanangan ZI"
        case .sakip: "nilai SAKIP unit"
        case .bpk: "opini BPK"
        case .sakipInstansi: "nilai SAKIP instansi"
        case .indeksRB: "Indeks RB instansi"
        case .spip: "maturitas SPIP instansi"
        }
    }

    /// What the item takes, in words, for refusals.
    public var takes: String {
        switch self {
        case .tlhp, .lhkpn, .lhkasn: "a percentage from 0 to 100 (97.5 or 97,5)"
        case .pencanangan: "a date YYYY-MM-DD"
        case .sakip, .sakipInstansi, .indeksRB: "a grade: \(Self.grades.reversed().joined(separator: ", "))"
        case .bpk: "an opinion: \(Self.opinions.reversed().joined(separator: ", "))"
        case .spip: "a level from 1 to 5"
        }
    }

    /// The value in its one stored form, or nil when it is not one this item takes.
    public func normalize(_ text: String) -> String? {
        let t = text.trimmedOfWhitespace
        switch self {
        case .tlhp, .lhkpn, .lhkasn:
            let dotted = t.replacingOccurrences(of: ",", with: ".")
            guard (1...7).contains(dotted.utf8.count),
                dotted.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2E }),
                let x = Double(dotted), (0...100).contains(x)
            else { return nil }
            return dotted
        case .pencanangan: return Validation.isDate(t) ? t : nil
        case .sakip, .sakipInstansi, .indeksRB: return Self.grades.contains(t.uppercased()) ? t.uppercased() : nil
        case .bpk: return Self.opinions.contains(t.uppercased()) ? t.uppercased() : nil
        case .spip: return ["1", "2", "3", "4", "5"].contains(t) ? t : nil
        }
    }
}

public enum EvaluationCycle {
    /// Submissions (and so returns) per unit and cycle: each return opens one more.
    public static let maxSubmissions = 99

    /// `jadwal:CYCLE:STAGE`.
    public static func windowID(cycle: Int, stage: EvaluationStage) -> String { "jadwal:\(cycle):\(stage.rawValue)" }
    /// `kirim:SATKER:CYCLE:N`.
    public static func submissionID(satker: String, cycle: Int, n: Int) -> String { "kirim:\(satker):\(cycle):\(n)" }
    /// `kembali:SATKER:CYCLE:N`.
    public static func returnID(satker: String, cycle: Int, n: Int) -> String { "kembali:\(satker):\(cycle):\(n)" }
    /// `simpulan:SATKER:CYCLE:N`.
    public static func conclusionID(satker: String, cycle: Int, n: Int) -> String {
        "simpulan:\(satker):\(cycle):\(n)"
    }
    /// `usulan:SATKER:CYCLE`.
    public static func proposalID(satker: String, cycle: Int) -> String { "usulan:\(satker):\(cycle)" }
    /// `prasyarat:SATKER:CYCLE:ITEM`.
    public static func prerequisiteID(satker: String, cycle: Int, item: Prerequisite) -> String {
        "prasyarat:\(satker):\(cycle):\(item.rawValue)"
    }

    /// The parts of an id `PREFIX:SATKER:CYCLE[:LAST]`: the satker, the cycle and the last part
    /// (nil when `last` is false).
    static func parseOwnedID(_ id: String, prefix: String, last: Bool) -> (satker: String, cycle: Int, last: String?)? {
        guard id.hasPrefix(prefix) else { return nil }
        let parts = id.dropFirst(prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == (last ? 3 : 2), Validation.isSatkerCode(String(parts[0])), let cycle = Int(parts[1]),
            (2000...2100).contains(cycle), String(cycle) == parts[1]
        else { return nil }
        return (String(parts[0]), cycle, last ? String(parts[2]) : nil)
    }

    /// `putusan:SATKER:CYCLE:N`.
    public static func verdictID(satker: String, cycle: Int, n: Int) -> String { "putusan:\(satker):\(cycle):\(n)" }

    /// The parts of a `kirim:`, `kembali:` or `putusan:` id, nil when it is not one of `type`.
    public static func parseStepID(_ id: String, type: RecordType) -> (satker: String, cycle: Int, n: Int)? {
        guard let prefix = type.idPrefix, id.hasPrefix(prefix) else { return nil }
        let parts = id.dropFirst(prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, Validation.isSatkerCode(String(parts[0])), let cycle = Int(parts[1]),
            (2000...2100).contains(cycle), parts[2].utf8.count <= 2, let n = Int(parts[2]),
            (1...maxSubmissions).contains(n), String(n) == parts[2]
        else { return nil }
        return (String(parts[0]), cycle, n)
    }

    /// The parts of a `jadwal:` id.
    public static func parseWindowID(_ id: String) -> (cycle: Int, stage: EvaluationStage)? {
        guard id.hasPrefix("jadwal:") else { return nil }
        let parts = id.dropFirst(7).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let cycle = Int(parts[0]), (2000...2100).contains(cycle),
            let stage = EvaluationStage(rawValue: String(parts[1]))
        else { return nil }
        return (cycle, stage)
    }

    /// The offices that review `satker`'s LKE and may return it: a kab/kota's province (in
    /// penilaian pendahuluan) and KPU RI (in evaluasi TPI); any other satker's, KPU RI alone.
    public static func reviewers(of satker: String, registry: SatkerRegistry) -> [String] {
        if let office = registry[satker], office.level == .kabkota, let province = office.parent {
            return [province, SatkerRegistry.root]
        }
        return [SatkerRegistry.root]
    }

    /// The stage a return (or a verdict) by `origin` belongs to.
    public static func reviewStage(origin: String) -> EvaluationStage {
        origin == SatkerRegistry.root ? .tpi : .pendahuluan
    }

    /// The day a change stamped `hlc` was written, in Western Indonesian Time (UTC+7, KPU RI's
    /// Jakarta), as `YYYY-MM-DD`: the day a window is compared with, on every office alike.
    public static func day(of hlc: HLC) -> String {
        let days = (hlc.milliseconds + 7 * 3_600_000) / 86_400_000
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ x: Int64) -> String { x < 10 ? "0\(x)" : "\(x)" }
        return "\(y)-\(two(m))-\(two(d))"
    }

    /// Today in WIB, as `day(of:)` gives it.
    public static func today(_ now: Date = Date()) -> String {
        day(of: HLC(milliseconds: Int64(now.timeIntervalSince1970 * 1000), counter: 0))
    }

    /// The write rules of the cycle's records that read the change alone: the id agrees with the
    /// fields, and the office writing is the one the step belongs to.
    static func refusal(of change: Change, type: RecordType, registry: SatkerRegistry) -> String? {
        switch type {
        case .lkeJadwal:
            guard let id = parseWindowID(change.recordID) else {
                return "a window's record id must be jadwal:CYCLE:STAGE, not '\(change.recordID.prefix(60))'"
            }
            return mismatch(change, [("cycle", .int(Int64(id.cycle))), ("stage", .string(id.stage.rawValue))])
        case .lkeUsulan:
            guard let id = parseOwnedID(change.recordID, prefix: "usulan:", last: false) else {
                return "a proposal's record id must be usulan:SATKER:CYCLE, not '\(change.recordID.prefix(60))'"
            }
            if let problem = owned(change, satker: id.satker, registry: registry, type: type) { return problem }
            if let problem = mismatch(change, [("satker", .string(id.satker)), ("cycle", .int(Int64(id.cycle)))]) {
                return problem
            }
            return change.origin == SatkerRegistry.root
                ? nil : "a unit is proposed to KemenPANRB by KPU RI (00), not by \(change.origin)"
        case .lkePrasyarat:
            guard let id = parseOwnedID(change.recordID, prefix: "prasyarat:", last: true),
                let item = id.last.flatMap(Prerequisite.init(rawValue:))
            else {
                return
                    "a prerequisite's record id must be prasyarat:SATKER:CYCLE:ITEM (ITEM one of \(Prerequisite.allCases.map(\.rawValue).joined(separator: ", "))), not '\(change.recordID.prefix(60))'"
            }
            if let problem = owned(change, satker: id.satker, registry: registry, type: type) { return problem }
            if let problem = mismatch(
                change,
                [("satker", .string(id.satker)), ("cycle", .int(Int64(id.cycle))), ("item", .string(item.rawValue))])
            {
                return problem
            }
            if let value = change.fields["value"], !value.isNull {
                guard let text = value.stringValue, item.normalize(text) == text else {
                    return "\(item.rawValue) takes \(item.takes), not '\(value)'"
                }
            }
            if item.isAgency {
                return id.satker == SatkerRegistry.root && change.origin == SatkerRegistry.root
                    ? nil : "\(item.rawValue) is the agency's: KPU RI (00) writes it for 00"
            }
            return registry.isInSubtree(id.satker, of: change.origin)
                ? nil
                : "\(id.satker)'s prerequisites are written by \(id.satker) or an office above it, not by \(change.origin)"
        default:
            break
        }
        guard let id = parseStepID(change.recordID, type: type) else {
            return
                "a \(type.rawValue)'s record id must be \(type.idPrefix ?? "")SATKER:CYCLE:N (N from 1 to \(maxSubmissions)), not '\(change.recordID.prefix(60))'"
        }
        if let problem = owned(change, satker: id.satker, registry: registry, type: type) { return problem }
        if let problem = mismatch(
            change, [("satker", .string(id.satker)), ("cycle", .int(Int64(id.cycle))), ("n", .int(Int64(id.n)))])
        {
            return problem
        }
        switch type {
        case .lkeKirim:
            return change.origin == id.satker
                ? nil : "only \(id.satker) submits its own LKE, not \(change.origin)"
        case .lkeKembali:
            let reviewers = reviewers(of: id.satker, registry: registry)
            return reviewers.contains(change.origin)
                ? nil
                : "\(id.satker)'s LKE may be returned only by \(reviewers.joined(separator: " or ")), not by \(change.origin)"
        case .lkePutusan:
            guard let office = registry[id.satker], office.level == .kabkota, let province = office.parent else {
                return "a verdict of penilaian pendahuluan exists only for a kab/kota; \(id.satker) is not one"
            }
            return change.origin == province
                ? nil
                : "the verdict on \(id.satker)'s LKE is given by \(province) (its province), not by \(change.origin)"
        case .lkeSimpulan:
            return change.origin == SatkerRegistry.root
                ? nil : "the TPI's conclusion is KPU RI's (00), not \(change.origin)'s"
        default: return nil
        }
    }

    static func owned(_ change: Change, satker: String, registry: SatkerRegistry, type: RecordType) -> String? {
        registry.contains(satker) && change.owner == satker
            ? nil : "a \(type.rawValue) of \(satker) must be owned by \(satker), not by \(change.owner)"
    }

    static func mismatch(_ change: Change, _ stated: [(String, FieldValue)]) -> String? {
        for (name, value) in stated {
            if let given = change.fields[name], given != value {
                return "field '\(name)' is \(given) but the record id says \(value)"
            }
        }
        return nil
    }
}
