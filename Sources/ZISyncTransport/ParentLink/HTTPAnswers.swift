import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ZISyncEngine
import ZISyncProtocol

/// The answers of the server children talk to: every one carries `ZISync-Protocol`, errors are
/// `{"error":"…"}`, tus answers carry `Tus-Resumable`.
enum HTTPAnswers {
    static let protocolField = HTTPField.Name(SyncProtocol.header)!
    static let tusResumable = HTTPField.Name(Tus.resumable)!

    static func headers(tus: Bool = false) -> HTTPFields {
        var headers = HTTPFields()
        headers[protocolField] = SyncProtocol.version
        if tus { headers[tusResumable] = Tus.version }
        return headers
    }

    /// A JSON answer, gzip-compressed when large and the child accepts it.
    static func json(_ body: Data, request: Request) throws -> Response {
        var headers = headers()
        headers[.contentType] = SyncProtocol.jsonType
        var payload = body
        if body.count > 1024, request.headers[.acceptEncoding]?.contains("gzip") == true {
            payload = try SyncProtocol.gzip(body)
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: payload)))
    }

    static func error(_ status: HTTPTypes.HTTPResponse.Status, _ message: String, tus: Bool = false) -> Response {
        var headers = headers(tus: tus)
        headers[.contentType] = SyncProtocol.jsonType
        let body = (try? JSONEncoder().encode(ErrorAnswer(error: message))) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func error(_ e: EndpointError, tus: Bool) -> Response {
        let status: HTTPTypes.HTTPResponse.Status =
            switch e.status {
            case .locked: HTTPTypes.HTTPResponse.Status(code: 423, reasonPhrase: "Locked")
            case .checksumMismatch: HTTPTypes.HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch")
            default: HTTPTypes.HTTPResponse.Status(code: e.status.rawValue)
            }
        return error(status, e.message, tus: tus)
    }

    /// Runs a route, answering the endpoint's refusals with their status.
    static func answering(tus: Bool = false, _ route: () async throws -> Response) async throws -> Response {
        do {
            return try await route()
        } catch let e as EndpointError {
            return error(e, tus: tus)
        } catch let e as MalformedMessage {
            return error(.badRequest, e.description, tus: tus)
        }
    }
}
