import Foundation

/// One node of the LKE tree (Lampiran III of PermenPANRB 90/2021).
public struct LKEItem: Sendable, Equatable {
    public let code: String
    public let parent: String?
    public let level: String
    public let aspect: String
    public let area: String
    public let name: String
    public let answerType: String
    /// Bobot as printed (two decimals), kept as text so it survives hashing exactly.
    public let weight: String
    public let formula: String
    public let penjelasan: String

    /// The weight in hundredths (4.00 → 400), for exact sums.
    public var weightHundredths: Int? {
        guard !weight.isEmpty else { return nil }
        let parts = weight.split(separator: ".")
        guard parts.count == 2, let whole = Int(parts[0]), let frac = Int(parts[1]), parts[1].count == 2 else {
            return nil
        }
        return whole * 100 + frac
    }

    func fields(order: Int64) -> [String: FieldValue] {
        func opt(_ s: String) -> FieldValue { s.isEmpty ? .null : .string(s) }
        return [
            "code": .string(code), "parent": parent.map(FieldValue.string) ?? .null, "level": .string(level),
            "aspect": opt(aspect), "area": opt(area), "name": .string(name), "answer_type": opt(answerType),
            "weight": opt(weight), "formula": opt(formula), "penjelasan": opt(penjelasan), "order": .int(order),
        ]
    }

    public init(
        code: String, parent: String?, level: String, aspect: String, area: String, name: String,
        answerType: String, weight: String, formula: String, penjelasan: String
    ) {
        self.code = code
        self.parent = parent
        self.level = level
        self.aspect = aspect
        self.area = area
        self.name = name
        self.answerType = answerType
        self.weight = weight
        self.formula = formula
        self.penjelasan = penjelasan
    }
}

public enum LKECatalogue {
    /// Reads the shipped catalogue (document order) with its criteria texts.
    public static func load() throws -> [LKEItem] {
        let penjelasan = try CSVFile.read(try ReferenceSeed.resource("lke-2021-penjelasan.csv"))
        var texts: [String: String] = [:]
        for row in penjelasan { texts[row["code"] ?? ""] = row["penjelasan"] ?? "" }
        return try CSVFile.read(try ReferenceSeed.resource("lke-2021.csv")).map { row in
            guard let code = row["code"], !code.isEmpty, let level = row["level"], let name = row["name"] else {
                throw ZISyncError("lke-2021.csv line \(row.line): missing code, level or name")
            }
            let parent = row["parent"] ?? ""
            return LKEItem(
                code: code, parent: parent.isEmpty ? nil : parent, level: level, aspect: row["aspect"] ?? "",
                area: row["area"] ?? "", name: name, answerType: row["answer_type"] ?? "", weight: row["weight"] ?? "",
                formula: row["formula"] ?? "", penjelasan: texts[code] ?? "")
        }
    }
}
