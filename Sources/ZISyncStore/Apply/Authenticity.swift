import Foundation
import GRDB
import ZISyncAuthenticity
import ZISyncCore
import ZISyncProtocol

/// Who wrote a change (docs/security.md, "Who wrote a change"). Every change is signed by its
/// origin with the key of its certificate; the certificates travel with the changes and are kept
/// in `origin_certificate`. A node with the deployment's trust (every node with a CA in its
/// config) applies a received change only when its origin signed it, under a certificate the CA
/// issued for that origin and not revoked before the change. Within an origin's run in one batch,
/// one signature verified at the top vouches for every change below it that its hash chain
/// links to it (each change's hash covers the previous one's), so a batch costs one
/// verification per origin, not one per change.
struct ChangeAuthenticity {
    let trust: DeploymentTrust
    let revocations: Revocations
    private var certificates: [String: TrustedCertificate?] = [:]

    init(trust: DeploymentTrust, revocations: Revocations) {
        self.trust = trust
        self.revocations = revocations
    }

    /// The certificate with this key id, if one held here was issued by the deployment CA.
    mutating func certificate(_ keyID: String, db: Database) throws -> TrustedCertificate? {
        if let known = certificates[keyID] { return known }
        let der = try OriginCertificateRow.der(db, keyID: keyID)
        let value = der.flatMap { try? trust.admit(der: Array($0)) }
        certificates[keyID] = .some(value)
        return value
    }

    /// Why `change` is not its origin's, or nil when it is.
    mutating func refusal(_ change: Change, db: Database) throws -> String? {
        guard let signature = change.signature else {
            return "change \(change.id) is not signed by \(change.origin)"
        }
        guard let cert = try certificate(signature.keyID, db: db) else {
            return
                "change \(change.id) is signed with key \(signature.keyID.prefix(12))…, which no certificate of the deployment CA held here names"
        }
        guard cert.signed(change) else {
            return cert.satker == change.origin
                ? "change \(change.id) carries a signature that does not verify under \(change.origin)'s certificate (forged or altered)"
                : "change \(change.id) claims origin \(change.origin) but is signed by \(cert.satker)"
        }
        return revokedRefusal(change, certificate: cert)
    }

    /// A change signed with a key revoked before the change was made.
    func revokedRefusal(_ change: Change, certificate cert: TrustedCertificate) -> String? {
        guard let at = revocations.revokedAt(cert), change.hlc.milliseconds >= at else { return nil }
        return
            "change \(change.id) is signed with \(change.origin)'s certificate \(cert.serial.prefix(16)), revoked before the change was made"
    }

    /// For each change of an origin whose chain this node keeps, whether it is authentic: its own
    /// signature verifies, or the next change of its origin in the batch is authentic, has a
    /// valid hash and names this one's hash as its previous. Others get nil (checked one by one).
    mutating func vouch(_ changes: [Change], chained: (String) -> Bool, db: Database) throws -> [Bool?] {
        var result = [Bool?](repeating: nil, count: changes.count)
        var byOrigin: [String: [Int]] = [:]
        for (i, c) in changes.enumerated() where chained(c.origin) { byOrigin[c.origin, default: []].append(i) }
        for (_, indices) in byOrigin {
            let ordered = indices.sorted { changes[$0].seq > changes[$1].seq }
            var link: (seq: Int64, hash: String)?  // what the next lower change must be to be vouched
            for i in ordered {
                let c = changes[i]
                var ok = false
                if let link, c.seq == link.seq, c.hash == link.hash {
                    // Linked to an authentic change. A signature it carries must still be its origin's,
                    // by a key not revoked before it.
                    if let key = c.signature?.keyID {
                        if let cert = try certificate(key, db: db), cert.satker == c.origin {
                            ok = revokedRefusal(c, certificate: cert) == nil
                        }
                    } else {
                        ok = true
                    }
                }
                if !ok { ok = try refusal(c, db: db) == nil }
                result[i] = ok
                link = ok && c.hashIsValid ? (c.seq - 1, c.prev ?? "") : nil
            }
        }
        return result
    }
}

/// The revocations published by KPU RI (reference data): each names a satker and the serial of
/// one of its certificates, and when it took effect. `zisync pki issue` afterwards gives the
/// office a new serial, which works.
public struct Revocations: Sendable {
    public struct Entry: Sendable, Equatable {
        public let satker: String
        public let serial: String
        /// When the revocation takes effect (ms since the epoch).
        public let at: Int64
        public let reason: String
    }

    let entries: [String: Entry]

    public init(_ list: [Entry]) {
        var map: [String: Entry] = [:]
        for e in list {
            let key = e.satker + "/" + e.serial
            if map[key].map({ $0.at > e.at }) ?? true { map[key] = e }
        }
        entries = map
    }

