/// The materialized state of one field: the last-writer-wins value, plus the set of
/// writes no other write has seen (its heads) and the versions named in some write's base
/// that have not arrived yet. All three are functions of the set of writes received,
/// so any delivery order gives the same state (brief §5.2, docs/decisions.md).
public struct FieldState: Sendable, Equatable {
    public var value: FieldValue
    public var hlc: HLC
    public var origin: String
    public var seq: Int64
    /// Writes that no received write has seen. More than one means an open conflict.
    public var heads: [Version]
    /// Versions named in a received base but not received themselves.
    public var missing: [Version]

    public var version: Version { Version(origin: origin, seq: seq) }
    public var isConflicted: Bool { heads.count > 1 }

    public init(value: FieldValue, hlc: HLC, origin: String, seq: Int64, heads: [Version], missing: [Version]) {
        self.value = value
        self.hlc = hlc
        self.origin = origin
        self.seq = seq
        self.heads = heads
        self.missing = missing
    }
}

/// One write to one field, as the merge sees it.
public struct FieldWrite: Sendable, Equatable {
    public let value: FieldValue
    public let hlc: HLC
    public let version: Version
    public let base: [Version]

    public init(value: FieldValue, hlc: HLC, version: Version, base: [Version]) {
        self.value = value
        self.hlc = hlc
        self.version = version
        self.base = base
    }
}

public enum Merge {
    /// True when write `a` wins over write `b`: later HLC, then the greater origin code.
    public static func wins(_ a: (HLC, String), over b: (HLC, String)) -> Bool {
        if a.0 != b.0 { return a.0 > b.0 }
        return b.1.utf8.lexicographicallyPrecedes(a.1.utf8)
    }

    /// Folds one write into a field's state. `wasReceived` answers whether a version
    /// named in the write's base (and not already a head or missing) has been received.
    public static func apply(
        _ write: FieldWrite, to state: FieldState?, wasReceived: (Version) throws -> Bool
    ) rethrows -> FieldState {
        guard var s = state else {
            let missing = write.base.filter { $0 != write.version }.sorted()
            return FieldState(
                value: write.value, hlc: write.hlc, origin: write.version.origin, seq: write.version.seq,
                heads: [write.version], missing: missing)
        }
        if wins((write.hlc, write.version.origin), over: (s.hlc, s.origin)) {
            s.value = write.value
            s.hlc = write.hlc
            s.origin = write.version.origin
            s.seq = write.version.seq
        }
        var heads = Set(s.heads)
        var missing = Set(s.missing)
        let seenBefore = missing.remove(write.version) != nil
        for b in write.base where b != write.version {
            if heads.remove(b) != nil { continue }
            if missing.contains(b) { continue }
            if try !wasReceived(b) { missing.insert(b) }
        }
        if !seenBefore { heads.insert(write.version) }
        s.heads = heads.sorted()
        s.missing = missing.sorted()
        return s
    }
}
