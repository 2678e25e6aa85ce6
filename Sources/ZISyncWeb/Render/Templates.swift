import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import ZISyncStore

/// The page templates (swift-mustache, shipped as resources). `{{value}}` escapes HTML, so a
/// plan's activity `<script>` is shown as text; no template uses the unescaped form.
struct Templates: Sendable {
    let library: MustacheLibrary

    static func load() async throws -> Templates {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("templates") else {
            throw WebSetupError("the web app's templates are missing from the installation")
        }
        return Templates(library: try await MustacheLibrary(directory: root.path))
    }

    func render(_ name: String, _ object: [String: Any]) throws -> String {
        guard let html = library.render(Self.present(object) ?? [:], withTemplate: name) else {
            throw WebSetupError("no template '\(name)'")
        }
        return html
    }
}

extension Templates {
    /// The value with every absent optional left out (a key holding nil is no key at all, so a
    /// section `{{#error}}` does not render) and every present one unwrapped, all the way down.
    static func present(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return present(wrapped)
        }
        if let d = value as? [String: Any] { return d.compactMapValues(present) }
        if let a = value as? [[String: Any]] { return a.map { $0.compactMapValues(present) } }
        if let a = value as? [Any] { return a.compactMap(present) }
        return value
    }
}

struct WebSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

extension WebSite {
    /// A page in the layout: the page's own values, plus the office, the person, the menu and
    /// the form token.
    func page(
        _ template: String, title: String, context: WebContext, status: HTTPResponse.Status = .ok,
        _ values: [String: Any] = [:]
    ) throws -> Response {
        var all = values
        all["title"] = title
        all["office"] = officeName
        all["node"] = node
        if let s = context.session {
            all["user"] = s.account.name
            all["role"] = s.account.role.label
            all["csrf"] = s.csrf
            all["menu"] = menu(for: s, current: template)
        }
        let html = try templates.render(template, all)
        return Self.html(html, status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // Only this server's own scripts and styles; no frame of another site may hold the page.
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func menu(for s: WebSession, current: String) -> [[String: Any]] {
        var items: [(String, String, String)] = [
            ("/", "Beranda", "beranda"), ("/rencana-aksi", "Rencana aksi", "rencana"),
            ("/bukti-dukung", "Bukti dukung", "bukti"), ("/lke", "LKE", "lke"),
        ]
        if hasChildren {
            items += [
                ("/satker", "Satker di bawah", "satker"), ("/reviu", "Antrian reviu", "reviu"),
                ("/penilaian", "Penilaian LKE", "penilaian"), ("/rekap", "Rekap LKE", "rekap"),
            ]
        }
        items.append(("/konflik", "Riwayat & konflik", "konflik"))
        if s.account.role.may(.users) { items.append(("/pengguna", "Pengguna", "pengguna")) }
        return items.map { ["href": $0.0, "label": $0.1, "active": current.hasPrefix($0.2)] }
    }

    func errorPage(_ status: HTTPResponse.Status, _ message: String, request: Request, context: WebContext)
        -> Response
    {
        if (try? context.person()) != nil,
            let response = try? page(
                "galat", title: "Tidak dapat dilanjutkan", context: context, status: status,
                ["message": message, "back": request.headers[.referer] ?? "/"])
        {
            return response
        }
        let escaped = message.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        return Self.html(
            "<!doctype html><html lang=\"id\"><meta charset=\"utf-8\"><title>Galat</title><link rel=\"stylesheet\" href=\"/static/app.css\"><main class=\"sempit\"><h1>Tidak dapat dilanjutkan</h1><p class=\"galat\">\(escaped)</p><p><a href=\"/\">Kembali ke beranda</a></p></main></html>",
            status: status)
    }

    /// After a successful form: back to a page, with a message shown once (in the query).
    /// Notices are the app's own words: a redirect carries its notice with a tag (HMAC under a key
    /// this process made), and a page shows `pesan` only with that tag. A link with text of
    /// someone else's ("Kantor ditutup, kirim sandi ke…") is shown nothing; a notice whose tag a
    /// restart made stale is only lost.
    static let noticeKey: [UInt8] = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }

    static func noticeTag(_ text: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: noticeKey)).prefix(16)
            .map { String(format: "%02x", $0) }.joined()
    }

    /// The notice of a page's query, when the app wrote it.
    static func notice(of request: Request) -> String? {
        let q = request.uri.queryParameters
        guard let text = q["pesan"].map(String.init), let tag = q["tanda"].map(String.init),
            constantTimeEqual(tag, noticeTag(text))
        else { return nil }
        return text
    }

    static func seeOther(_ path: String, notice: String? = nil) -> Response {
        Response.redirect(to: noticeURL(path, notice: notice), type: .normal)
    }

    /// `path` with `notice` in its query (before any #fragment) and the app's tag beside it.
    static func noticeURL(_ path: String, notice: String?) -> String {
        let parts = path.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        var target = String(parts[0])
        if let notice, let q = notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
            target += (target.contains("?") ? "&" : "?") + "pesan=" + q + "&tanda=" + noticeTag(notice)
        }
        if parts.count > 1 { target += "#" + parts[1] }
        return target
    }
}

/// The shipped stylesheet and script; nothing else is served as a file.
enum StaticFiles {
    static let files: [String: String] = [
        "app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
    ]

    static func register(on router: Router<WebContext>) {
        let contents: [String: Data] = files.keys.reduce(into: [:]) { out, name in
            if let url = Bundle.module.resourceURL?.appendingPathComponent("static/\(name)"),
                let data = try? Data(contentsOf: url)
            {
                out[name] = data
            }
        }
        router.get("/static/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), let type = files[name], let data = contents[name] else {
                throw HTTPError(.notFound)
            }
            var headers = HTTPFields()
            headers[.contentType] = type
            headers[.cacheControl] = "max-age=300"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
