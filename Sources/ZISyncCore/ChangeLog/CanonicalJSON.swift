/// The canonical JSON encoding that change hashes are computed over (docs/protocol.md,
/// "Canonical encoding"): UTF-8, no insignificant white space, object keys sorted by their
/// UTF-8 bytes, integers in plain decimal, strings with only the escapes JSON requires.
/// Written by hand because the hash must not depend on a library's formatting choices.
public struct CanonicalJSON {
    public private(set) var bytes: [UInt8] = []

    public init() { bytes.reserveCapacity(512) }

    public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func rawBytes(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    public mutating func string(_ s: String) {
        bytes.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x08: bytes.append(0x5C); bytes.append(0x62)
            case 0x0C: bytes.append(0x5C); bytes.append(0x66)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }

    public mutating func int(_ i: Int64) {
        bytes.append(contentsOf: String(i).utf8)
    }

    /// `[a,b,…]` of JSON texts written as they are (changes' wire forms).
    public mutating func array(_ items: some Collection<String>) {
        bytes.append(0x5B)
        var first = true
        for item in items {
            if !first { bytes.append(0x2C) }
            first = false
            bytes.append(contentsOf: item.utf8)
        }
        bytes.append(0x5D)
    }

    public mutating func value(_ v: FieldValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): b ? raw("true") : raw("false")
        case .int(let i): int(i)
        case .string(let s): string(s)
        }
    }

    /// Writes an object whose keys are sorted canonically; `body` writes each value.
    public mutating func object<K>(_ entries: [(String, K)], _ body: (inout CanonicalJSON, K) -> Void) {
        bytes.append(0x7B)
        var first = true
        // Byte order of the UTF-8 keys (not String's Unicode ordering, which folds equivalent forms).
        let keyed = entries.map { (Array($0.0.utf8), $0.0, $0.1) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
        for (_, key, v) in keyed {
            if !first { bytes.append(0x2C) }
            first = false
            string(key)
            bytes.append(0x3A)
            body(&self, v)
        }
        bytes.append(0x7D)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public static func encode(_ fields: [String: FieldValue]) -> String {
        var j = CanonicalJSON()
        j.object(fields.map { ($0.key, $0.value) }) { $0.value($1) }
        return j.text
    }

    public static func encode(base: [String: [Version]]) -> String {
        var j = CanonicalJSON()
        j.object(base.filter { !$0.value.isEmpty }.map { ($0.key, $0.value.sorted()) }) { j, versions in
            j.bytes.append(0x5B)
            for (i, v) in versions.enumerated() {
                if i > 0 { j.bytes.append(0x2C) }
                j.string(v.description)
            }
            j.bytes.append(0x5D)
        }
        return j.text
    }
}
