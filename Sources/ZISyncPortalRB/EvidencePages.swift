import Foundation
import HTTPTypes
import Hummingbird
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

/// The bukti dukung PortalRB's evaluators open from `bukti_dukung_unit` (issue 23): no account,
/// only the capability in the URL, which opens the one unit's bukti dukung of the one cycle until
/// its link expires or is revoked. A page per item, and each file with Range, streamed from the
/// store in slices (a thousand evaluators cost the files' bytes, nothing more).
struct EvidencePages {
    let store: Store

    static let sliceBytes = 1 << 20

    func register(on router: Router<PortalRBContext>) {
        router.get("/bukti/{cap}/{unit}/{cycle}/berkas/{id}") { request, context in
            let (unit, cycle) = try admitted(context)
            guard let id = context.parameters.get("id"), Validation.isRecordID(id, of: .evidence),
                let e = try store.records.get(id), e.type == RecordType.evidence.rawValue, !e.isDeleted,
                e.owner == unit, let sha = e.string("sha256"), let size = store.files.size(of: sha)
            else { throw PortalRBError.notFound("Berkas tidak ditemukan.") }
            _ = cycle
            return try file(
                request, sha: sha, size: size, name: e.string("file_name") ?? "bukti", mime: e.string("mime"))
        }
        router.get("/bukti/{cap}/{unit}/{cycle}/{code}") { _, context in
            let (unit, cycle) = try admitted(context)
            let code = context.parameters.get("code") ?? ""
            let linked = try store.records.list(.evidence, owners: [unit]).filter { e in
                !e.isDeleted && Validation.lkeCodes(e.string("lke") ?? "").contains(code)
            }
            let answer = try LKEAnswers(store).answers(satker: unit, cycle: cycle)[.unit]?[code]
            let named = try (answer?.evidence ?? []).compactMap { try store.records.get($0) }.filter {
                $0.owner == unit && !$0.isDeleted
            }
            var seen = Set<String>()
            let all = (linked + named).filter { seen.insert($0.id).inserted }
            return page(unit: unit, cycle: cycle, code: code, evidence: all, base: context.parameters.get("cap") ?? "")
        }
    }

    /// The unit and cycle the URL's capability opens, or 404 (never a hint which part was wrong).
    func admitted(_ context: PortalRBContext) throws -> (String, Int) {
        guard let cap = context.parameters.get("cap"), let unit = context.parameters.get("unit"),
            Validation.isSatkerCode(unit), let cycle = context.parameters.get("cycle").flatMap({ Int($0) }),
            (2000...2100).contains(cycle), try PortalRBEvidenceLinks(store).admits(cap, satker: unit, cycle: cycle)
        else { throw PortalRBError.notFound("Tautan bukti dukung tidak berlaku (salah, dicabut atau kedaluwarsa).") }
        return (unit, cycle)
    }

    func page(unit: String, cycle: Int, code: String, evidence: [StoredRecord], base cap: String) -> Response {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let name = store.registry[unit]?.name ?? unit
        var html = """
            <!doctype html><html lang="id"><head><meta charset="utf-8"><title>Bukti dukung \(escape(code))</title></head>
            <body><h1>Bukti dukung \(escape(code))</h1><p>\(escape(name)) (\(escape(unit))), tahun \(cycle)</p><ul>
            """
        for e in evidence {
            let title = e.string("title") ?? e.string("file_name") ?? e.id
            let size = e["size"].intValue.map { " (\(OperatorText.bytes($0)))" } ?? ""
            html +=
                "<li><a href=\"/bukti/\(escape(cap))/\(escape(unit))/\(cycle)/berkas/\(escape(e.id))\">\(escape(title))</a>\(escape(size))</li>"
        }
        if evidence.isEmpty { html += "<li>Belum ada bukti dukung untuk butir ini.</li>" }
        html += "</ul></body></html>"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A file or one range of it, streamed a slice at a time.
    func file(_ request: Request, sha: String, size: Int64, name: String, mime: String?) throws -> Response {
        var start: Int64 = 0
        var end = size - 1
        var partial = false
        if let header = request.headers[.range] {
            guard let range = ByteRange(header: header), range.start < size else {
                var headers = HTTPFields()
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            start = range.start
            end = min(range.end ?? size - 1, size - 1)
            partial = true
        }
        var headers = HTTPFields()
        headers[.contentType] = mime ?? "application/octet-stream"
        headers[.acceptRanges] = "bytes"
        headers[.contentLength] = String(end - start + 1)
        if partial { headers[.contentRange] = "bytes \(start)-\(end)/\(size)" }
        let ascii = String(name.unicodeScalars.filter { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 32 })
        headers[.contentDisposition] = "inline; filename=\"\(ascii)\""
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        let files = store.files
        let (first, last) = (start, end)
        return Response(
            status: partial ? .partialContent : .ok, headers: headers,
            body: ResponseBody { writer in
                var offset = first
                while offset <= last {
                    let count = Int(min(Int64(Self.sliceBytes), last - offset + 1))
                    let data = try files.read(sha, offset: offset, count: count)
                    if data.isEmpty { break }
                    try await writer.write(ByteBuffer(bytes: data))
                    offset += Int64(data.count)
                }
                try await writer.finish(nil)
            })
    }
}
