import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import ZISyncCore
import ZISyncStore
import ZISyncTestSupport

@testable import ZISyncWeb

/// The web app's routes in process (HummingbirdTesting's router client: no sockets, no daemon, no
/// second process): signing in and the form tokens, the schema's rules on the plan form, and a
/// bukti dukung through the store's one resumable upload, cut and resumed.
@Suite struct WebRouteTests {
    /// One person's session: the cookie and the form token of the last page.
    final class Browser: @unchecked Sendable {
        var session: String?
        var csrf: String?

        func remember(_ r: TestResponse) {
            let body = String(buffer: r.body)
            if let range = body.range(of: "name=\"_csrf\" value=\"") {
                let rest = body[range.upperBound...]
                csrf = rest.firstIndex(of: "\"").map { String(rest[..<$0]) } ?? csrf
            }
        }

        var headers: HTTPFields {
            var h = HTTPFields()
            if let session { h[.cookie] = "zisync_sesi=\(session)" }
            return h
        }
    }

    static func cookie(_ name: String, in r: TestResponse) -> String? {
        r.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
            .flatMap { $0.dropFirst(name.count + 1).split(separator: ";").first.map(String.init) }
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let text = fields.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        return ByteBuffer(string: text)
    }

    /// A kab/kota's store with one tim-zi member, and the app.
    func app() async throws -> (Store, some ApplicationProtocol) {
        let store = try TestNodes.make("32.17")
        try Accounts(store).add(name: "ani", role: .timZI, passwordHash: Passwords.hash("kata-sandi-1"))
        let site = try await WebSite(store: store, secure: false, logger: Logger(label: "test")) {
            SyncFacts(
                parent: nil, parentName: nil, lastSync: nil, pendingChanges: 0, pendingFiles: 0, pendingBytes: 0,
                problem: nil, restoring: nil, daemonRunning: true, children: [])
        }
        return (store, Application(router: site.router()))
    }

    func signIn(_ client: some TestClientProtocol, _ b: Browser) async throws {
        let page = try await client.execute(uri: "/masuk", method: .get)
        b.remember(page)
        let bound = try #require(Self.cookie("zisync_masuk", in: page))
        var headers = HTTPFields()
        headers[.cookie] = "zisync_masuk=\(bound)"
        headers[.contentType] = "application/x-www-form-urlencoded"
        let answer = try await client.execute(
            uri: "/masuk", method: .post, headers: headers,
            body: Self.form([("_csrf", b.csrf ?? ""), ("nama", "ani"), ("sandi", "kata-sandi-1")]))
        #expect(answer.status == .seeOther)
        b.session = try #require(Self.cookie("zisync_sesi", in: answer))
        b.remember(try await client.execute(uri: "/", method: .get, headers: b.headers))
    }

    func post(
        _ client: some TestClientProtocol, _ b: Browser, _ uri: String, _ fields: [(String, String)], token: Bool = true
    )
        async throws -> TestResponse
    {
        var headers = b.headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(
            uri: uri, method: .post, headers: headers,
            body: Self.form(fields + (token ? [("_csrf", b.csrf ?? "")] : [])))
    }

    @Test func aPlanFormIsHeldToTheSchemaAndEveryWriteToItsToken() async throws {
        let (store, app) = try await app()
        defer { TestNodes.remove(store) }
        try await app.test(.router) { client in
            let b = Browser()
            #expect(try await client.execute(uri: "/rencana-aksi", method: .get).status == .seeOther, "signed out")
            try await signIn(client, b)
            let noToken = try await post(
                client, b, "/rencana-aksi", [("area", "sdm"), ("activity", "x")], token: false)
            #expect(noToken.status == .forbidden)
            // What the plan schema requires is asked of the form, field by field.
            let empty = try await post(client, b, "/rencana-aksi", [("area", "sdm"), ("activity", "  ")])
            #expect(empty.status == .unprocessableContent && String(buffer: empty.body).contains("wajib diisi"))
            #expect(try Plans(store).list().isEmpty)
            let made = try await post(client, b, "/rencana-aksi", [("area", "sdm"), ("activity", "Rapat tim")])
            #expect(made.status == .seeOther)
            let plan = try #require(try Plans(store).list().first)
            #expect(plan.string("status") == "draft", "the schema's default")
            #expect(plan.string("activity") == "Rapat tim")
            // An edit writes only what differs, through the same domain operation as the CLI.
            let same = try await post(
                client, b, "/rencana-aksi/\(plan.id)",
                [("area", "sdm"), ("activity", "Rapat tim"), ("status", "draft")])
            #expect(same.status == .seeOther && same.headers[.location]?.contains("Tidak") == true)
            let emptied = try await post(
                client, b, "/rencana-aksi/\(plan.id)", [("area", ""), ("activity", "Rapat tim")])
            #expect(emptied.status == .unprocessableContent)
            #expect(try store.records.get(plan.id)?.string("area") == "sdm")
        }
    }

    @Test func anUploadIsTheStoresResumableUploadAndOnlyItsPersonsToContinue() async throws {
        let (store, app) = try await app()
        defer { TestNodes.remove(store) }
        let plan = try Plans(store).add(fields: ["area": .string("sdm"), "activity": .string("Bukti")], actor: "t")
        let content = Data((0..<250_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) })
        let sha = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
        try await app.test(.router) { client in
            let b = Browser()
            try await signIn(client, b)
            let begun = try await post(
                client, b, "/bukti-dukung/unggah",
                [
                    ("rencana", plan), ("nama", "sk.pdf"), ("ukuran", String(content.count)), ("sha256", sha),
                    ("jenis", "sk"),
                ])
            #expect(begun.status == .created, "\(String(buffer: begun.body))")
            let id = try #require(
                (try JSONSerialization.jsonObject(with: Data(buffer: begun.body)) as? [String: Any])?["id"] as? String)
            // The upload is a partial file of the store's, under the person's name as uploader.
            #expect(store.files.progress(id, uploader: "web-ani")?.length == Int64(content.count))
            func patch(_ from: Int, _ to: Int) async throws -> TestResponse {
                var h = b.headers
                h[HTTPField.Name("Upload-Offset")!] = String(from)
                h[HTTPField.Name("X-CSRF-Token")!] = b.csrf ?? ""
                h[.contentType] = "application/octet-stream"
                return try await client.execute(
                    uri: "/bukti-dukung/unggah/\(id)", method: .patch, headers: h,
                    body: ByteBuffer(bytes: content[from..<to]))
            }
            #expect(try await patch(0, 100_000).status == .ok)
            #expect(try await patch(0, 10).status == .conflict, "a wrong offset")
            let state = try await client.execute(uri: "/bukti-dukung/unggah/\(id)", method: .get, headers: b.headers)
            #expect(String(buffer: state.body).contains("\"offset\":100000"))
            let done = try await patch(100_000, content.count)
            #expect(done.status == .ok, "\(String(buffer: done.body))")
            #expect(String(buffer: done.body).contains(sha))
            #expect(store.files.contains(sha))
            #expect(store.files.progress(id, uploader: "web-ani") == nil, "the partial file is spent")
            let evidence = try Evidence(store).list()
            #expect(evidence.count == 1 && evidence.first?.string("file_name") == "sk.pdf")
        }
    }
}
