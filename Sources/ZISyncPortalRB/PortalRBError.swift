import Foundation
import HTTPTypes
import Hummingbird

/// Every non-2xx answer as the guide shows it: `{"error": true, "code": "...", "message": "..."}`
/// with its status.
struct PortalRBError: Error {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var retryAfter: Int?

    static func unauthorized(_ m: String) -> Self { .init(status: .unauthorized, code: "UNAUTHORIZED", message: m) }
    static func notFound(_ m: String) -> Self { .init(status: .notFound, code: "DATA_NOT_FOUND", message: m) }
    static func invalid(_ m: String) -> Self {
        .init(status: .unprocessableContent, code: "VALIDATION_ERROR", message: m)
    }
    static func tooMany(after seconds: Int) -> Self {
        .init(
            status: .tooManyRequests, code: "RATE_LIMIT_EXCEEDED",
            message: "Terlalu banyak permintaan; coba lagi setelah \(seconds) detik.", retryAfter: seconds)
    }
    static let internalError = PortalRBError(
        status: .internalServerError, code: "INTERNAL_ERROR", message: "Kesalahan di server KPU RI.")

    var response: Response {
        let body =
            (try? JSONSerialization.data(
                withJSONObject: ["error": true, "code": code, "message": message], options: [.sortedKeys])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
