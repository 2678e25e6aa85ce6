import Foundation

/// One soal of KemenPANRB's PortalRB master of LKE questions for an evaluation year, and the
/// catalogue code zisync answers it under (Resources/portalrb/soal-YEAR.csv): the key PortalRB's
/// integration API reads answers by (issue 23).
public struct PortalRBSoal: Sendable, Equatable {
    public let id: Int
    public let code: String
    public let answerType: LKEAnswerType
    /// The row of PortalRB's Excel template (sheet `Jawaban`).
    public let excelRow: Int

    public init(id: Int, code: String, answerType: LKEAnswerType, excelRow: Int) {
        self.id = id
        self.code = code
        self.answerType = answerType
        self.excelRow = excelRow
    }

    /// The soal of `year`'s master as shipped, in PortalRB's order; nil when none ships for that year.
    public static func master(year: Int) throws -> [PortalRBSoal]? {
        guard years.contains(year) else { return nil }
        return try shipped[year]!.get()
    }

    /// Each shipped master, read once: PortalRB asks for hundreds of units in a row.
    private static let shipped: [Int: Result<[PortalRBSoal], ZISyncError>] = Dictionary(
        uniqueKeysWithValues: years.map { year in
            (year, Result { try read(year: year) }.mapError { ZISyncError("\($0)") })
        })

    static func read(year: Int) throws -> [PortalRBSoal] {
        guard let url = Bundle.module.url(forResource: "portalrb/soal-\(year)", withExtension: "csv") else {
            throw ZISyncError("the PortalRB master of \(year) is not in the build's resources")
        }
        return try CSVFile.read(url).map { row in
            guard let id = row["soal_id"].flatMap({ Int($0) }), let code = row["code"], !code.isEmpty,
                let type = row["answer_type"].flatMap(LKEAnswerType.init(rawValue:)),
                let excelRow = row["excel_row"].flatMap({ Int($0) })
            else {
                throw ZISyncError(
                    "\(url.lastPathComponent) line \(row.line): a row without soal_id, code, answer_type or excel_row")
            }
            return PortalRBSoal(id: id, code: code, answerType: type, excelRow: excelRow)
        }
    }

    /// The years a master ships for.
    public static let years: [Int] = [2026]
}
