import Foundation

/// The replicated record types. The raw value is what travels in a change.
public enum RecordType: String, Sendable, CaseIterable {
    case satker
    case lkeItem = "lke_item"
    case actionPlan = "action_plan"
    case evidence
    case review
    case monev
    /// A certificate KPU RI withdrew (`zisync pki revoke`): every node refuses it at the door and
    /// refuses changes signed with it after the revocation.
    case revocation
    /// One answer of an LKE: satker × cycle × layer × code (`Assessment`).
    case lkeAnswer = "lke_answer"
    /// The predikat (Menuju WBK, Menuju WBBM) KPU RI granted a satker for a year.
    case predikat
    /// The window of one stage of a cycle (`jadwal:CYCLE:STAGE`), set by KPU RI (issue 22).
    case lkeJadwal = "lke_jadwal"
    /// A unit's submission of its LKE (`kirim:SATKER:CYCLE:N`): its unit layer is read-only until
    /// submission N is returned.
    case lkeKirim = "lke_kirim"
    /// A reviewer's return of submission N (`kembali:SATKER:CYCLE:N`), with its notes.
    case lkeKembali = "lke_kembali"
    /// The province's verdict on a kab/kota's submission N (`putusan:SATKER:CYCLE:N`).
    case lkePutusan = "lke_putusan"
    /// The TPI's conclusion on submission N (`simpulan:SATKER:CYCLE:N`), through its sub-steps.
    case lkeSimpulan = "lke_simpulan"
    /// KPU RI's proposal of a unit to KemenPANRB for a cycle (`usulan:SATKER:CYCLE`).
    case lkeUsulan = "lke_usulan"
    /// A prerequisite that is not an LKE score (`prasyarat:SATKER:CYCLE:ITEM`).
    case lkePrasyarat = "lke_prasyarat"

    /// Reference data is published by KPU RI (`00`) only.
    public var isReference: Bool {
        self == .satker || self == .lkeItem || self == .revocation || self == .predikat || self == .lkeJadwal
    }

    /// A step of the evaluation cycle whose writer `EvaluationCycle` decides (not the subtree rule).
    public var isCycleStep: Bool {
        [.lkeKirim, .lkeKembali, .lkePutusan, .lkeSimpulan, .lkeUsulan, .lkePrasyarat].contains(self)
    }

    /// The prefix of the ids this type derives from what the record is about (`jawaban:SATKER:…`
    /// an LKE answer); nil for a type whose ids are UUIDs. Each prefix belongs to its type alone,
    /// so no record can take an id that another type derives and block it.
    public var idPrefix: String? {
        switch self {
        case .satker: return "satker:"
        case .lkeItem: return "lke:"
        case .lkeAnswer: return "jawaban:"
        case .predikat: return "predikat:"
        case .lkeJadwal: return "jadwal:"
        case .lkeKirim: return "kirim:"
        case .lkeKembali: return "kembali:"
        case .lkePutusan: return "putusan:"
        case .lkeSimpulan: return "simpulan:"
        case .lkeUsulan: return "usulan:"
        case .lkePrasyarat: return "prasyarat:"
        case .actionPlan, .evidence, .review, .monev, .revocation: return nil
        }
    }

    public var schema: RecordSchema {
        switch self {
        case .satker: return .satker
        case .lkeItem: return .lkeItem
        case .actionPlan: return .actionPlan
        case .evidence: return .evidence
        case .review: return .review
        case .monev: return .monev
        case .revocation: return .revocation
        case .lkeAnswer: return .lkeAnswer
        case .predikat: return .predikat
        case .lkeJadwal: return .lkeJadwal
        case .lkeKirim: return .lkeKirim
        case .lkeKembali: return .lkeKembali
        case .lkePutusan: return .lkePutusan
        case .lkeSimpulan: return .lkeSimpulan
        case .lkeUsulan: return .lkeUsulan
        case .lkePrasyarat: return .lkePrasyarat
        }
    }
}

/// What a field may hold. Validation runs on local writes and on every received change.
public enum FieldKind: Sendable, Equatable {
    case text(maxLength: Int)
    case integer(ClosedRange<Int64>)
    case boolean
    case date  // YYYY-MM-DD
    case choice([String])
    case lkeCodes  // one or more catalogue codes, comma-separated
    case recordID  // a UUID of another record
    case sha256
}

/// The fields a record type may carry, those it must have and the defaults a new one gets.
/// Every type also has `deleted` (the tombstone). The one statement of a type's rules: the apply
/// path asks it of every change, local or received, from the CLI, the web or a sheet alike.
public struct RecordSchema: Sendable {
    public let fields: [String: FieldKind]
    /// Fields a record must have: a change that creates one must write them, and no change may
    /// set them empty.
    public let required: [String]
    /// What a record made here gets for a field its first write leaves out.
    public let defaults: [String: FieldValue]

