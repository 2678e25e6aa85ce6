import Foundation

extension RecordSchema {
    /// Turns text typed by a user (CLI argument, CSV cell) into a field value.
    /// Empty text clears the field.
    public func parse(field name: String, text raw: String) throws -> FieldValue {
        guard let kind = fields[name] else {
            throw ZISyncError(
                "unknown field '\(name)' (known: \(fields.keys.filter { $0 != RecordSchema.deletedField }.sorted().joined(separator: ", ")))"
            )
        }
        let text = raw.trimmedOfWhitespace
        if text.isEmpty { return .null }
        switch kind {
        case .integer:
            let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
            guard let i = Int64(digits.trimmedOfWhitespace) else {
                throw ZISyncError("field '\(name)' must be a whole number, got '\(text)'")
            }
            return .int(i)
        case .boolean:
            switch text.lowercased() {
            case "true", "ya", "yes", "1": return .bool(true)
            case "false", "tidak", "no", "0": return .bool(false)
            default: throw ZISyncError("field '\(name)' must be true or false (ya/tidak), got '\(text)'")
            }
        case .choice(let options):
            if name == "area", let area = Area(parsing: text) { return .string(area.rawValue) }
            let lowered = text.lowercased().replacingOccurrences(of: " ", with: "-")
            guard options.contains(lowered) else {
                throw ZISyncError("field '\(name)' must be one of \(options.joined(separator: ", ")), got '\(text)'")
            }
            return .string(lowered)
        case .lkeCodes:
            return .string(Validation.lkeCodes(text).joined(separator: ","))
        case .text, .date, .recordID, .sha256:
            return .string(text)
        }
    }
}
