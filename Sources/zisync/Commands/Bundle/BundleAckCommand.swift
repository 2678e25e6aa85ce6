import ArgumentParser
import Foundation
import ZISyncEngine
import ZISyncProtocol

struct BundleAckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Record a receipt from the parent, so the next bundle carries only what it lacks.")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The receipt file written by `zisync bundle import --receipt`.") var file: String

    func run() throws {
        let receipt = try BundleReceipt.read(URL(fileURLWithPath: file))
        try BundleExchange.acknowledge(receipt, on: try node.openStore())
        let tips = receipt.tips.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ", ")
        print("parent \(receipt.from) holds \(tips.isEmpty ? "nothing yet" : tips)")
    }
}
