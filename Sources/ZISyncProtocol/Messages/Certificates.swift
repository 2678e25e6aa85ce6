import Foundation
import ZISyncCore

/// The certificates that travel with changes: DER, base64 in JSON, a bounded list.
public enum Certificates {
    public static let maxCount = 2048
    public static let maxBytes = 16_384

    /// `"certificates":[…],` when there are any.
    static func encode(_ certificates: [[UInt8]], into j: inout CanonicalJSON) {
        guard !certificates.isEmpty else { return }
        j.raw("\"certificates\":")
        j.array(certificates.map { "\"" + Data($0).base64EncodedString() + "\"" })
        j.raw(",")
    }

    public static func decode(_ value: JSONValue?, what: String) throws(MalformedMessage) -> [[UInt8]] {
        guard let value else { return [] }
        guard case .array(let items) = value, items.count <= maxCount else {
            throw MalformedMessage("the \(what) body's certificates are not a list of at most \(maxCount)")
        }
        var out: [[UInt8]] = []
        for item in items {
            guard case .string(let text) = item, text.utf8.count <= maxBytes * 2,
                let der = Data(base64Encoded: text), der.count <= maxBytes
            else { throw MalformedMessage("the \(what) body carries a certificate that is not base64 DER") }
            out.append(Array(der))
        }
        return out
    }

    public static func base64(_ certificates: [[UInt8]]) -> [String] {
        certificates.map { Data($0).base64EncodedString() }
    }

    public static func decode(base64 list: [String]?) -> [[UInt8]] {
        (list ?? []).prefix(maxCount).compactMap { text in
            guard text.utf8.count <= maxBytes * 2, let der = Data(base64Encoded: text), der.count <= maxBytes else {
                return nil
            }
            return Array(der)
        }
    }
}
