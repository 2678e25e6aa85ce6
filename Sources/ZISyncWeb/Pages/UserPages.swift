import Foundation
import Hummingbird
import ZISyncCore
import ZISyncStore

/// Pengguna: the operator lists the office's accounts, adds one and disables or enables it
/// (the same as `zisync user`).
extension WebSite {
    func registerUsers(on router: RouterGroup<WebContext>) {
        router.get("/pengguna") { request, context -> Response in
            try context.person().require(.users)
            return try usersPage(context: context, notice: Self.notice(of: request))
        }
        router.post("/pengguna") { _, context -> Response in
            let s = try context.person()
            try s.require(.users)
            let form = context.form ?? Form(urlencoded: "")
            let name = (form.text("nama") ?? "").lowercased()
            var errors: [String: String] = [:]
            if Accounts.problem(name: name) != nil {
                errors["nama"] = "Nama pengguna 1–32 huruf kecil, angka, '.', '_' atau '-', diawali huruf atau angka."
            }
            let role = form["peran"].flatMap(Role.init(rawValue:))
            if role == nil { errors["peran"] = "Pilih peran." }
            let password = form["sandi"] ?? ""
            if Passwords.problem(password) != nil { errors["sandi"] = "Kata sandi 8–72 karakter." }
            if errors.isEmpty, let role {
                do {
                    try store.accounts.add(name: name, role: role, passwordHash: Passwords.hash(password))
                    logger.notice("web: \(s.account.name) added user \(name) (\(role.rawValue))")
                    return Self.seeOther("/pengguna", notice: "Pengguna \(name) ditambahkan.")
                } catch let e as ZISyncError {
                    errors["nama"] =
                        e.description.contains("already exists") ? "Nama ini sudah dipakai." : e.description
                }
            }
            return try usersPage(context: context, errors: errors, name: name, status: .unprocessableContent)
        }
        router.post("/pengguna/:name/status") { _, context -> Response in
            let s = try context.person()
            try s.require(.users)
            let name = context.parameters.get("name") ?? ""
            let disable = context.form?["nonaktif"] == "1"
            guard name != s.account.name || !disable else {
                throw WebRefusal.bad("Akun sendiri tidak dapat dinonaktifkan.")
            }
            do {
                try store.accounts.setDisabled(name: name, disable)
            } catch is ZISyncError {
                throw WebRefusal.notFound("Pengguna \(name) tidak ada.")
            }
            logger.notice("web: \(s.account.name) \(disable ? "disabled" : "enabled") user \(name)")
            return Self.seeOther("/pengguna", notice: "Pengguna \(name) \(disable ? "dinonaktifkan" : "diaktifkan").")
        }
    }

    func usersPage(
        context: WebContext, notice: String? = nil, errors: [String: String] = [:], name: String = "",
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let users: [[String: Any]] = try store.accounts.list().map { a in
            ["name": a.name, "role": a.role.label, "disabled": a.disabled, "since": Words.date(a.createdAt)]
        }
        return try page(
            "pengguna", title: "Pengguna", context: context, status: status,
            [
                "users": users, "notice": notice as Any, "nama": name, "errNama": errors["nama"] as Any,
                "errPeran": errors["peran"] as Any, "errSandi": errors["sandi"] as Any,
                "roles": Role.allCases.map { ["value": $0.rawValue, "label": $0.label] },
            ])
    }
}
