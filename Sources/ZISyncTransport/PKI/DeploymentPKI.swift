import Crypto
import Foundation
import SwiftASN1
import X509
import ZISyncAuthenticity
import ZISyncCore

/// The deployment's certificate authority and the node certificates it issues. Each node
/// certificate names its satker twice: as the common name and as the URI
/// `urn:zisync:satker:CODE` in the subject alternative names, which is what servers read.
public enum DeploymentPKI {
    public static let caCertificateFile = "ca.crt"
    public static let caKeyFile = "ca.key"
    public static let satkerURIPrefix = CertificateFacts.satkerURIPrefix

    /// Creates `dir/ca.crt` and `dir/ca.key` (refuses to overwrite an existing CA).
    public static func initCA(in dir: URL, name: String = "zisync deployment CA", days: Int = 3650) throws {
        let certURL = dir.appendingPathComponent(caCertificateFile)
        if FileManager.default.fileExists(atPath: certURL.path) {
            throw PKIError("\(certURL.path) exists already; a deployment has one CA")
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("KPU")
            CommonName(name)
        }
        let now = Date()
        let cert = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(Double(days) * 86400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            }, issuerPrivateKey: .init(key))
        try writeSecret(key.pemRepresentation, to: dir.appendingPathComponent(caKeyFile))
        try Data(try cert.serializeAsPEM().pemString.utf8).write(to: certURL, options: .atomic)
    }

    /// Issues `dir/CODE.crt` and `dir/CODE.key` for a satker, valid for the given host names
    /// and IP addresses (the names its children use to reach it).
    public static func issue(
        in dir: URL, satker: String, hosts: [String] = ["localhost", "127.0.0.1"], days: Int = 825
    ) throws -> (certificate: URL, key: URL) {
        guard Validation.isSatkerCode(satker) else { throw PKIError("'\(satker)' is not a satker code") }
        let caKeyPEM = try String(contentsOf: dir.appendingPathComponent(caKeyFile), encoding: .utf8)
        let caCert = try Certificate(
            pemEncoded: String(contentsOf: dir.appendingPathComponent(caCertificateFile), encoding: .utf8))
        let caKey = try P256.Signing.PrivateKey(pemRepresentation: caKeyPEM)
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("KPU")
            CommonName(satker)
        }
        var names: [GeneralName] = [.uniformResourceIdentifier(satkerURIPrefix + satker)]
        for host in hosts {
            if let ip = ipAddressBytes(host) {
                names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(ip))))
            } else {
                names.append(.dnsName(host))
            }
        }
        let now = Date()
        let cert = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(Double(days) * 86400),
            issuer: caCert.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames(names)
            }, issuerPrivateKey: .init(caKey))
        let certURL = dir.appendingPathComponent("\(satker).crt")
        let keyURL = dir.appendingPathComponent("\(satker).key")
        try writeSecret(key.pemRepresentation, to: keyURL)
        try Data(try cert.serializeAsPEM().pemString.utf8).write(to: certURL, options: .atomic)
        return (certURL, keyURL)
    }

    /// A certificate file's serial number in lower-case hex (what `zisync pki revoke` names).
    public static func serial(ofCertificateFile path: String) throws -> String {
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8), let cert = try? Certificate(pemEncoded: pem)
        else { throw PKIError("\(path) is not a PEM certificate") }
        return CertificateFacts.serial(cert)
    }

    /// The satker a certificate names (its `urn:zisync:satker:` URI, else its common name).
    public static func satker(ofDER der: [UInt8]) throws -> String {
        try satker(of: try Certificate(derEncoded: der))
    }

    static func satker(of cert: Certificate) throws -> String {
        do { return try CertificateFacts.satker(cert) } catch { throw PKIError("the certificate names no satker") }
    }

    /// Checks a node's certificate and key before they are used: PEM that parses, a key that
    /// belongs to the certificate, signed by the deployment CA, naming `satker`, valid now.
    public static func checkNodeIdentity(certificateFile: String, keyFile: String, caFile: String, satker: String)
        throws
    {
        // Each message starts with the file it is about, so a caller can name the setting.
        func parse<T>(_ path: String, as what: String, _ make: (String) throws -> T) throws -> T {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw PKIError("\(path) cannot be read")
            }
            guard let value = try? make(text) else { throw PKIError("\(path) is not a PEM \(what)") }
            return value
        }
        let cert = try parse(certificateFile, as: "certificate") { try Certificate(pemEncoded: $0) }
        let key = try parse(keyFile, as: "private key") { try Certificate.PrivateKey(pemEncoded: $0) }
        let ca = try parse(caFile, as: "certificate") { try Certificate(pemEncoded: $0) }
        guard key.publicKey == cert.publicKey else {
            throw PKIError("\(keyFile) is not the key of \(certificateFile) (a key from another issue?)")
        }
        guard cert.issuer == ca.subject, ca.publicKey.isValidSignature(cert.signature, for: cert) else {
            throw PKIError("\(certificateFile) is not signed by the deployment CA in \(caFile)")
        }
        let named = try Self.satker(of: cert)
        guard named == satker else {
            throw PKIError("\(certificateFile) is for satker \(named), not \(satker)")
        }
        let now = Date()
        guard now < cert.notValidAfter else {
            throw PKIError("\(certificateFile) expired on \(cert.notValidAfter.formatted(.iso8601))")
        }
        guard now >= cert.notValidBefore else {
            throw PKIError("\(certificateFile) is not valid before \(cert.notValidBefore.formatted(.iso8601))")
        }
    }

    /// When a PEM certificate stops being valid.
    public static func expiry(ofCertificateFile path: String) throws -> Date {
        try Certificate(pemEncoded: String(contentsOfFile: path, encoding: .utf8)).notValidAfter
    }

    static func writeSecret(_ text: String, to url: URL) throws {
        try? FileManager.default.removeItem(at: url)
        guard
            FileManager.default.createFile(
                atPath: url.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw PKIError("cannot write \(url.path)") }
    }

    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

/// A certificate problem an operator can act on: the message names the file or the satker.
public struct PKIError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
