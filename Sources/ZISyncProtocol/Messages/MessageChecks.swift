import Foundation
import ZISyncCore

// What every message decoder uses: a number checked against its bounds, hashes, the top object.

/// Tip hashes are SHA-256 in lower-case hex, at most one per tip.
func checkHashes(_ hashes: [String: String]?, _ field: String) throws(MalformedMessage) {
    guard let hashes else { return }
    guard hashes.count <= 10_000 else { throw MalformedMessage("\(field) lists more than 10000 origins") }
    for (origin, hash) in hashes where !Validation.isSHA256Hex(hash) {
        throw MalformedMessage("\(field)[\(PeerText.clean(origin, max: 32))] is not a SHA-256")
    }
}

/// Refuses a number from a peer outside `bounds`, naming the field.
func check<T: Comparable>(_ value: T, _ bounds: ClosedRange<T>, _ field: String) throws(MalformedMessage) {
    guard bounds.contains(value) else {
        throw MalformedMessage("\(field) is \(value), outside \(bounds.lowerBound)...\(bounds.upperBound)")
    }
}

/// The JSON object at the top of a body, by key.
func members(_ data: some Collection<UInt8>, what: String) throws(MalformedMessage) -> [String: JSONValue] {
    let value: JSONValue
    do {
        value = try JSONValue.parse(data)
    } catch {
        throw MalformedMessage("the \(what) body is not JSON: \(error)")
    }
    guard let m = value.members else { throw MalformedMessage("the \(what) body is not a JSON object") }
    return m
}
