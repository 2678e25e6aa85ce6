import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore
import ZISyncWorkbook

/// The shipped catalogue, read once.
let model = try! LKEModel.shipped()

/// A workbook as an office would import it: the ZIP, its XML parts, every sheet's cells and the
/// LKE table's rows (each layer), never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWorkbook(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let workbook = try? XLSXWorkbook.read(data: data, name: "fuzz.xlsx") else { return 0 }
    for layer in AssessmentLayer.allCases {
        _ = try? LKEWorkbookImport(model: model).read(workbook, layer: layer, file: "fuzz.xlsx")
    }
    return 0
}
