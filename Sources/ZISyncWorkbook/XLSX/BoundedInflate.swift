import Foundation
import ZIPFoundation

/// A workbook part's bytes, inflated by ZIPFoundation's own `Data.decompress` from a provider that
/// serves the part's compressed bytes and nothing past them. ZIPFoundation's `Archive.extract`
/// reads on through the file after a part's end and, at the end of the file, loops for ever on a
/// deflate stream that never ends (FuzzWorkbook found one: a changed byte in a sheet kept
/// `zisync lke import` at full CPU for ten minutes). Here such a stream ends in an error where its
/// bytes do, and the result is checked against the part's CRC-32.
enum BoundedInflate {
    /// Where a part's data starts in the file. ZIPFoundation keeps `Entry.dataOffset` internal;
    /// the fields it is computed from are read through reflection (tested: every workbook read
    /// goes through here). Nil for what a workbook never is: ZIP64, another method than deflate.
    static func dataOffset(_ entry: Entry) -> UInt64? {
        let m = Mirror(reflecting: entry)
        guard let offset = m.descendant("centralDirectoryStructure", "relativeOffsetOfLocalHeader") as? UInt32,
            offset != .max,
            let names = m.descendant("localFileHeader", "fileNameLength") as? UInt16,
            let extra = m.descendant("localFileHeader", "extraFieldLength") as? UInt16,
            m.descendant("localFileHeader", "compressionMethod") as? UInt16 == 8
        else { return nil }
        return UInt64(offset) + 30 + UInt64(names) + UInt64(extra)
    }

    /// Inflates `entry` of the archive at `url`, handing each piece to `consumer` (which bounds
    /// the output); throws `WorkbookError` where the stream is cut short, malformed, or its CRC-32
    /// is wrong.
    static func extract(
        _ entry: Entry, from url: URL, name: String, maxCompressed: Int, consumer: (Data) throws -> Void
    )
        throws
    {
        guard let offset = dataOffset(entry) else {
            throw WorkbookError("\(name): part \(entry.path.prefix(80)) is stored in a way a workbook never is")
        }
        guard entry.compressedSize <= UInt64(maxCompressed) else {
            throw WorkbookError("\(name): part \(entry.path.prefix(80)) is larger than a workbook part may be")
        }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let compressed = try handle.read(upToCount: Int(entry.compressedSize)) ?? Data()
        guard compressed.count == Int(entry.compressedSize) else {
            throw WorkbookError("\(name): part \(entry.path.prefix(80)) is cut short (the file ends inside it)")
        }
        let crc: CRC32
        do {
            crc = try Data.decompress(
                size: Int64(compressed.count), bufferSize: 32_768, skipCRC32: false,
                provider: { position, size in
                    guard position < compressed.count else { throw WorkbookError("truncated") }
                    let start = Int(position)
                    var chunk = compressed.subdata(in: start..<min(start + size, compressed.count))
                    // ZIPFoundation hands zlib `size` bytes whatever the chunk holds: pad the last.
                    if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
                    return chunk
                }, consumer: consumer)
        } catch let e as WorkbookError where e.description == "truncated" {
            throw WorkbookError(
                "\(name): part \(entry.path.prefix(80)) is damaged: its compressed data ends before its content does")
        } catch let e as WorkbookError {
            throw e
        } catch {
            throw WorkbookError("\(name): part \(entry.path.prefix(80)) is damaged (\(error))")
        }
        guard crc == entry.checksum else {
            throw WorkbookError("\(name): part \(entry.path.prefix(80)) is damaged (its CRC-32 does not match)")
        }
    }
}
