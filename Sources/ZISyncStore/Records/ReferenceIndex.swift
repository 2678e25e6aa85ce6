import GRDB
import ZISyncCore

/// The replicated reference data read back for decisions: the satker registry and the LKE codes.
enum ReferenceIndex {
    static func registry(_ db: Database) throws -> SatkerRegistry {
        var satkers: [Satker] = []
        let rows = try RecordRow.live(db, .satker)
        while let row = try rows.next() {
            let f = try row.record()
            guard let code = f["code"].stringValue,
                let level = f["level"].stringValue.flatMap({ SatkerLevel(rawValue: $0) })
            else { continue }
            if f["active"] == .bool(false) { continue }
            satkers.append(
                Satker(code: code, level: level, parent: f["parent"].stringValue, name: f["name"].stringValue ?? code))
        }
        return SatkerRegistry(satkers.sorted { $0.code < $1.code })
    }

    /// Every catalogue code with its level and answer type.
    static func lkeRows(_ db: Database) throws -> [String: LKERow] {
        var rows: [String: LKERow] = [:]
        let cursor = try RecordRow.live(db, .lkeItem)
        while let row = try cursor.next() {
            let f = try row.record()
            rows[String(row.recordID.dropFirst("lke:".count))] = LKERow(
                level: f["level"].stringValue ?? "",
                answerType: f["answer_type"].stringValue.flatMap(LKEAnswerType.init))
        }
        return rows
    }

    /// The certificates KPU RI revoked.
    static func revocations(_ db: Database) throws -> Revocations {
        var list: [Revocations.Entry] = []
        let rows = try RecordRow.live(db, .revocation)
        while let row = try rows.next() {
            let f = try row.record()
            guard let satker = f["satker"].stringValue, let serial = f["serial"].stringValue,
                case .int(let at)? = f.fields["revoked_at"]?.value
            else { continue }
            list.append(
                .init(satker: satker, serial: serial.lowercased(), at: at, reason: f["reason"].stringValue ?? ""))
        }
        return Revocations(list)
    }
}
