import Foundation
import ZISyncCore

/// A spreadsheet export as an office would import it: the CSV reader and every field's parser,
/// on every cell, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSheet(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    guard let rows = try? CSVFile.parse(text, name: "fuzz.csv") else { return 0 }
    let schema = RecordType.actionPlan.schema
    for row in rows.prefix(50) {
        for (column, cell) in row.values {
            for field in ["area", "activity", "deadline", "start", "status", "progress", "year", column] {
                if let value = try? schema.parse(field: field, text: cell) {
                    _ = schema.problem(field: field, value: value, lkeCodeExists: { _ in true })
                }
            }
        }
    }
    return 0
}
