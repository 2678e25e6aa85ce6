import Foundation
import HTTPTypes
import Hummingbird
import ZISyncCore

/// The web app answers a browser that reaches it by an IP address or by a name the office gave
/// it, and no other. DNS rebinding points an attacker's own name at this server's LAN address so
/// that the attacker's page, open in a browser on the office network, may read this app's answers
/// as its own; that name is not one of these, so the request is refused (421) before any page.
/// (Cookies are host-only, so a rebound page never carries a session; this keeps it from the
/// login form and the public pages too.) First in the router, before the session is read.
struct HostCheck: RouterMiddleware {
    typealias Context = WebContext
    /// Lower-cased, without a trailing dot.
    let names: Set<String>

    init(names: [String]) {
        self.names = Set(names.map(Self.normalized))
    }

    static func normalized(_ name: String) -> String {
        var n = name.lowercased()
        if n.hasSuffix(".") { n.removeLast() }
        return n
    }

    /// Whether `authority` (`host[:port]`, the request's Host) may reach the app.
    func allows(_ authority: String) -> Bool {
        var host = Substring(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = host[...close]
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        return Validation.isIPAddress(String(host)) || names.contains(Self.normalized(String(host)))
    }

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response)
        async throws -> Response
    {
        // A request without a Host (HTTP/1.0 by hand) does not come from a browser page.
        if let authority = request.head.authority, !allows(authority) {
            let shown = String(authority.prefix(80).filter { $0.isASCII && !$0.isNewline })
            throw WebRefusal(
                status: .misdirectedRequest,
                message:
                    "Server ini tidak dikenal dengan nama \(shown). Buka lewat alamat IP-nya, atau minta operator menambahkan nama itu ke hosts di bagian [web] zisync.toml."
            )
        }
        return try await next(request, context)
    }
}
