import ArgumentParser
import ZISyncCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a node for one satker, with the reference data of KPU RI.")

    @OptionGroup var node: NodeOptions

    @Option(help: "The satker code of this office, e.g. 00, 32 or 32.17.")
    var satker: String

    func run() throws {
        let store = try Store.initialize(home: Home(path: try node.homePath), satker: satker)
        let name = store.registry[satker]?.name ?? satker
        let counts = try store.counts()
        print("Initialized \(store.home.url.path) for \(satker) \(name)")
        print(
            "Reference data: \(store.registry.all.count) satker, \(try store.lkeCatalogue().count) LKE items (\(counts.changes) changes from 00)"
        )
    }
}
