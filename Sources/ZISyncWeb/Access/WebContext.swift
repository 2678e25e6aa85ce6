import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ZISyncCore
import ZISyncStore

/// The request context of the web app: the signed-in person (read from the session cookie
/// once per request) and the address the request came from (for the login throttle's log).
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: String
    /// Set by `SessionReader` when the cookie names a live session.
    var session: WebSession?
    var sessionToken: String?
    /// The form of a POST, read once by `CSRFCheck` (urlencoded or multipart bodies).
    var form: Form?
    /// The files of a multipart form, by field name.
    var files: [String: FormFile] = [:]
    /// Forms are small; a bukti dukung arrives in chunks streamed to disk, not collected.
    public var maxUploadSize: Int { 8 << 20 }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "?"
    }

    /// The signed-in person (a route behind `RequireLogin` always has one).
    func person() throws -> WebSession {
        guard let session else { throw HTTPError(.unauthorized) }
        return session
    }
}

/// A refusal shown to the person: status and a sentence in Bahasa Indonesia.
struct WebRefusal: Error {
    let status: HTTPResponse.Status
    let message: String

    static func forbidden(_ message: String) -> WebRefusal { WebRefusal(status: .forbidden, message: message) }
    static func notFound(_ message: String) -> WebRefusal { WebRefusal(status: .notFound, message: message) }
    static func bad(_ message: String) -> WebRefusal { WebRefusal(status: .badRequest, message: message) }
    static func unprocessable(_ message: String) -> WebRefusal {
        WebRefusal(status: .unprocessableContent, message: message)
    }
}

let sessionCookie = "zisync_sesi"

/// Reads the session cookie into the context; an unknown or expired one is ignored.
struct SessionReader: RouterMiddleware {
    typealias Context = WebContext
    let site: WebSite

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if let token = request.cookies[sessionCookie]?.value,
            let session = try site.store.accounts.session(token: token)
        {
            context.session = session
            context.sessionToken = token
        }
        return try await next(request, context)
    }
}

/// Pages need a signed-in person: a browser is sent to the login page (and back after), a
/// script's request is answered 401.
struct RequireLogin: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response)
        async throws -> Response
    {
        guard context.session != nil else {
            if request.method == .get || request.method == .head {
                let back = request.uri.string
                let target = "/masuk?ke=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")
                return Response.redirect(to: target, type: .normal)
            }
            throw WebRefusal(status: .unauthorized, message: "Sesi berakhir: silakan masuk lagi.")
        }
        return try await next(request, context)
    }
}

/// Every request that writes carries the session's form token: a form's `_csrf` field, or the
/// `X-CSRF-Token` header of the uploader's requests. Reads a form body once, into the context.
struct CSRFCheck: RouterMiddleware {
    typealias Context = WebContext
    static let header = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response)
        async throws -> Response
    {
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        let session = try context.person()
        var request = request
        var context = context
        var given = request.headers[Self.header]
        if request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let form = Form(urlencoded: String(buffer: body))
            context.form = form
            given = given ?? form["_csrf"]
        } else if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data") {
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let (form, files) = try Form.multipart(body, contentType: type)
            context.form = form
            context.files = files
            given = given ?? form["_csrf"]
        }
        guard let given, constantTimeEqual(given, session.csrf) else {
            context.logger.warning(
                "web: \(request.method) \(request.uri.path) by \(session.account.name) from \(context.remoteAddress) without its form token, refused"
            )
            throw WebRefusal.forbidden(
                "Formulir ini kedaluwarsa atau tidak berasal dari halaman ini. Muat ulang halaman lalu coba lagi.")
        }
        return try await next(request, context)
    }
}

/// Compares two tokens in time independent of where they differ.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let (x, y) = (Array(a.utf8), Array(b.utf8))
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in x.indices { diff |= x[i] ^ y[i] }
    return diff == 0
}

/// Outermost: a refusal or an unexpected error becomes a page in words (never a trace), and
/// the log says what failed.
struct WebErrors: RouterMiddleware {
    typealias Context = WebContext
    let site: WebSite

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let refusal as WebRefusal {
            return site.errorPage(refusal.status, refusal.message, request: request, context: context)
        } catch let e as HTTPError {
            let message =
                e.status == .notFound
                ? "Halaman tidak ditemukan."
                : e.status == .contentTooLarge ? "Isian terlalu besar." : "Permintaan tidak dapat diproses."
            return site.errorPage(e.status, message, request: request, context: context)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.logger.error("web: \(request.method) \(request.uri.path) failed: \(error)")
            return site.errorPage(
                .internalServerError, "Terjadi kesalahan di server kantor ini; log daemon mencatat sebabnya.",
                request: request, context: context)
        }
    }
}