    public static let deletedField = "deleted"

    init(_ fields: [String: FieldKind], required: [String] = [], defaults: [String: FieldValue] = [:]) {
        var all = fields
        all[RecordSchema.deletedField] = .boolean
        self.fields = all
        self.required = required
        self.defaults = defaults
    }

    /// Why a write leaves a required field empty, or nil. `creates`: the write makes the record
    /// (it is not here), so every required field must be in it; any write that sets one to null
    /// or to empty text is refused.
    public func requiredProblem(_ written: [String: FieldValue], creates: Bool, type: RecordType) -> String? {
        let empty = emptyRequired(written, creates: creates)
        guard !empty.isEmpty else { return nil }
        let names = empty.map { "'\($0)'" }.joined(separator: " and ")
        return creates
            ? "a new \(type.rawValue) needs \(names) (required)"
            : "\(names) of a \(type.rawValue) may not be emptied (required)"
    }

    /// Whether a change makes its record: it writes a required field with no version before it
    /// (an empty base). Only a record's first write does that, since its required fields are set
    /// from then on; so the test reads the change alone and gives the same answer whatever order
    /// changes arrive in (docs/decisions.md).
    public func makesRecord(_ written: [String: FieldValue], base: [String: [Version]]) -> Bool {
        required.contains { written[$0] != nil && (base[$0] ?? []).isEmpty }
    }

    /// The required fields `written` leaves empty, in the schema's order.
    public func emptyRequired(_ written: [String: FieldValue], creates: Bool) -> [String] {
        required.filter { name in
            guard let value = written[name] else { return creates }
            return value.isNull || value.stringValue?.trimmedOfWhitespace.isEmpty == true
        }
    }

    /// A first write's fields with the defaults it leaves out.
    public func withDefaults(_ written: [String: FieldValue]) -> [String: FieldValue] {
        written.merging(defaults.filter { written[$0.key]?.isNull ?? true }) { _, d in d }
    }

    public static let planStatuses = [
        "draft", "diajukan", "disetujui", "berjalan", "terlambat", "selesai", "diverifikasi", "revisi",
        "dibatalkan",
    ]
    public static let verdicts = ["disetujui", "perlu-revisi", "ditolak"]
    public static let evidenceKinds = [
        "sk", "undangan", "daftar-hadir", "notulen", "foto", "laporan", "sop", "screenshot", "survei",
        "dokumen-perencanaan", "lainnya",
    ]

    static let satker = RecordSchema([
        "code": .text(maxLength: 16), "level": .choice(SatkerLevel.allCases.map(\.rawValue)),
        "parent": .text(maxLength: 16), "name": .text(maxLength: 200), "active": .boolean,
    ])

    static let lkeItem = RecordSchema([
        "code": .text(maxLength: 40), "parent": .text(maxLength: 40), "level": .text(maxLength: 20),
        "aspect": .text(maxLength: 20), "area": .text(maxLength: 40), "name": .text(maxLength: 2000),
        "answer_type": .text(maxLength: 20), "weight": .text(maxLength: 10), "formula": .text(maxLength: 200),
        "penjelasan": .text(maxLength: 8000), "order": .integer(0...100_000),
    ])

    static let actionPlan = RecordSchema(
        [
            "area": .choice(Area.allCases.map(\.rawValue)), "lke": .lkeCodes, "activity": .text(maxLength: 2000),
            "output": .text(maxLength: 2000), "target": .text(maxLength: 1000), "unit": .text(maxLength: 100),
            "start": .date, "deadline": .date, "pic": .text(maxLength: 200), "status": .choice(planStatuses),
            "progress": .integer(0...100), "realisation": .text(maxLength: 2000), "obstacles": .text(maxLength: 2000),
            "year": .integer(2000...2100),
        ], required: ["area", "activity"], defaults: ["status": .string("draft")])

    static let evidence = RecordSchema([
        "plan": .recordID, "lke": .lkeCodes, "kind": .choice(evidenceKinds), "title": .text(maxLength: 500),
        "doc_number": .text(maxLength: 200), "doc_date": .date, "file_name": .text(maxLength: 255),
        "mime": .text(maxLength: 100), "size": .integer(0...Int64(1) << 40), "sha256": .sha256,
    ])

    static let review = RecordSchema([
        "subject_type": .choice([RecordType.actionPlan.rawValue, RecordType.evidence.rawValue]),
        "subject": .recordID, "verdict": .choice(verdicts), "note": .text(maxLength: 4000),
        "reviewer": .text(maxLength: 200), "reviewer_satker": .text(maxLength: 16), "reviewed_at": .text(maxLength: 40),
    ])

