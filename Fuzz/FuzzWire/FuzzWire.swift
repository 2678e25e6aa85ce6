import Foundation
import ZISyncCore
import ZISyncProtocol

/// Every reader of a peer's JSON: none may trap, and what one accepts must survive a round trip.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    let data = Data(bytes)
    if let change = try? ChangeDecoder.change(from: bytes) {
        // What the decoder accepts encodes to a wire form that decodes to the same change.
        guard let again = try? ChangeDecoder.change(from: Array(change.wireJSON.utf8)), again == change else {
            fatalError("a decoded change does not survive its own wire form: \(change.wireJSON)")
        }
        _ = change.hashIsValid
    }
    _ = try? PushRequest.decode(bytes)
    _ = try? PullPage.decode(bytes)
    if let report = try? ChildReport.decode(data) {
        guard (try? ChildReport.decode(report.encoded())) == report else {
            fatalError("a child report does not survive its own encoding")
        }
    }
    _ = try? PushAnswer.decode(data, sent: 5000)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = ByteRange(header: text)
    _ = ByteRange.parseContentRange(text)
    _ = Tus.metadata(text)
    _ = Tus.parseChecksum(text)
    // A browser's Host and an office's `[web] hosts`: a name is ASCII; neither check traps.
    if Validation.isHostName(text), !text.allSatisfy(\.isASCII) { fatalError("a host name that is not ASCII") }
    _ = Validation.isIPAddress(text)
    // Record ids bound to their type: a derived id is never a UUID-shaped id of another type.
    let types = RecordType.allCases.filter { Validation.isRecordID(text, of: $0) }
    if types.count > 1, types.contains(where: { $0.idPrefix != nil }) {
        fatalError("id \(text) fits several record types: \(types)")
    }
    let cleaned = PeerText.clean(text)
    guard !cleaned.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
        fatalError("a control character survived cleaning")
    }
    return 0
}
