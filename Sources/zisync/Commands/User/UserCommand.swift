import ArgumentParser
import ZISyncStore

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "The office's people: local accounts of the web app (Halaman kerja ZI).",
        discussion: """
            Accounts live on this node only (never replicated). Roles: \(Role.choices). Every change a \
            person makes from the web carries NAME@SATKER as its actor. Passwords are read from \
            standard input when it is not a terminal (one per line), so a script can enrol a team.
            """,
        subcommands: [
            UserAddCommand.self, UserPasswdCommand.self, UserListCommand.self, UserDisableCommand.self,
            UserEnableCommand.self,
        ])
}