    static let monev = RecordSchema([
        "period": .text(maxLength: 20), "date": .date, "leadership_involved": .boolean,
        "summary": .text(maxLength: 8000), "recommendations": .text(maxLength: 8000),
        "follow_up": .text(maxLength: 8000),
    ])

    static let lkeAnswer = RecordSchema([
        "satker": .text(maxLength: 16), "cycle": .integer(2000...2100),
        "layer": .choice(AssessmentLayer.allCases.map(\.rawValue)), "code": .text(maxLength: 40),
        "answer": .text(maxLength: 40), "note": .text(maxLength: 4000), "evidence": .text(maxLength: 4000),
    ])

    static let predikat = RecordSchema([
        "satker": .text(maxLength: 16), "year": .integer(2000...2100), "level": .choice(["wbk", "wbbm"]),
    ])

    static let lkeJadwal = RecordSchema(
        [
            "cycle": .integer(2000...2100), "stage": .choice(EvaluationStage.allCases.map(\.rawValue)),
            "from": .date, "to": .date, "reason": .text(maxLength: 500),
        ], required: ["cycle", "stage", "from", "to"])

    static let lkeKirim = RecordSchema(
        [
            "satker": .text(maxLength: 16), "cycle": .integer(2000...2100),
            "n": .integer(1...Int64(EvaluationCycle.maxSubmissions)), "answers_hash": .sha256,
            "score": .text(maxLength: 12), "answered": .integer(0...100_000), "note": .text(maxLength: 4000),
        ], required: ["satker", "cycle", "n", "answers_hash"])

    static let lkeKembali = RecordSchema(
        [
            "satker": .text(maxLength: 16), "cycle": .integer(2000...2100),
            "n": .integer(1...Int64(EvaluationCycle.maxSubmissions)), "note": .text(maxLength: 4000),
            "items": .lkeCodes,
        ], required: ["satker", "cycle", "n", "note"])

    static let lkePutusan = RecordSchema(
        [
            "satker": .text(maxLength: 16), "cycle": .integer(2000...2100),
            "n": .integer(1...Int64(EvaluationCycle.maxSubmissions)),
            "verdict": .choice(ProvinceVerdict.allCases.map(\.rawValue)), "note": .text(maxLength: 4000),
        ], required: ["satker", "cycle", "n", "verdict"])

    static let lkeSimpulan = RecordSchema(
        [
            "satker": .text(maxLength: 16), "cycle": .integer(2000...2100),
            "n": .integer(1...Int64(EvaluationCycle.maxSubmissions)),
            "conclusion": .choice(TPIConclusion.allCases.map(\.rawValue)),
            "step": .choice(TPIStep.allCases.map(\.rawValue)), "note": .text(maxLength: 4000),
        ], required: ["satker", "cycle", "n", "conclusion", "step"])

    static let lkeUsulan = RecordSchema(
        [
            "satker": .text(maxLength: 16), "cycle": .integer(2000...2100), "category": .choice(["wbk", "wbbm"]),
            "n": .integer(1...Int64(EvaluationCycle.maxSubmissions)), "score": .text(maxLength: 12),
            "override": .text(maxLength: 4000), "note": .text(maxLength: 4000),
        ], required: ["satker", "cycle", "category", "n"])

    static let lkePrasyarat = RecordSchema(
        [
            "satker": .text(maxLength: 16), "cycle": .integer(2000...2100),
            "item": .choice(Prerequisite.allCases.map(\.rawValue)), "value": .text(maxLength: 40),
            "note": .text(maxLength: 4000), "evidence": .text(maxLength: 4000),
        ], required: ["satker", "cycle", "item", "value"])

    static let revocation = RecordSchema([
        "satker": .text(maxLength: 16), "serial": .text(maxLength: 64),
        "revoked_at": .integer(1_577_836_800_000...7_258_118_400_000), "reason": .text(maxLength: 500),
    ])