    /// When `cert` was revoked, if it was.
    public func revokedAt(_ cert: TrustedCertificate) -> Int64? { entry(satker: cert.satker, serial: cert.serial)?.at }

    public func entry(satker: String, serial: String) -> Entry? { entries[satker + "/" + serial] }

    public var isEmpty: Bool { entries.isEmpty }
}

extension Store {
    /// Takes this node's signing key and the deployment's trust into use: its own writes are
    /// signed from now on, and received changes are checked. Its own certificate is kept so that it
    /// travels with its changes.
    public func useAuthenticity(signer: OriginKey?, trust: DeploymentTrust?) throws {
        if let signer {
            guard signer.satker == node else {
                throw ZISyncError("the certificate names \(signer.satker), but this node is \(node)")
            }
            let cert = try trust?.admit(der: signer.certificateDER)
            try db.write { db in
                try Self.keep(db, der: signer.certificateDER, certificate: cert)
            }
        }
        setAuthenticity(signer: signer, trust: trust)
    }

    /// Signs again this node's own changes that a revoked key signed after its revocation, or
    /// that were stored unsigned (before signatures: an upgraded office), with the current key,
    /// and marks them as not delivered so the next push sends them with their new signatures (a
    /// parent holding one takes the signature). Returns how many.
    @discardableResult
    public func resignRevoked() throws -> Int {
        guard originKey != nil, deploymentTrust != nil, parent != nil else { return 0 }
        let auth = authorization
        return try db.write { db in
            var session = try ApplySession(db: db, store: self, authorization: auth)
            guard let first = try session.resignRevoked() else { return 0 }
            try ParentAckRow.lower(db, origin: node, to: first - 1)
            return try ChangeRow.countSigned(db, origin: node, from: first, keyID: originKey?.keyID)
        }
    }

    /// Keeps a certificate that travelled with changes, when the deployment CA issued it.
    static func keep(_ db: Database, der: [UInt8], certificate: TrustedCertificate?) throws {
        guard let cert = certificate else { return }
        try OriginCertificateRow.keep(db, cert, der: der)
    }

    /// The certificates held for these origins, as DER: what goes with their changes.
    public func certificates(of origins: Set<String>) throws -> [[UInt8]] {
        guard !origins.isEmpty else { return [] }
        return try db.read { db in try OriginCertificateRow.ders(db, satkers: origins).map { Array($0) } }
    }

    /// The certificates with these key ids, as DER: what goes with a page of changes.
    public func certificates(keyIDs: Set<String>) throws -> [[UInt8]] {
        guard !keyIDs.isEmpty else { return [] }
        return try db.read { db in try OriginCertificateRow.ders(db, keyIDs: keyIDs).map { Array($0) } }
    }

    /// Why a receipt (or another signed statement) is not `from`'s, or nil when it is: signed
    /// with a certificate of the deployment CA naming `from`, not revoked. Nil also on a node
    /// without the deployment's trust.
    public func receiptRefusal(signedBytes: [UInt8], certificate: String?, signature: String?, from: String) throws
        -> String?
    {
        guard let trust = deploymentTrust else { return nil }
        guard let certificate, let signature, let der = Certificates.decode(base64: [certificate]).first else {
            return "it is not signed by \(from)"
        }
        guard let cert = try? trust.admit(der: der) else { return "its certificate is not one of the deployment CA" }
        guard cert.satker == from else { return "it says it is from \(from) but is signed by \(cert.satker)" }
        guard cert.verifies(signature, of: signedBytes) else {
            return "its signature does not verify (forged or edited)"
        }
        if revocations.revokedAt(cert) != nil { return "it is signed with a revoked certificate of \(from)" }
        return nil
    }

    /// Why an office presenting this certificate at the door is refused (it was revoked), or nil.
    public func doorRefusal(certificateDER der: [UInt8]) -> String? {
        // Most deployments revoke nothing: no certificate to read then.
        let revocations = self.revocations
        guard !revocations.isEmpty, let trust = deploymentTrust, let cert = try? trust.admit(der: der),
            let entry = revocations.entry(satker: cert.satker, serial: cert.serial)
        else { return nil }
        let date = Date(timeIntervalSince1970: Double(entry.at) / 1000).formatted(.iso8601)
        return
            "revoked: the certificate of \(cert.satker) (serial \(cert.serial)) was revoked by KPU RI on \(date)\(entry.reason.isEmpty ? "" : " (\(entry.reason))")"
    }

    /// Keeps the certificates that came with changes (the CA's only), before the changes are checked.
    func admit(certificates: [[UInt8]], db: Database) throws {
        guard let trust = deploymentTrust else { return }
        for der in certificates.prefix(256) {
            try Self.keep(db, der: der, certificate: try? trust.admit(der: der))
        }
    }
}
