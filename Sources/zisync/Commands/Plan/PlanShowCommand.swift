import ArgumentParser
import ZISyncCore
import ZISyncStore

struct PlanShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one plan in full.")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The plan id (or its first 8+ characters).") var id: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let plan = try store.records.resolve(id, as: .actionPlan)
        let evidence = try Evidence(store).list(plan: plan.id)
        let verdict = try Reviews(store).latest(of: plan.id)
        if json {
            var obj = plan.jsonObject
            obj["evidence"] = evidence.map { $0.jsonObject }
            if let verdict { obj["review"] = verdict.jsonObject }
            try printJSON(obj)
            return
        }
        print("id:       \(plan.id)")
        print("satker:   \(plan.owner) \(store.registry[plan.owner]?.name ?? "")")
        for name in plan.fields.keys.sorted() where name != RecordSchema.deletedField {
            print("\(name):".padding(toLength: 10, withPad: " ", startingAt: 0) + plan[name].description)
        }
        if plan.isDeleted { print("DELETED") }
        if let verdict {
            print(
                "review:   \(verdict["verdict"]) by \(verdict["reviewer_satker"]) (\(verdict["reviewer"])) \(verdict["note"])"
            )
        }
        print("evidence: \(evidence.count)")
        for e in evidence {
            let have = e.string("sha256").map(store.files.contains) ?? false
            print("  \(e.id.prefix(8))  \(e["file_name"])  \(e["size"]) bytes\(have ? "" : "  (file not here yet)")")
        }
    }
}
