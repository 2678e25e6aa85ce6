import ZISyncCore
import ZISyncStore

/// One plan as a table row or JSON object.
enum PlanFormat {
    static let header = ["ID", "SATKER", "AREA", "LKE", "STATUS", "PROGRESS", "DEADLINE", "ACTIVITY"]

    static func row(_ p: StoredRecord) -> [String] {
        [
            String(p.id.prefix(8)), p.owner, p["area"].description, p["lke"].description, p["status"].description,
            p["progress"].isNull ? "" : "\(p["progress"])%", p["deadline"].description, p["activity"].description,
        ]
    }
}
