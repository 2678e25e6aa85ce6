import Foundation
import Testing
import ZISyncTransport

/// A browser without a browser: one person's session on an office's web app over plain HTTP
/// (libcurl), keeping the session cookie and the form token of the last page.
final class WebClient: @unchecked Sendable {
    let base: String
    private(set) var session: String?
    private(set) var csrf: String?
    private let http: CurlHTTPClient

    /// `client`: one that trusts the web app's certificate, for HTTPS.
    init(_ base: String, client: CurlHTTPClient? = nil) {
        self.base = base
        http =
            client
            ?? CurlHTTPClient(configuration: HTTPClientConfiguration(caFile: "", certificateFile: "", keyFile: ""))
    }

    /// Another connection of the same person's session (for requests sent at once).
    func twin() -> WebClient {
        let other = WebClient(base)
        other.session = session
        other.csrf = csrf
        return other
    }

    struct Page {
        let status: Int
        let headers: [String: String]
        let body: String
        var data = Data()
        var location: String? { headers["location"] }
    }

    func send(
        _ method: String, _ path: String, body: Data? = nil, headers: [(String, String)] = [], base: String? = nil
    ) async throws -> Page {
        var all = headers
        if let session { all.append(("Cookie", "zisync_sesi=\(session)")) }
        let r = try await http.send(
            HTTPRequest(method: method, url: (base ?? self.base) + path, headers: all, body: body))
        let page = Page(
            status: r.status, headers: r.headers, body: String(decoding: r.body, as: UTF8.self), data: r.body)
        if let token = Self.formToken(in: page.body) { csrf = token }
        return page
    }

    func get(_ path: String) async throws -> Page { try await send("GET", path) }

    /// A form post; the session's form token is added unless `csrf: false`.
    func post(_ path: String, _ fields: [(String, String)], csrf withToken: Bool = true) async throws -> Page {
        var all = fields
        if withToken, let csrf { all.append(("_csrf", csrf)) }
        return try await send(
            "POST", path, body: Data(Self.encode(all).utf8),
            headers: [("Content-Type", "application/x-www-form-urlencoded")])
    }

    /// A form with a file, as a browser sends `enctype="multipart/form-data"`; the session's form
    /// token is added unless `csrf: false`.
    func postFile(
        _ path: String, _ fields: [(String, String)], file: (field: String, name: String, data: Data),
        csrf withToken: Bool = true
    ) async throws -> Page {
        let boundary = "----zisyncBatas\(UUID().uuidString.prefix(8))"
        var body = Data()
        var all = fields
        if withToken, let csrf { all.append(("_csrf", csrf)) }
        for (name, value) in all {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Data(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .utf8)
        body += file.data + Data("\r\n--\(boundary)--\r\n".utf8)
        return try await send(
            "POST", path, body: body, headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")])
    }

    /// Signs in; returns the answer to the login form.
    @discardableResult
    func login(_ name: String, _ password: String, next: String? = nil) async throws -> Page {
        try await submitLogin(try await loginForm(), name, password, next: next)
    }

    /// The login page's form token and the cookie bound to it, for a login sent later.
    func loginForm() async throws -> (token: String, cookie: String) {
        let r = try await http.send(HTTPRequest(method: "GET", url: base + "/masuk"))
        let body = String(decoding: r.body, as: UTF8.self)
        let token = try #require(Self.formToken(in: body), "no form token on the login page")
        let bound = try #require(Self.cookie("zisync_masuk", in: r.headers["set-cookie"]), "no login cookie")
        return (token, bound)
    }

    /// Sends the login form; on success keeps the session.
    func submitLogin(_ form: (token: String, cookie: String), _ name: String, _ password: String, next: String? = nil)
        async throws -> Page
    {
        let fields = [("_csrf", form.token), ("nama", name), ("sandi", password)] + (next.map { [("ke", $0)] } ?? [])
        let answer = try await http.send(
            HTTPRequest(
                method: "POST", url: base + "/masuk",
                headers: [
                    ("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", "zisync_masuk=\(form.cookie)"),
                ],
                body: Data(Self.encode(fields).utf8)))
        if let s = Self.cookie("zisync_sesi", in: answer.headers["set-cookie"]), !s.isEmpty {
            session = s
            _ = try await get("/")  // the session's form token
        }
        return Page(status: answer.status, headers: answer.headers, body: String(decoding: answer.body, as: UTF8.self))
    }

    static func formToken(in html: String) -> String? {
        guard let r = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        let rest = html[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func cookie(_ name: String, in header: String?) -> String? {
        guard let header, header.hasPrefix(name + "=") else { return nil }
        return header.dropFirst(name.count + 1).split(separator: ";").first.map(String.init) ?? ""
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }
}

extension CLI {
    /// `zisync user add NAME --role ROLE`, the password on standard input as a script gives it.
    func addUser(_ name: String, role: String, password: String = "kata-sandi-1") throws {
        let r = try CLI.process(
            "/bin/sh",
            [
                "-c", "printf '%s\\n' \"$0\" | \"$1\" user add \"$2\" --role \"$3\" --home \"$4\"", password,
                CLI.binary.path, name, role, home.path,
            ], environment: CLI.environment)
        #expect(r.status == 0, "user add \(name): \(r.stderr)")
    }
}
