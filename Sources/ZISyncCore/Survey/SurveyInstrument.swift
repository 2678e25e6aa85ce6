/// The two surveys a unit runs itself (evaluation.md §5), each the source of one LKE hasil item.
public enum SurveyKind: String, CaseIterable, Sendable {
    /// Survei Persepsi Anti Korupsi: its index is IPAK, the LKE's B.I.a.
    case spak
    /// Survei Persepsi Kualitas Pelayanan: its index is IPKP, the LKE's B.II.a.
    case spkp

    public var lkeCode: String { self == .spak ? "B.I.a" : "B.II.a" }
    public var indexName: String { self == .spak ? "IPAK" : "IPKP" }
    public var title: String {
        self == .spak ? "Survei Persepsi Anti Korupsi" : "Survei Persepsi Kualitas Pelayanan"
    }
}

/// The answer scale of a questionnaire: 1–4 (the index is the scale itself) or 1–6, whose answers
/// are converted to the LKE's 1–4 by `1 + 3·(x−1)/5` (no official conversion was found; this
/// min–max one reproduces one published pair), shown wherever such an index is.
public enum SurveyScale: Int, Sendable, CaseIterable {
    case four = 4
    case six = 6

    /// An answer's value on the index's scale; nil outside the scale.
    public func value(_ answer: Int) -> Double? {
        guard (1...rawValue).contains(answer) else { return nil }
        return self == .four ? Double(answer) : 1 + 3 * Double(answer - 1) / 5
    }

    /// How an answer becomes the index's value, in words.
    public var conversion: String {
        self == .four
            ? "skala 1–4: nilai jawaban adalah nilai indeks" : "skala 1–6 dikonversi ke 1–4: 1 + 3 × (x − 1) / 5"
    }
}

/// A questionnaire as KPU RI issues it for a cycle: its statements in Bahasa Indonesia and its
/// scale, with a version, so that an index always says which instrument made it.
public struct SurveyInstrument: Sendable, Equatable {
    public let kind: SurveyKind
    public let version: String
    public let statements: [String]
    public let scale: SurveyScale

    public init(kind: SurveyKind, version: String, statements: [String], scale: SurveyScale) {
        self.kind = kind
        self.version = version
        self.statements = statements
        self.scale = scale
    }

    /// The statements as the common instrument has them (court portals, Kemenkumham offices and
    /// the public survey apps agree on them; evaluation.md §5).
    public static func standard(_ kind: SurveyKind, cycle: Int, scale: SurveyScale = .four) -> SurveyInstrument {
        SurveyInstrument(
            kind: kind, version: "\(cycle).1", statements: kind == .spak ? spak : spkp, scale: scale)
    }

    static let spkp = [
        "Informasi pelayanan tersedia, baik secara elektronik maupun non-elektronik.",
        "Persyaratan pelayanan sesuai dengan yang diinformasikan.",
        "Prosedur atau alur pelayanan mudah diikuti.",
        "Jangka waktu penyelesaian pelayanan sesuai dengan yang ditetapkan.",
        "Biaya atau tarif pelayanan sesuai dengan yang ditetapkan.",
        "Sarana dan prasarana, atau sistem pelayanan daring, nyaman dan mudah digunakan.",
        "Petugas pelayanan merespons dengan cepat.",
        "Layanan konsultasi dan pengaduan mudah digunakan.",
    ]

    static let spak = [
        "Tidak ada diskriminasi dalam pelayanan.",
        "Tidak ada pelayanan di luar prosedur atau kecurangan.",
        "Tidak ada permintaan imbalan uang, barang atau fasilitas di luar ketentuan.",
        "Tidak ada pungutan liar (pungli).",
        "Tidak ada percaloan atau perantara tidak resmi.",
    ]
}
