import ArgumentParser

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Rencana aksi: action plans for the six areas of change.",
        subcommands: [
            PlanAddCommand.self, PlanSetCommand.self, PlanDeleteCommand.self, PlanListCommand.self,
            PlanShowCommand.self, PlanImportCommand.self, PlanExportCommand.self,
        ])
}
