import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ZISyncCore
import ZISyncStore
import ZISyncWorkbook

extension WebSite {
    /// The LKE as the regulation's Excel workbook, the three layers side by side (`zisync lke
    /// export --xlsx`): what a province hands its kab/kota, what an evaluator fills in.
    func registerWorkbook(on router: RouterGroup<WebContext>) {
        router.get("/lke/unduh.xlsx") { request, _ -> Response in
            let q = request.uri.queryParameters
            let satker = try satker(q["satker"].map(String.init))
            let cycle = try cycle(q["siklus"].map(String.init))
            let data = try XLSXPackage.data(
                try LKEWorkbookExport(store).sheets(satker: satker, cycle: cycle, layers: AssessmentLayer.allCases))
            var headers = HTTPFields()
            headers[.contentType] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            headers[.contentLength] = String(data.count)
            headers[.contentDisposition] = "attachment; filename=\"lke-\(satker)-\(cycle).xlsx\""
            headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
