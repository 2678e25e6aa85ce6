import Foundation
import MultipartKit
import NIOCore

/// A file a form sent (`<input type="file">`).
struct FormFile: Sendable {
    let fileName: String
    let data: Data
}

extension Form {
    /// At most this many parts in one form: the web app's forms have a handful.
    static let maxParts = 32

    /// A `multipart/form-data` body (a form with a file), parsed by MultipartKit: its text fields
    /// as a `Form`, its files by field name. The body is already bounded by the context's
    /// upload size; a malformed one, or one of too many parts, is refused.
    static func multipart(_ body: ByteBuffer, contentType: String) throws -> (form: Form, files: [String: FormFile]) {
        guard let boundary = parameter("boundary", in: contentType), (1...70).contains(boundary.utf8.count) else {
            throw WebRefusal.bad("Formulir tidak terbaca: batas bagian (boundary) tidak ada.")
        }
        let parser = MultipartParser(boundary: boundary)
        var headers: [(String, String)] = []
        var data = Data()
        var fields: [String: [String]] = [:]
        var files: [String: FormFile] = [:]
        var parts = 0
        var tooMany = false
        parser.onHeader = { name, value in headers.append((name.lowercased(), value)) }
        parser.onBody = { chunk in data.append(contentsOf: chunk.readableBytesView) }
        parser.onPartComplete = {
            parts += 1
            tooMany = tooMany || parts > Form.maxParts
            let disposition = headers.first { $0.0 == "content-disposition" }?.1 ?? ""
            if !tooMany, let name = parameter("name", in: disposition) {
                if let file = parameter("filename", in: disposition) {
                    files[name] = FormFile(fileName: file, data: data)
                } else {
                    fields[name, default: []].append(String(decoding: data, as: UTF8.self))
                }
            }
            headers = []
            data = Data()
        }
        do {
            try parser.execute(body)
        } catch {
            throw WebRefusal.bad("Formulir tidak terbaca (multipart/form-data yang rusak).")
        }
        guard !tooMany else { throw WebRefusal.bad("Formulir memuat lebih dari \(maxParts) bagian.") }
        return (Form(fields: fields), files)
    }

    /// A header's parameter (`boundary=…`, `name="…"`), quoted or not; nil when absent.
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            return value
        }
        return nil
    }
}
