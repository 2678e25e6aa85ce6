import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncNode
import ZISyncStore

struct PortalRBPreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview", abstract: "Print exactly what PortalRB would receive.",
        discussion: """
            With --satker: that unit's answers (GET /lke/jawaban-unit/{unit_id}), one per soal of \
            PortalRB's master for the cycle, from its submitted unit layer and KPU RI's tpi layer. \
            With --list wbk or wbbm: the units KPU RI proposes (GET /pengusulan/unit-wbk, unit-wbbm).
            """)

    @OptionGroup var node: NodeOptions
    @Option(help: "The proposed unit.") var satker: String?
    @Option(help: "wbk or wbbm: the list of proposed units.") var list: String?
    @Option(help: "The evaluation year (default: this year).") var cycle: Int?

    func validate() throws {
        guard (satker == nil) != (list == nil) else { throw ValidationError("give --satker or --list, one of them") }
        if let list, list != "wbk", list != "wbbm" { throw ValidationError("--list must be wbk or wbbm") }
    }

    func run() async throws {
        let store = try node.openStore()
        let cycle = try LKECycle.resolve(self.cycle)
        let data = PortalRBData(store)
        if let list {
            let units = try data.units(category: list, year: cycle)
            print(String(decoding: PortalRBData.unitsJSON(units, year: cycle), as: UTF8.self))
            return
        }
        let satker = satker!
        try LKECycle.check(satker: satker, store)
        // The links as the API gives them: under the configured public address, else where the
        // running daemon serves the API; with neither, the bukti dukung's titles.
        let config = try? node.loadConfig()
        var base = config?.portalRBPublicURL
        if base == nil { base = await ControlClient(home: Home(path: try node.homePath))?.state()?.portalrb }
        guard let answers = try data.payload(unit: satker, year: cycle, linkBase: base) else {
            throw ZISyncError(
                "PortalRB would get 404: \(satker) is not proposed for \(cycle), its LKE is not submitted, or no PortalRB master ships for \(cycle)"
            )
        }
        print(String(decoding: PortalRBData.answersJSON(answers), as: UTF8.self))
    }
}
