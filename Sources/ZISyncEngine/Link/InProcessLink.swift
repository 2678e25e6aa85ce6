import Foundation
import ZISyncCore
import ZISyncProtocol

/// A parent link that calls the parent's service code directly, in this process: no sockets, no
/// TLS, the same encoding and decoding of every body as over HTTPS. For fast tests of the round's
/// logic; `interpose` lets a test fail chosen requests the way a broken link would.
public final class InProcessLink: ParentLink, @unchecked Sendable {
    public let endpoint: ParentEndpoint
    /// The satker this link speaks as (what a certificate would name).
    public let satker: String
    private let lock = NSLock()
    private var hook: (@Sendable (Request) throws -> Void)?

    /// A request as `interpose` sees it.
    public enum Request: Sendable, Equatable {
        case push(changes: Int)
        case pull(after: Int64)
        case report
        case uploadOffset(sha256: String)
        case upload(sha256: String, offset: Int64)
        case download(sha256: String, start: Int64)
    }

    public init(parent endpoint: ParentEndpoint, as satker: String) {
        self.endpoint = endpoint
        self.satker = satker
    }

    /// Called before every request; what it throws is that request's failure.
    public var interpose: (@Sendable (Request) throws -> Void)? {
        get { lock.withLock { hook } }
        set { lock.withLock { hook = newValue } }
    }

    /// A broken transfer, as a cut link gives it: worth retrying.
    public static func cut(_ what: String) -> LinkFailure {
        LinkFailure(
            cause: .link, message: "the connection to the parent broke (\(what))",
            advice: "usually a weak link; the next round resumes where this one stopped", isTransient: true)
    }

    private func call<T>(_ request: Request, path: String, _ body: (ParentEndpoint.Child) async throws -> T)
        async throws -> T
    {
        try interpose?(request)
        do {
            return try await body(try endpoint.admit(satker))
        } catch let e as EndpointError {
            throw LinkFailure.answer(status: e.status.rawValue, detail: e.message, request: "in-process \(path)")
        } catch let e as MalformedMessage {
            throw LinkFailure.malformed(e.description, request: "in-process \(path)")
        }
    }

    public func push(from: String, wire: [String], certificates: [[UInt8]]) async throws -> PushAnswer {
        try await call(.push(changes: wire.count), path: Route.push) { child in
            // Both ways through the bytes, as over HTTPS: the child believes only what the
            // answer's decoder lets through.
            let body = PushRequest.encode(from: from, wire: wire, certificates: certificates)
            let answer = try await endpoint.push(try PushRequest.decode(body), from: child)
            return try PushAnswer.decode(answer.encoded(), sent: wire.count)
        }
    }

    public func pull(after cursor: Int64, limit: Int) async throws -> PullPage {
        try await call(.pull(after: cursor), path: Route.pull) { child in
            try PullPage.decode(try await endpoint.pull(after: cursor, limit: limit, for: child).encoded())
        }
    }

    public func restore(after cursor: Int64, limit: Int) async throws -> PullPage {
        try await call(.pull(after: cursor), path: Route.restore) { child in
            try PullPage.decode(
                try await endpoint.pull(after: cursor, limit: limit, for: child, restore: true).encoded())
        }
    }

    public func report(_ report: ChildReport) async throws {
        try await call(.report, path: Route.report) { child in
            try await endpoint.report(try ChildReport.decode(report.encoded()), from: child)
        }
    }

    public func uploadOffset(sha256: String, size: Int64, lane: Int) async throws -> Int64 {
        try await call(.uploadOffset(sha256: sha256), path: Route.files) { child in
            try await endpoint.createUpload(sha256: sha256, length: size, from: child)
        }
    }

    public func upload(sha256: String, offset: Int64, chunk: Data, progress: TransferProgress?, lane: Int)
        async throws -> Int64
    {
        try await call(.upload(sha256: sha256, offset: offset), path: Route.file(sha256)) { child in
            let checksum = Tus.parseChecksum(Tus.checksum(of: chunk))
            let next = try await endpoint.appendUpload(
                sha256: sha256, offset: offset, checksum: checksum, body: OneChunk(data: chunk), from: child)
            progress?(Int64(chunk.count))
            return next
        }
    }

    public func download(sha256: String, range: ByteRange, progress: TransferProgress?) async throws -> Data? {
        do {
            return try await call(.download(sha256: sha256, start: range.start), path: Route.file(sha256)) { child in
                let slice = try await endpoint.download(sha256: sha256, range: range, for: child)
                progress?(Int64(slice.data.count))
                return slice.data
            }
        } catch let failure as LinkFailure where failure.status == 404 {
            return nil
        }
    }

    public func cancel() {}
}

/// A request body of one piece.
struct OneChunk: AsyncSequence, Sendable {
    typealias Element = Data
    let data: Data

    struct AsyncIterator: AsyncIteratorProtocol {
        var data: Data?
        mutating func next() async -> Data? {
            defer { data = nil }
            return data
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(data: data) }
}
