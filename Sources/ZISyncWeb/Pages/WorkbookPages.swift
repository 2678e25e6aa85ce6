import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ZISyncCore
import ZISyncStore
import ZISyncWorkbook

extension WebSite {
    /// The LKE as the regulation's Excel workbook, the three layers side by side (`zisync lke
    /// export --xlsx`): what a province hands its kab/kota, what an evaluator fills in; and the
    /// upload of a filled workbook into this office's layer (`zisync lke import FILE.xlsx`).
    func registerWorkbook(on router: RouterGroup<WebContext>) {
        router.get("/lke/unduh.xlsx") { request, _ -> Response in
            let q = request.uri.queryParameters
            let satker = try satker(q["satker"].map(String.init))
            let cycle = try cycle(q["siklus"].map(String.init))
            // `tata=portalrb`: PortalRB's template of the cycle's year instead.
            let template = q["tata"] == "portalrb"
            let export = LKEWorkbookExport(store)
            let sheets: [Worksheet]
            if template {
                guard PortalRBSoal.years.contains(cycle) else {
                    throw WebRefusal.notFound("Templat PortalRB tahun \(cycle) tidak tersedia di zisync ini.")
                }
                sheets = try export.portalRBTemplate(satker: satker, cycle: cycle)
            } else {
                sheets = try export.sheets(satker: satker, cycle: cycle, layers: AssessmentLayer.allCases)
            }
            let data = try XLSXPackage.data(sheets)
            var headers = HTTPFields()
            headers[.contentType] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            headers[.contentLength] = String(data.count)
            headers[.contentDisposition] =
                "attachment; filename=\"\(template ? "portalrb" : "lke")-\(satker)-\(cycle).xlsx\""
            headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("/lke/unggah") { _, context -> Response in
            let (s, _, satker, cycle, layer) = try lkeWrite(context)
            guard let file = context.files["berkas"], !file.data.isEmpty else {
                return try lkePage(
                    context: context, satker: satker, cycle: cycle, area: nil, status: .unprocessableContent,
                    importError: "Pilih berkas Excel (.xlsx) yang akan diimpor.")
            }
            // The name is the browser's: shown in messages only, never used as a path.
            let name = String(file.fileName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "berkas.xlsx")
                .prefix(80)
            let imported: (written: [Change], reading: LKEWorkbookImport.Reading)
            do {
                imported = try LKEWorkbookImport.write(
                    try XLSXWorkbook.read(data: file.data, name: String(name)), file: String(name), to: store,
                    satker: satker, cycle: cycle, layer: layer, actor: s.actor(at: node))
            } catch let e where e is WorkbookError || e is ZISyncError {
                return try lkePage(
                    context: context, satker: satker, cycle: cycle, area: nil, status: .unprocessableContent,
                    importError: "Berkas tidak diimpor, tidak ada jawaban yang diubah: \(e)")
            }
            let (written, reading) = (imported.written.count, imported.reading)
            let skipped =
                reading.notices.isEmpty
                ? "" : " \(reading.notices.count) baris tidak dibaca (bukan butir LKE atau nilai hitungan)."
            return Self.seeOther(
                "/lke?satker=\(satker)&siklus=\(cycle)",
                notice:
                    "\(written) jawaban lapis \(layer.rawValue) diimpor dari lembar '\(reading.sheet.prefix(40))' berkas \(name).\(skipped)"
            )
        }
    }
}
