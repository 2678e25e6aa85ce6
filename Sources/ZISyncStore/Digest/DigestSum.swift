import ZISyncCore

/// A 256-bit number kept modulo 2^256: the sum of record hashes that stands for a set of records
/// (a multiset hash). The sum does not depend on the order records were written in, and a
/// record's change is one subtraction and one addition, so a digest is kept as records change
/// instead of being read again from every record (docs/decisions.md, "A digest kept per office").
struct DigestSum: Equatable, Sendable {
    /// Least significant first.
    private(set) var limbs: [UInt64]

    static let zero = DigestSum(limbs: [0, 0, 0, 0])

    private init(limbs: [UInt64]) { self.limbs = limbs }

    /// A SHA-256 (32 bytes, read as a big-endian number); nil for any other length.
    init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        let b = Array(bytes)
        var limbs = [UInt64](repeating: 0, count: 4)
        for i in 0..<4 {
            var v: UInt64 = 0
            for byte in b[(24 - 8 * i)..<(32 - 8 * i)] { v = v << 8 | UInt64(byte) }
            limbs[i] = v
        }
        self.limbs = limbs
    }

    /// 32 bytes, big-endian: how the sum is stored and hashed.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for limb in limbs.reversed() {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: limb >> shift)) }
        }
        return out
    }

    var hex: String { Hashing.hex(bytes) }

    mutating func add(_ other: DigestSum) {
        var carry = false
        for i in 0..<4 {
            let (a, o1) = limbs[i].addingReportingOverflow(other.limbs[i])
            let (b, o2) = a.addingReportingOverflow(carry ? 1 : 0)
            limbs[i] = b
            carry = o1 || o2
        }
    }

    mutating func subtract(_ other: DigestSum) {
        var borrow = false
        for i in 0..<4 {
            let (a, o1) = limbs[i].subtractingReportingOverflow(other.limbs[i])
            let (b, o2) = a.subtractingReportingOverflow(borrow ? 1 : 0)
            limbs[i] = b
            borrow = o1 || o2
        }
    }
}
