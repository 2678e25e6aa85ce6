import Crypto
import Foundation
import GRDB
import ZISyncCore

/// Links PortalRB's evaluators open without an account (issue 23): a capability per unit and
/// cycle, an HMAC of the unit, cycle and generation under a key that never leaves KPU RI, so the
/// same link is given at every fetch, nobody can guess one, and one opens only that unit's bukti
/// dukung of that cycle. A link works until the cycle's evaluasi-tpn window closes (31 December of
/// the cycle's year when KPU RI has set none), or until the operator revokes it.
public struct PortalRBEvidenceLinks: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    /// The capability of `satker`'s links for `cycle` (32 hex digits, 128 bits).
    public func capability(satker: String, cycle: Int) throws -> String {
        try store.db.write { db in
            let key = try PortalRBLinkRow.key(db)
            let generation = try PortalRBLinkRow.generation(db, satker: satker, cycle: cycle)
            return Self.mac(key: key, "\(satker)|\(cycle)|\(generation)")
        }
    }

    static func mac(key: Data, _ text: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: key)).prefix(16)
            .map { String(format: "%02x", $0) }.joined()
    }

    /// The last day a link of `cycle` works (in WIB).
    public func expiry(cycle: Int) throws -> String {
        try Evaluation(store).windows(cycle: cycle).first { $0.stage == .tpn }?.to ?? "\(cycle)-12-31"
    }

    /// Whether `presented` opens `satker`'s bukti dukung of `cycle` today: the capability, compared
    /// in constant time, and the day.
    public func admits(_ presented: String, satker: String, cycle: Int, today: String = EvaluationCycle.today()) throws
        -> Bool
    {
        guard presented.utf8.count == 32, store.registry.contains(satker) else { return false }
        let expected = try capability(satker: satker, cycle: cycle)
        let lastDay = try expiry(cycle: cycle)
        return PortalRBTokens.constantTimeEqual(presented, expected) && today <= lastDay
    }

    /// Revokes every link of `satker` for `cycle`: the next fetch gives new ones.
    public func revoke(satker: String, cycle: Int) throws {
        try store.db.write { db in try PortalRBLinkRow.raise(db, satker: satker, cycle: cycle) }
    }

    /// The link of one item's bukti dukung under `base` (the API's address as PortalRB reaches it).
    static func link(base: String, capability: String, satker: String, cycle: Int, code: String) -> String {
        "\(base)/bukti/\(capability)/\(satker)/\(cycle)/\(code)"
    }
}
