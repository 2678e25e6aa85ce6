import ZISyncCore

/// KPU RI publishing the revocation of an office's certificate, by serial: reference data every
/// office receives with its pulls (`Store.revocations` reads them), after which the door and the
/// signature checks refuse that certificate.
public struct CertificateRevocations: Sendable {
    let store: Store

    public init(_ store: Store) { self.store = store }

    /// Publishes the revocation of `satker`'s certificate `serial` (hex, colons allowed) as
    /// `actor`; only KPU RI's node publishes them. Returns the serial as stored.
    @discardableResult
    public func revoke(satker: String, serial: String, reason: String, actor: String, at now: Int64) throws -> String {
        guard store.node == "00" else {
            throw ZISyncError("revocations are published by KPU RI: this must be the node of 00, not \(store.node)")
        }
        guard store.registry.contains(satker) else { throw ZISyncError("unknown satker code '\(satker)'") }
        let serial = serial.lowercased().replacingOccurrences(of: ":", with: "")
        guard !serial.isEmpty, serial.utf8.count <= 64, serial.allSatisfy(\.isHexDigit) else {
            throw ZISyncError("the serial must be the certificate's serial number in hex, got '\(serial)'")
        }
        try store.write(
            type: .revocation, recordID: Validation.newRecordID(), owner: "00",
            fields: [
                "satker": .string(satker), "serial": .string(serial), "revoked_at": .int(now),
                "reason": .string(reason),
            ], actor: actor)
        return serial
    }
}