    /// Returns a reason when `value` does not fit field `name`, nil when it does.
    /// `lkeCodeExists` answers whether a catalogue code is known.
    public func problem(field name: String, value: FieldValue, lkeCodeExists: (String) -> Bool) -> String? {
        guard let kind = fields[name] else {
            return "unknown field '\(name)' (known: \(fields.keys.sorted().joined(separator: ", ")))"
        }
        if value == .null { return nil }
        switch kind {
        case .text(let max):
            guard let s = value.stringValue else { return "field '\(name)' must be text" }
            if s.utf8.count > max { return "field '\(name)' is longer than \(max) bytes" }
            // What `history` and the lists print must not move an operator's cursor.
            if let c = ControlCharacters.first(inRecordText: s) {
                return
                    "field '\(name)' holds a control character (U+\(String(c.value, radix: 16, uppercase: true))); only text, tabs and line breaks"
            }
        case .integer(let range):
            guard let i = value.intValue else { return "field '\(name)' must be a whole number" }
            if !range.contains(i) {
                return "field '\(name)' must be between \(range.lowerBound) and \(range.upperBound), got \(i)"
            }
        case .boolean:
            if value.boolValue == nil { return "field '\(name)' must be true or false" }
        case .date:
            guard let s = value.stringValue, Validation.isDate(s) else {
                return "field '\(name)' must be a date YYYY-MM-DD, got '\(value)'"
            }
        case .choice(let options):
            guard let s = value.stringValue, options.contains(s) else {
                return "field '\(name)' must be one of \(options.joined(separator: ", ")), got '\(value)'"
            }
        case .lkeCodes:
            guard let s = value.stringValue else { return "field '\(name)' must be LKE codes" }
            for code in Validation.lkeCodes(s) where !lkeCodeExists(code) {
                return "unknown LKE code '\(code)' in field '\(name)' (see `zisync lke list`)"
            }
        case .recordID:
            guard let s = value.stringValue, Validation.isRecordID(s) else {
                return "field '\(name)' must be a record id (UUID), got '\(value)'"
            }
        case .sha256:
            guard let s = value.stringValue, Validation.isSHA256Hex(s) else {
                return "field '\(name)' must be a SHA-256 in hex"
            }
        }
        return nil
    }
}

/// Small syntactic checks shared by the schema, the CLI and the protocol.
public enum Validation {
    public static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard s.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]),
            let d = Int(parts[2]), parts[0].count == 4, parts[1].count == 2, parts[2].count == 2
        else { return false }
        guard (1...12).contains(m), y >= 1900 else { return false }
        let days = [
            31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
        ]
        return (1...days[m - 1]).contains(d)
    }

    public static func lkeCodes(_ s: String) -> [String] {
        s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The id of a record of `type`: one with the type's own prefix, or a UUID for a type that
    /// derives none. A plan named `jawaban:…` would hold the id of an answer forever.
    public static func isRecordID(_ s: String, of type: RecordType) -> Bool {
        guard let prefix = type.idPrefix else { return isUUID(s) }
        return s.hasPrefix(prefix) && isDerivedKey(s)
    }

    static func isDerivedKey(_ s: String) -> Bool { s.utf8.count <= 60 && !s.contains(where: { $0.isWhitespace }) }

    /// Lower-case UUID as created by `newRecordID()`, or a derived key such as `lke:A.I.1`.
    public static func isRecordID(_ s: String) -> Bool {
        if RecordType.allCases.contains(where: { $0.idPrefix.map(s.hasPrefix) ?? false }) {
            return isDerivedKey(s)
        }
        return isUUID(s)
    }

    static func isUUID(_ s: String) -> Bool {
        // 8-4-4-4-12 lower-case hex digits, as `newRecordID()` writes them (checked by byte:
        // this runs for every change a node applies).
        let bytes = s.utf8
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard b == 0x2D else { return false }
            } else {
                guard (0x30...0x39).contains(b) || (0x61...0x66).contains(b) else { return false }
            }
        }
        return true
    }

    public static func isSHA256Hex(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The syntax of a satker code (digits and dots, as `32.17`, at most 16 bytes): the one check, for
    /// records, certificates and the PKI alike; the registry decides whether the office exists.
    public static func isSatkerCode(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 16 && s.utf8.allSatisfy { (48...57).contains($0) || $0 == 46 }
    }

    public static func newRecordID() -> String { UUID().uuidString.lowercased() }

    /// A DNS host name (letters, digits, '-' between dots, at most 253 bytes), as an office may
    /// name its server; not an address.
    public static func isHostName(_ s: String) -> Bool {
        let labels = s.split(separator: ".", omittingEmptySubsequences: false)
        return !s.isEmpty && s.utf8.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                    && label.utf8.allSatisfy { b in
                        (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b) || b == 45
                    }
            }
    }

    /// An IPv4 address in dotted decimal (`192.168.1.20`), or an IPv6 one, as a URL's host writes it.
    public static func isIPAddress(_ s: String) -> Bool {
        if s.hasPrefix("[") && s.hasSuffix("]") {
            let inner = s.dropFirst().dropLast()
            return !inner.isEmpty && inner.utf8.count <= 45
                && inner.utf8.allSatisfy { b in
                    (48...58).contains(b) || (65...70).contains(b) || (97...102).contains(b) || b == 46
                }
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { p in
                !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber)
                    && (Int(p) ?? 256) <= 255
            }
    }
}
