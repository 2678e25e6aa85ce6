import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ZISyncEngine
import ZISyncProtocol

/// Evidence files: tus 1.0.0 uploads (core, creation, checksum) and Range downloads, HTTP in and
/// out of the parent's endpoint. Bodies stream to disk off the event loop.
struct FileRoutes {
    let endpoint: ParentEndpoint

    static let uploadOffset = HTTPField.Name(Tus.uploadOffset)!
    static let uploadLength = HTTPField.Name(Tus.uploadLength)!
    static let uploadMetadata = HTTPField.Name(Tus.uploadMetadata)!
    static let uploadChecksum = HTTPField.Name(Tus.uploadChecksum)!

    func add(to router: Router<ChildRequestContext>) {
        router.on(RouterPath(Route.files), method: .options) { _, _ in Self.options() }
        router.post(RouterPath(Route.files)) { request, context in
            try await HTTPAnswers.answering(tus: true) { try await create(request, context) }
        }
        router.on(RouterPath(Route.filePattern), method: .head) { request, context in
            try await HTTPAnswers.answering(tus: true) { try await status(request, context) }
        }
        router.patch(RouterPath(Route.filePattern)) { request, context in
            try await HTTPAnswers.answering(tus: true) { try await append(request, context) }
        }
        router.get(RouterPath(Route.filePattern)) { request, context in
            try await HTTPAnswers.answering { try await download(request, context) }
        }
    }

    static func options() -> Response {
        var headers = HTTPAnswers.headers(tus: true)
        headers[HTTPField.Name(Tus.versionHeader)!] = Tus.version
        headers[HTTPField.Name(Tus.extensionHeader)!] = Tus.extensions
        headers[HTTPField.Name(Tus.checksumAlgorithmHeader)!] = Tus.checksumAlgorithms
        headers[HTTPField.Name(Tus.maxSizeHeader)!] = String(SyncProtocol.maxFileBytes)
        return Response(status: .noContent, headers: headers)
    }

    static func requireTus(_ request: Request) throws {
        guard request.headers[HTTPAnswers.tusResumable] == Tus.version else {
            throw EndpointError(.preconditionFailed, "Tus-Resumable \(Tus.version) required")
        }
    }

    func create(_ request: Request, _ context: ChildRequestContext) async throws -> Response {
        let child = try context.admitted()
        try Self.requireTus(request)
        guard let length = request.headers[Self.uploadLength].flatMap({ Int64($0) }) else {
            throw EndpointError(.badRequest, "Upload-Length missing or too large")
        }
        let sha = Tus.metadata(request.headers[Self.uploadMetadata] ?? "")["sha256"] ?? ""
        let offset = try await endpoint.createUpload(sha256: sha, length: length, from: child)
        var headers = HTTPAnswers.headers(tus: true)
        headers[.location] = Route.file(sha)
        headers[Self.uploadOffset] = String(offset)
        return Response(status: .created, headers: headers)
    }

    func status(_ request: Request, _ context: ChildRequestContext) async throws -> Response {
        let child = try context.admitted()
        let sha = context.parameters.get(Route.fileParameter) ?? ""
        let (offset, length) = try await endpoint.uploadStatus(sha256: sha, for: child)
        var headers = HTTPAnswers.headers(tus: true)
        headers[Self.uploadOffset] = String(offset)
        headers[Self.uploadLength] = String(length)
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers)
    }

    func append(_ request: Request, _ context: ChildRequestContext) async throws -> Response {
        let child = try context.admitted()
        let sha = context.parameters.get(Route.fileParameter) ?? ""
        try Self.requireTus(request)
        guard request.headers[.contentType] == Tus.chunkType else {
            throw EndpointError(.unsupportedMediaType, "Content-Type must be \(Tus.chunkType)")
        }
        guard let offset = request.headers[Self.uploadOffset].flatMap({ Int64($0) }), offset >= 0 else {
            throw EndpointError(.conflict, "Upload-Offset missing or not a whole number of bytes ≥ 0")
        }
        var checksum: (ChunkChecksum, String)?
        if let header = request.headers[Self.uploadChecksum] {
            guard let parsed = Tus.parseChecksum(header) else {
                throw EndpointError(.badRequest, "checksum algorithm must be one of \(Tus.checksumAlgorithms)")
            }
            checksum = parsed
        }
        let newOffset = try await endpoint.appendUpload(
            sha256: sha, offset: offset, checksum: checksum, body: request.body.map { Data(buffer: $0) }, from: child)
        var headers = HTTPAnswers.headers(tus: true)
        headers[Self.uploadOffset] = String(newOffset)
        return Response(status: .noContent, headers: headers)
    }

    func download(_ request: Request, _ context: ChildRequestContext) async throws -> Response {
        let child = try context.admitted()
        let sha = context.parameters.get(Route.fileParameter) ?? ""
        var range: ByteRange?
        if let header = request.headers[.range] {
            guard let parsed = ByteRange(header: header) else {
                throw EndpointError(.rangeNotSatisfiable, "bad range '\(header)'")
            }
            range = parsed
        }
        let slice = try await endpoint.download(sha256: sha, range: range, for: child)
        var headers = HTTPAnswers.headers()
        headers[.contentType] = SyncProtocol.octetStream
        headers[.acceptRanges] = "bytes"
        if slice.partial {
            headers[.contentRange] = ByteRange.contentRange(
                start: slice.start, count: slice.data.count, size: slice.size)
        }
        return Response(
            status: slice.partial ? .partialContent : .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: slice.data)))
    }
}
