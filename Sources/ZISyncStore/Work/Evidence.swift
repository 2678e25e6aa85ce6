import Foundation
import GRDB
import ZISyncCore

/// Bukti dukung: evidence files attached to a plan, stored once by content hash.
public struct Evidence: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    /// `name`: the file's name as the person knows it (default: the name of `file`).
    public func add(
        plan planID: String, file: URL, name: String? = nil, title: String?, kind: String?, lke: String? = nil,
        actor: String
    ) throws -> (id: String, stored: FileStore.Stored) {
        let plan = try store.records.resolve(planID, as: .actionPlan)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else {
            throw ZISyncError("no such file: \(file.path)")
        }
        let stored = try store.files.put(contentsOf: file)
        let name = name ?? file.lastPathComponent
        var fields: [String: FieldValue] = [
            "plan": .string(plan.id), "file_name": .string(name), "mime": .string(Self.mimeType(of: name)),
            "size": .int(stored.size), "sha256": .string(stored.sha256),
            "title": .string(title ?? name), "kind": .string(kind ?? "lainnya"),
        ]
        // The LKE codes it supports: those given, else its plan's.
        if let lke = lke ?? plan.string("lke") {
            fields["lke"] = try RecordType.evidence.schema.parse(field: "lke", text: lke)
        }
        if let kind { fields["kind"] = try RecordType.evidence.schema.parse(field: "kind", text: kind) }
        let id = Validation.newRecordID()
        try store.write(type: .evidence, recordID: id, owner: plan.owner, fields: fields, actor: actor)
        return (id, stored)
    }

    /// Evidence owned in this node's subtree, optionally of one plan, by owner and last change.
    public func list(plan planID: String? = nil) throws -> [StoredRecord] {
        var out: [StoredRecord] = []
        try each(plan: planID) { out.append($0) }
        return out
    }

    /// The same evidence one by one, read as a stream.
    public func each(plan planID: String? = nil, _ body: (StoredRecord) throws -> Void) throws {
        let owners = Array(store.subtree)
        let plan = try planID.map { try store.records.resolve($0, as: .actionPlan).id }
        try store.records.each({ try RecordRow.evidence($0, owners: owners, plan: plan) }, body)
    }

    /// Whether the file an evidence record names is in this node's file store.
    public func filePresent(_ evidence: StoredRecord) -> Bool {
        evidence.string("sha256").map(store.files.contains) ?? false
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
