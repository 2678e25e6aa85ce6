import ArgumentParser
import ZISyncCore
import ZISyncStore

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Rencana aksi: action plans for the six areas of change.",
        subcommands: [
            PlanAdd.self, PlanSet.self, PlanDelete.self, PlanList.self, PlanShow.self, PlanImport.self, PlanExport.self,
        ])
}

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
