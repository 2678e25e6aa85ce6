/// What flows down to a node from its parent (brief §5.4): reference data, and every change
/// made outside the node's subtree to a record owned inside it (a province's review of a
/// kabupaten's plan, a correction entered at the province).
public struct Scope: Sendable {
    public let node: String
    let subtree: Set<String>
    /// A restore also takes back the node's own subtree's chains.
    let ownChains: Bool

    public init(node: String, registry: SatkerRegistry, includingOwnChains: Bool = false) {
        self.node = node
        subtree = registry.subtree(of: node)
        ownChains = includingOwnChains
    }

    public func contains(_ change: Change) -> Bool {
        contains(type: change.recordType, owner: change.owner, origin: change.origin)
    }

    public func contains(type: String, owner: String, origin: String) -> Bool {
        if RecordType(rawValue: type)?.isReference == true { return true }
        if ownChains && subtree.contains(origin) { return true }
        return subtree.contains(owner) && !subtree.contains(origin)
    }
}
