/// What flows down to a node from its parent (brief §5.4): reference data, and every change
/// made outside the node's subtree to a record owned inside it (a province's review of a
/// kabupaten's plan, a correction entered at the province).
public struct Scope: Sendable {
    public let node: String
    let subtree: Set<String>

    public init(node: String, registry: SatkerRegistry) {
        self.node = node
        subtree = registry.subtree(of: node)
    }

    public func contains(_ change: Change) -> Bool {
        if RecordType(rawValue: change.recordType)?.isReference == true { return true }
        return subtree.contains(change.owner) && !subtree.contains(change.origin)
    }
}
