import ArgumentParser
import Foundation
import ZISyncCore

@main
struct ZISync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zisync",
        abstract: "Offline-first sync of Zona Integritas work (rencana aksi, bukti dukung) between KPU offices.",
        discussion: """
            Every command works on one node's home directory: --home DIR or ZISYNC_HOME.
            Exit codes: 0 success; 1 error (the message names the bad input); 3 verify found \
            a problem; 4 a bundle was imported or a sync went through but some changes were refused; 64 bad usage.
            """,
        subcommands: [
            InitCommand.self, PlanCommand.self, EvidenceCommand.self, ReviewCommand.self, HistoryCommand.self,
            ConflictsCommand.self, ReportCommand.self, DigestCommand.self, VerifyCommand.self, BundleCommand.self,
            MonevCommand.self, PKICommand.self, DaemonCommand.self, SyncCommand.self, StatusCommand.self,
            ConfigCommand.self, LKECommand.self, PortalRBCommand.self, DemoCommand.self, BackupCommand.self,
            RestoreCommand.self,
            UserCommand.self,
        ])

    /// Everything zisync creates (the home, the database and its journal, files, keys, the
    /// control socket) is for this user only, whatever umask it was started with.
    static func main() async {
        umask(0o077)
        await main(nil)
    }
}
