import Foundation

/// Bukti dukung: evidence files attached to a plan, stored by content hash.
extension Store {
    public func addEvidence(
        plan planID: String, file: URL, title: String?, kind: String?, actor: String
    ) throws -> (id: String, stored: FileStore.Stored) {
        let plan = try resolve(planID, as: .actionPlan)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else {
            throw ZISyncError("no such file: \(file.path)")
        }
        let stored = try files.put(contentsOf: file)
        let name = file.lastPathComponent
        var fields: [String: FieldValue] = [
            "plan": .string(plan.id), "file_name": .string(name), "mime": .string(Self.mimeType(of: name)),
            "size": .int(stored.size), "sha256": .string(stored.sha256),
            "title": .string(title ?? name), "kind": .string(kind ?? "lainnya"),
        ]
        if let lke = plan.string("lke") { fields["lke"] = .string(lke) }
        if let kind { fields["kind"] = try RecordType.evidence.schema.parse(field: "kind", text: kind) }
        let id = Validation.newRecordID()
        try write(type: .evidence, recordID: id, owner: plan.owner, fields: fields, actor: actor)
        return (id, stored)
    }

    public func evidence(plan planID: String? = nil) throws -> [StoredRecord] {
        let planFilter = try planID.map { try resolve($0, as: .actionPlan).id }
        return try records(.evidence, subtree: node)
            .filter { planFilter == nil || $0["plan"] == .string(planFilter!) }
            .sorted { ($0.owner, $0.updated) < ($1.owner, $1.updated) }
    }

    static func mimeType(of name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "pdf": return "application/pdf"
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case "xls": return "application/vnd.ms-excel"
        case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "doc": return "application/msword"
        case "csv": return "text/csv"
        case "txt": return "text/plain"
        case "zip": return "application/zip"
        default: return "application/octet-stream"
        }
    }
}
