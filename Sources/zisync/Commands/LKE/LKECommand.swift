import ArgumentParser

struct LKECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lke",
        abstract: "The LKE of PermenPANRB 90/2021: its catalogue, answers, score and gaps, and its evaluation cycle.",
        subcommands: [
            LKEListCommand.self, LKEAnswerCommand.self, LKEImportCommand.self, LKEExportCommand.self,
            LKESheetCommand.self,
            LKEScoreCommand.self, LKEGapsCommand.self, LKEReportCommand.self, LKEPredikatCommand.self,
            LKECalendarCommand.self, LKESubmitCommand.self, LKEReturnCommand.self, LKEVerdictCommand.self,
            LKEStatusCommand.self, LKEConcludeCommand.self, LKEPrerequisiteCommand.self, LKEProposeCommand.self,
            LKEProposalsCommand.self, LKELHECommand.self,
        ])
}
