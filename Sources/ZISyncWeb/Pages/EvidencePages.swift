import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ZISyncCore
import ZISyncStore

/// Bukti dukung: the list (per rencana aksi, per LKE code; files not yet sent up marked), the
/// upload in chunks that survives a dropped connection, and the download.
extension WebSite {
    static let offsetHeader = HTTPField.Name("Upload-Offset")!
    static let lengthHeader = HTTPField.Name("Upload-Length")!

    func registerEvidence(on router: RouterGroup<WebContext>) {
        router.get("/bukti-dukung") { request, context -> Response in
            let q = request.uri.queryParameters
            return try evidenceList(
                context: context, satker: try satker(q["satker"].map(String.init)), plan: q["rencana"].map(String.init),
                lke: q["lke"].map(String.init), notice: Self.notice(of: request))
        }
        registerUploads(on: router)
        router.get("/bukti-dukung/:id/unduh") { _, context -> Response in
            guard let id = context.parameters.get("id"), Validation.isRecordID(id, of: .evidence),
                let e = try store.records.get(id),
                e.type == RecordType.evidence.rawValue, !e.isDeleted, store.subtree.contains(e.owner),
                let sha = e.string("sha256")
            else { throw WebRefusal.notFound("Bukti dukung tidak ditemukan.") }
            guard let size = store.files.size(of: sha) else {
                throw WebRefusal.notFound("Berkas ini belum ada di kantor ini (menunggu sinkronisasi).")
            }
            let name = e.string("file_name") ?? "bukti"
            var headers = HTTPFields()
            headers[.contentType] = e.string("mime") ?? "application/octet-stream"
            headers[.contentLength] = String(size)
            let ascii = String(name.unicodeScalars.filter { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 32 })
            headers[.contentDisposition] =
                "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            let files = store.files
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    var offset: Int64 = 0
                    while offset < size {
                        let data = try files.read(sha, offset: offset, count: 1 << 20)
                        if data.isEmpty { break }
                        try await writer.write(ByteBuffer(bytes: data))
                        offset += Int64(data.count)
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// The upload of a bukti dukung in chunks (announce, ask the offset, send from it), through the
    /// store's one resumable upload (`WebUploads`).
    func registerUploads(on router: RouterGroup<WebContext>) {
        // Announce an upload: what it is for, its name and length (and SHA-256 when the browser has it).
        router.post("/bukti-dukung/unggah") { _, context -> Response in
            let s = try context.person()
            try s.require(.evidence)
            let form = context.form ?? Form(urlencoded: "")
            var errors: [String: String] = [:]
            let planID = form.text("rencana") ?? ""
            let plan = try? self.plan(planID)
            if plan == nil { errors["rencana"] = "Pilih rencana aksi yang didukung berkas ini." }
            let name = Self.fileName(form["nama"] ?? "")
            if name == nil { errors["berkas"] = "Nama berkas tidak sah." }
            // The store's own rule for the name, asked now: a name it refuses would be refused
            // only after every byte had come, the upload holding one of the person's slots.
            if let name,
                let problem = FieldWords.problem(
                    RecordType.evidence.schema, "file_name", text: name,
                    lkeCodeExists: store.authorization.lkeCodeExists)
            {
                errors["berkas"] = problem
            }
            let length = Int64(form["ukuran"] ?? "") ?? -1
            if !(1...WebUploads.maxLength).contains(length) {
                errors["berkas"] = "Ukuran berkas harus 1 byte sampai \(Words.bytes(WebUploads.maxLength))."
            }
            let sha = form.text("sha256")?.lowercased()
            if let sha, !Validation.isSHA256Hex(sha) { errors["berkas"] = "SHA-256 berkas tidak sah." }
            let auth = store.authorization
            for (field, key) in [("title", "judul"), ("kind", "jenis"), ("lke", "lke")] {
                if let problem = FieldWords.problem(
                    RecordType.evidence.schema, field, text: form.text(key) ?? "", lkeCodeExists: auth.lkeCodeExists)
                {
                    errors[key] = problem
                }
            }
            guard errors.isEmpty, let plan, let name else {
                return try Self.json(["errors": errors], status: .unprocessableContent)
            }
            let id = try uploads.begin { id in
                WebUploads.Meta(
                    id: id, user: s.account.name, length: length, name: name, plan: plan.id, title: form.text("judul"),
                    kind: form.text("jenis"), lke: form.text("lke"), sha256: sha,
                    createdAt: HybridClock.systemMilliseconds())
            }
            return try Self.json(["id": id, "offset": 0, "length": length], status: .created)
        }
        router.get("/bukti-dukung/unggah/:id") { _, context -> Response in
            if let done = try finished(context) { return try Self.json(done.json) }
            let (meta, _) = try upload(context)
            return try Self.json(["id": meta.id, "offset": uploads.offset(meta), "length": meta.length])
        }
        router.patch("/bukti-dukung/unggah/:id") { request, context -> Response in
            if let done = try finished(context) { return try Self.json(done.json) }
            let (meta, s) = try upload(context)
            guard let offset = request.headers[Self.offsetHeader].flatMap({ Int64($0) }), offset >= 0 else {
                throw WebRefusal.bad("Upload-Offset wajib ada.")
            }
            let now = try await uploads.append(
                meta, at: offset, body: request.body.map { Data($0.readableBytesView) })
            guard now == meta.length else { return try Self.json(["offset": now, "length": meta.length]) }
            return try finish(meta, session: s)
        }
    }

    /// The answer of the path's upload if it is finished already (the same answer its finish gave).
    func finished(_ context: WebContext) throws -> UploadFinishes.Done? {
        let s = try context.person()
        return context.parameters.get("id").flatMap { uploads.finishes.answer($0, user: s.account.name) }
    }

    /// The upload of the path, which only the person who began it may continue.
    func upload(_ context: WebContext) throws -> (WebUploads.Meta, WebSession) {
        let s = try context.person()
        try s.require(.evidence)
        guard let id = context.parameters.get("id"), let meta = uploads.meta(id, user: s.account.name) else {
            throw WebRefusal.notFound("Unggahan ini tidak ada (mungkin sudah selesai atau kedaluwarsa).")
        }
        return (meta, s)
    }

    /// Every byte is here: check the hash, store the file and write the bukti dukung.
    func finish(_ meta: WebUploads.Meta, session s: WebSession) throws -> Response {
        guard uploads.finishes.begin(meta.id, user: meta.user) else {
            if let done = uploads.finishes.answer(meta.id, user: meta.user) { return try Self.json(done.json) }
            return try Self.json(["error": "Unggahan ini sedang diselesaikan; tunggu sebentar."], status: .conflict)
        }
        var answer: UploadFinishes.Done?
        defer { uploads.finishes.end(meta.id, user: meta.user, answer: answer) }
        let got = try uploads.hash(meta)
        if let expected = meta.sha256, expected != got {
            uploads.discard(meta)
            logger.warning(
                "web: upload \(meta.id) of \(meta.name) by \(meta.user) hashed \(got), not \(expected): discarded")
            return try Self.json(
                ["error": "Isi berkas rusak di perjalanan (SHA-256 tidak cocok); berkas dibuang, unggah ulang."],
                status: .unprocessableContent)
        }
        do {
            let (id, stored) = try Evidence(store).add(
                plan: meta.plan, file: uploads.url(meta), name: meta.name, title: meta.title, kind: meta.kind,
                lke: meta.lke, actor: s.actor(at: node))
            uploads.discard(meta)
            let done = UploadFinishes.Done(
                evidence: id, sha256: stored.sha256, length: meta.length,
                next: Self.noticeURL("/bukti-dukung", notice: "Bukti dukung \(meta.name) tersimpan."))
            answer = done
            return try Self.json(done.json)
        } catch let e as ZISyncError {
            // Kept: every byte is here, and the person may try again once the refusal is gone
            // (an office restoring from its parent writes nothing for a while).
            return try Self.json(["error": Self.refusal(e)], status: .unprocessableContent)
        }
    }

    /// A file's name as the browser gave it, without any folder, control character or quote.
    static func fileName(_ raw: String) -> String? {
        let base = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(base.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 })
            .trimmingCharacters(in: .whitespaces)
        guard !clean.isEmpty, clean != ".", clean != "..", clean.utf8.count <= 255 else { return nil }
        return clean
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func evidenceRow(_ e: StoredRecord, unsent: Set<String> = []) -> [String: Any] {
        let sha = e.string("sha256") ?? ""
        return [
            "id": e.id, "title": e.string("title") ?? e.string("file_name") ?? e.id,
            "name": e.string("file_name") ?? "",
            "kind": e.string("kind") ?? "", "lke": e.string("lke") ?? "",
            "size": Words.bytes(e["size"].intValue ?? 0), "present": store.files.contains(sha),
            "unsent": unsent.contains(sha), "plan": e.string("plan") ?? "",
        ]
    }

    func evidenceList(
        context: WebContext, satker: String, plan: String?, lke: String?, notice: String?
    ) throws -> Response {
        let s = try context.person()
        let planFilter = try plan.flatMap { $0.isEmpty ? nil : try self.plan($0) }
        let unsent = Set(((try? store.ledger.filesToUpload()) ?? []).map(\.sha256))
        let plans = try Plans(store).list(owners: [satker])
        let activity = Dictionary(
            plans.map { ($0.id, $0.string("activity") ?? $0.id) }, uniquingKeysWith: { a, _ in a })
        var rows: [[String: Any]] = []
        for e in try store.records.list(.evidence, owners: [satker]) where !e.isDeleted {
            if let planFilter, e.string("plan") != planFilter.id { continue }
            if let lke, !lke.isEmpty, !Validation.lkeCodes(e.string("lke") ?? "").contains(lke) { continue }
            var row = evidenceRow(e, unsent: unsent)
            row["activity"] = activity[e.string("plan") ?? ""] ?? ""
            rows.append(row)
        }
        return try page(
            "bukti", title: "Bukti dukung", context: context,
            [
                "rows": rows, "count": rows.count, "satker": satker,
                "satkerName": store.registry[satker]?.name ?? satker,
                "canWrite": s.account.role.may(.evidence) && satker == node, "lkeFilter": lke ?? "",
                "planFilter": planFilter.map { ["id": $0.id, "activity": $0.string("activity") ?? ""] } as Any,
                "plans": plans.map { p in
                    ["id": p.id, "activity": p.string("activity") ?? p.id, "selected": p.id == planFilter?.id]
                        as [String: Any]
                },
                "kinds": RecordSchema.evidenceKinds, "notice": notice as Any,
                "maxSize": WebUploads.maxLength,
            ])
    }
}
