import Foundation
import Hummingbird
import ZISyncCore
import ZISyncStore

/// Masuk and keluar. The login form's token is bound to a cookie of its own (there is no
/// session yet); failed attempts are slowed down and logged with the name and address.
extension WebSite {
    static let loginCookie = "zisync_masuk"

    func cookie(_ name: String, _ value: String, maxAge: Int?) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    func registerLogin(on router: Router<WebContext>) {
        router.get("/masuk") { request, context -> Response in
            if context.session != nil { return Response.redirect(to: "/", type: .normal) }
            return try loginPage(context: context, next: request.uri.queryParameters["ke"].map(String.init))
        }
        router.post("/masuk") { request, context -> Response in
            var request = request
            let form = Form(urlencoded: String(buffer: try await request.collectBody(upTo: 64 << 10)))
            let name = (form.text("nama") ?? "").lowercased()
            let next = form["ke"]
            guard let bound = request.cookies[Self.loginCookie]?.value, let given = form["_csrf"],
                constantTimeEqual(bound, given)
            else {
                throw WebRefusal.forbidden("Formulir masuk kedaluwarsa. Buka halaman masuk lagi.")
            }
            let keys = ["user:\(name)", "addr:\(context.remoteAddress)"]
            let (wait, failures) = await throttle.attempt(keys)
            if wait > 0 {
                logger.warning(
                    "web: login for '\(name)' from \(context.remoteAddress) refused: \(wait) s to wait after failures")
                return try loginPage(
                    context: context, next: next, name: name, status: .tooManyRequests,
                    error: "Terlalu banyak percobaan yang gagal. Coba lagi dalam \(wait) detik.")
            }
            let hash = Accounts.problem(name: name) == nil ? try store.accounts.passwordHash(of: name) : nil
            let password = form["sandi"] ?? ""
            let ok = await Passwords.verify(password, hash: hash ?? Passwords.decoy) && hash != nil
            guard ok else {
                logger.warning(
                    "web: failed login for '\(name)' from \(context.remoteAddress) (\(failures) in a row)")
                return try loginPage(
                    context: context, next: next, name: name, status: .unauthorized,
                    error: "Nama pengguna atau kata sandi salah.")
            }
            await throttle.succeeded(keys)
            let (token, _) = try store.accounts.startSession(for: name, seconds: Self.sessionSeconds)
            logger.notice("web: \(name) signed in from \(context.remoteAddress)")
            var response = Response.redirect(to: Self.localPath(next) ?? "/", type: .normal)
            response.setCookie(cookie(Self.loginCookie, "", maxAge: 0))
            response.setCookie(cookie(sessionCookie, token, maxAge: Int(Self.sessionSeconds)))
            return response
        }
        router.group().add(middleware: RequireLogin()).add(middleware: CSRFCheck()).post("/keluar") {
            _, context -> Response in
            if let token = context.sessionToken { try store.accounts.endSession(token: token) }
            var response = Response.redirect(to: "/masuk?keluar=1", type: .normal)
            response.setCookie(cookie(sessionCookie, "", maxAge: 0))
            return response
        }
    }

    func loginPage(
        context: WebContext, next: String?, name: String = "", status: HTTPResponse.Status = .ok, error: String? = nil
    ) throws -> Response {
        let token = Hashing.sha256Hex(Data(UUID().uuidString.utf8) + Data(UUID().uuidString.utf8))
        var response = try page(
            "masuk", title: "Masuk", context: context, status: status,
            ["formToken": token, "ke": Self.localPath(next) ?? "", "nama": name, "error": error as Any])
        response.setCookie(cookie(Self.loginCookie, token, maxAge: 3600))
        return response
    }

    /// The one check of a redirect target a browser gave: a path on this site as the browser
    /// will read it. A browser drops tabs and newlines inside a URL and reads a backslash as `/`,
    /// so `/<tab>/evil.example/` lands on `//evil.example/`, another site: only printable ASCII
    /// without a backslash is taken (anything else a browser would rewrite), and it must not start with `//`.
    static func localPath(_ s: String?) -> String? {
        guard let s, s.utf8.count <= 2048, s.hasPrefix("/"), !s.hasPrefix("//"),
            s.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != 0x5C })
        else { return nil }
        return s
    }
}
