@preconcurrency import Crypto
import Foundation
import SwiftASN1
import X509
import ZISyncCore

/// The deployment CA as the judge of who wrote a change: a certificate counts when the CA
/// issued it, and a signature counts when it verifies under such a certificate naming the
/// change's origin. Certificates are judged on their issuer only, not on their dates: a change
/// signed before a rotation or an expiry stays authentic (revocation is what withdraws a key).
public struct DeploymentTrust: Sendable {
    let ca: Certificate

    public init(caPEM: String) throws {
        do { ca = try Certificate(pemEncoded: caPEM) } catch {
            throw AuthenticityError("the CA certificate is not PEM")
        }
    }

    public init(caFile: String) throws {
        guard let pem = try? String(contentsOfFile: caFile, encoding: .utf8) else {
            throw AuthenticityError("\(caFile) cannot be read")
        }
        try self.init(caPEM: pem)
    }

    /// Admits a certificate that travelled with changes: DER, issued by this CA, for a satker.
    public func admit(der: [UInt8]) throws -> TrustedCertificate {
        guard der.count <= 16_384, let cert = try? Certificate(derEncoded: der) else {
            throw AuthenticityError("not a DER certificate")
        }
        guard cert.issuer == ca.subject, ca.publicKey.isValidSignature(cert.signature, for: cert) else {
            throw AuthenticityError("not issued by this deployment's CA")
        }
        guard let key = P256.Signing.PublicKey(cert.publicKey) else {
            throw AuthenticityError("its key is not a P-256 key")
        }
        let satker = try CertificateFacts.satker(cert)
        guard Validation.isSatkerCode(satker) else {
            throw AuthenticityError("it names '\(satker)', not a satker code")
        }
        return TrustedCertificate(
            satker: satker, keyID: CertificateFacts.keyID(der), serial: CertificateFacts.serial(cert),
            issuedAt: Int64(cert.notValidBefore.timeIntervalSince1970 * 1000), der: der, key: key)
    }
}

/// A certificate the deployment CA issued, ready to check signatures.
public struct TrustedCertificate: Sendable {
    public let satker: String
    public let keyID: String
    public let serial: String
    /// The certificate's notBefore (ms since the epoch).
    public let issuedAt: Int64
    public let der: [UInt8]
    let key: P256.Signing.PublicKey

    /// True when `signature` (hex) is this certificate's key's signature of `message`.
    public func verifies(_ signature: String, of message: [UInt8]) -> Bool {
        guard let raw = Self.bytes(hex: signature), raw.count == 64,
            let sig = try? P256.Signing.ECDSASignature(rawRepresentation: raw)
        else { return false }
        return key.isValidSignature(sig, for: message)
    }

    /// True when this certificate's key signed the change and names its origin.
    public func signed(_ change: Change) -> Bool {
        guard let s = change.signature, s.keyID == keyID, satker == change.origin else { return false }
        return verifies(s.value, of: ChangeSignature.message(hash: change.hash))
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        var i = 0
        while i < digits.count {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
