import Foundation
import Testing
import ZISyncTestSupport

/// The first open of a province's new store makes its roll-up indexes; commands started at the
/// same moment (an operator's `status` beside the daemon's first start) must all succeed.
@Suite(.timeLimit(.minutes(10))) struct FirstStartTests {
    @Test func commandsRacingAProvincesFirstOpenAllSucceed() throws {
        for round in 1...5 {
            let node = CLI("first-start-\(round)")
            defer { node.cleanup() }
            try node.ok(["init", "--satker", "32"])
            // Eight processes open the new store at once; each finds the roll-up indexes missing.
            let processes = try (1...8).map { _ in
                try RunningProcess(
                    "/usr/bin/env", [CLI.binary.path, "status", "--json", "--home", node.home.path],
                    environment: CLI.environment)
            }
            for p in processes {
                let r = p.wait(timeout: .seconds(120))
                #expect(r.status == 0, "round \(round): \(r.stderr)")
            }
            #expect(try node.object("status")["node"] as? String == "32")
        }
    }
}
