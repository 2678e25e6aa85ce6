import Foundation
import ZISyncCore

/// `POST /v1/push`: `{"certificates":[DER as base64, …],"changes":[wire change, …],"from":"32.17"}`.
public struct PushRequest: Sendable {
    public var from: String
    /// Each change decoded on its own: one malformed change does not spoil the batch.
    public var changes: [Result<Change, ChangeDecoder.Malformed>]
    /// The certificates of the changes' origins (their signatures are checked against them).
    public var certificates: [[UInt8]] = []

    /// The body, built from the changes' wire forms as stored (no decoding, no re-encoding).
    public static func encode(from: String, wire: some Collection<String>, certificates: [[UInt8]] = []) -> Data {
        var j = CanonicalJSON()
        j.raw("{")
        Certificates.encode(certificates, into: &j)
        j.raw("\"changes\":")
        j.array(wire)
        j.raw(",\"from\":")
        j.string(from)
        j.raw("}")
        return Data(j.bytes)
    }

    public static func decode(_ data: some Collection<UInt8>) throws(MalformedMessage) -> PushRequest {
        let m = try members(data, what: "push")
        guard case .string(let from)? = m["from"] else { throw MalformedMessage("the push body has no 'from'") }
        guard case .array(let items)? = m["changes"] else {
            throw MalformedMessage("the push body's 'changes' is not an array")
        }
        return PushRequest(
            from: from,
            changes: items.map { item in
                do throws(ChangeDecoder.Malformed) { return .success(try ChangeDecoder.change(item)) } catch {
                    return .failure(error)
                }
            }, certificates: try Certificates.decode(m["certificates"], what: "push"))
    }
}
