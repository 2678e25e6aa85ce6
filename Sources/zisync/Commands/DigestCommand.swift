import ArgumentParser
import ZISyncCore
import ZISyncStore

struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "One hash of every record owned in a satker's subtree (every field and its version).",
        discussion: "Two nodes that hold the same data print the same digest.")

    @OptionGroup var node: NodeOptions
    @Option(help: "The subtree's root (default: this node's satker).") var satker: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try node.openStore()
        let code = satker ?? store.node
        let (digest, count) = try store.audit.digest(of: code)
        if json {
            try printJSON(["satker": code, "digest": digest, "records": count])
        } else {
            print("\(digest)  \(code) (\(count) records)")
        }
    }
}
