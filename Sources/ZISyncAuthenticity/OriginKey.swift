@preconcurrency import Crypto
import Foundation
import SwiftASN1
import X509
import ZISyncCore

/// An office's signing key: the private key of its certificate, so that the deployment CA's
/// certificate of the office is also the certificate of its signatures (nothing else to issue,
/// rotate or revoke). Signs each change's hash as the change is made, and bundle receipts.
public struct OriginKey: Sendable {
    public let satker: String
    public let keyID: String
    /// The certificate as DER: it travels with the office's changes.
    public let certificateDER: [UInt8]
    let key: P256.Signing.PrivateKey

    public init(certificatePEM: String, keyPEM: String) throws {
        let cert: Certificate
        do { cert = try Certificate(pemEncoded: certificatePEM) } catch {
            throw AuthenticityError("the certificate is not PEM")
        }
        guard let key = try? P256.Signing.PrivateKey(pemRepresentation: keyPEM) else {
            throw AuthenticityError("the key is not a PEM P-256 private key")
        }
        guard Certificate.PublicKey(key.publicKey) == cert.publicKey else {
            throw AuthenticityError("the key is not the certificate's")
        }
        self.key = key
        certificateDER = try CertificateFacts.der(cert)
        keyID = CertificateFacts.keyID(certificateDER)
        satker = try CertificateFacts.satker(cert)
    }

    public init(certificateFile: String, keyFile: String) throws {
        guard let cert = try? String(contentsOfFile: certificateFile, encoding: .utf8) else {
            throw AuthenticityError("\(certificateFile) cannot be read")
        }
        guard let key = try? String(contentsOfFile: keyFile, encoding: .utf8) else {
            throw AuthenticityError("\(keyFile) cannot be read")
        }
        do { try self.init(certificatePEM: cert, keyPEM: key) } catch let error as AuthenticityError {
            throw AuthenticityError("\(certificateFile): \(error.description)")
        }
    }

    /// The signature of a change with this hash.
    public func sign(hash: String) -> ChangeSignature {
        ChangeSignature(keyID: keyID, value: sign(ChangeSignature.message(hash: hash)))
    }

    /// A raw signature (hex) of `message`.
    public func sign(_ message: [UInt8]) -> String {
        // Signing fails only with a broken key, which `init` has already refused.
        Hashing.hex((try? key.signature(for: message))?.rawRepresentation ?? Data())
    }
}

public struct AuthenticityError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What zisync reads from a node certificate.
public enum CertificateFacts {
    public static let satkerURIPrefix = "urn:zisync:satker:"

    /// A certificate's key id: the first 16 bytes of its DER's SHA-256, in hex.
    public static func keyID(_ der: [UInt8]) -> String { String(Hashing.sha256Hex(der).prefix(32)) }

    static func der(_ cert: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(cert)
        return serializer.serializedBytes
    }

    /// The satker a certificate names (its `urn:zisync:satker:` URI, else its common name).
    public static func satker(_ cert: Certificate) throws -> String {
        if let sans = try cert.extensions.subjectAlternativeNames {
            for name in sans {
                if case .uniformResourceIdentifier(let uri) = name, uri.hasPrefix(satkerURIPrefix) {
                    return String(uri.dropFirst(satkerURIPrefix.count))
                }
            }
        }
        for rdn in cert.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return attribute.value.description
            }
        }
        throw AuthenticityError("the certificate names no satker")
    }

    /// A certificate's serial number in lower-case hex, as `zisync pki` shows it.
    public static func serial(_ cert: Certificate) -> String { Hashing.hex(cert.serialNumber.bytes) }
}
