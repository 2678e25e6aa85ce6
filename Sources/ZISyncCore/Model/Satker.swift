/// The level of an office in the KPU tree.
public enum SatkerLevel: String, Sendable, CaseIterable {
    case pusat, provinsi, kabkota
}

/// One office (satuan kerja) of the registry.
public struct Satker: Sendable, Hashable {
    public let code: String
    public let level: SatkerLevel
    public let parent: String?
    public let name: String

    public init(code: String, level: SatkerLevel, parent: String?, name: String) {
        self.code = code
        self.level = level
        self.parent = parent
        self.name = name
    }
}

/// The tree of offices, used for scope and authorization decisions.
public struct SatkerRegistry: Sendable {
    public static let root = "00"
    private let byCode: [String: Satker]
    public let all: [Satker]

    public init(_ satkers: [Satker]) {
        all = satkers
        var map: [String: Satker] = [:]
        for s in satkers { map[s.code] = s }
        byCode = map
    }

    public subscript(code: String) -> Satker? { byCode[code] }

    public func contains(_ code: String) -> Bool { byCode[code] != nil }

    /// The order the changes of several origins travel in: the deepest offices first (a
    /// kab/kota's plan before its province's review of it), then by code. The outbox sends in it
    /// and a node releases held changes in it, so that no change arrives before what it refers to.
    public func travelsBefore(_ a: String, _ b: String) -> Bool {
        let (da, db) = (lineage(of: a).count, lineage(of: b).count)
        return da != db ? da > db : a < b
    }

    /// The chain from `code` up to the root, `code` first.
    public func lineage(of code: String) -> [String] {
        var out: [String] = []
        var current: String? = code
        while let c = current, let s = byCode[c], !out.contains(c) {
            out.append(c)
            current = s.parent
        }
        return out
    }

    /// True when `code` lies in the subtree rooted at `root` (itself included).
    public func isInSubtree(_ code: String, of root: String) -> Bool {
        if code == root { return byCode[code] != nil }
        return lineage(of: code).contains(root)
    }

    /// True when `ancestor` is a strict ancestor of `code`.
    public func isStrictAncestor(_ ancestor: String, of code: String) -> Bool {
        code != ancestor && isInSubtree(code, of: ancestor)
    }

    public func children(of code: String) -> [Satker] {
        all.filter { $0.parent == code }
    }

    /// Every code in the subtree of `root`, root included.
    public func subtree(of root: String) -> Set<String> {
        Set(all.lazy.map(\.code).filter { isInSubtree($0, of: root) })
    }
}
