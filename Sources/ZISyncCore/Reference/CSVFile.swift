import CSV
import Foundation

/// A CSV file read with a header row; each row keeps its line number for error messages.
/// Comma or semicolon separated (whichever the header row has more of), as spreadsheets export
/// it; a UTF-8 byte order mark is skipped.
public enum CSVFile {
    public struct Row: Sendable {
        public let line: Int
        public let values: [String: String]
        public subscript(_ key: String) -> String? { values[key] }
    }

    /// Where a sheet's text comes from: a file, read as a stream, or text already in memory.
    public enum Source: Sendable {
        case file(URL)
        case text(String)
    }

    public static func read(_ url: URL) throws -> [Row] { try rows(.file(url), name: url.lastPathComponent) }

    /// Parses CSV text.
    public static func parse(_ text: String, name: String) throws -> [Row] { try rows(.text(text), name: name) }

    /// Every row of a small sheet (the reference data, a fuzz input), held at once.
    static func rows(_ source: Source, name: String) throws -> [Row] {
        var rows: [Row] = []
        let stream = try Stream(source, name: name)
        while let row = try stream.next() { rows.append(row) }
        return rows
    }

    /// The rows of a sheet one at a time, so a file of any size is read in bounded memory.
    public final class Stream {
        public let name: String
        /// The header's column names, trimmed and lower-cased.
        public let keys: [String]
        private let reader: CSVReader
        /// The file's stream (nil for text): the library reports its end as a read error.
        private var input: InputStream?
        private var line = 1

        public init(_ source: Source, name: String) throws {
            self.name = name
            let firstLine: [UInt8]
            switch source {
            case .text(let text): firstLine = Self.firstLine(Array(text.utf8.prefix(1 << 20)))
            case .file(let url):
                guard let handle = FileHandle(forReadingAtPath: url.path) else {
                    throw ZISyncError("cannot read \(url.path)")
                }
                defer { try? handle.close() }
                firstLine = Self.firstLine(Array((try? handle.read(upToCount: 1 << 20)) ?? Data()))
            }
            let semicolons = firstLine.filter { $0 == UInt8(ascii: ";") }.count
            let delimiter: UnicodeScalar = semicolons > firstLine.filter { $0 == UInt8(ascii: ",") }.count ? ";" : ","
            do {
                switch source {
                case .text(let text):
                    reader = try CSVReader(
                        string: text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, hasHeaderRow: true,
                        delimiter: delimiter)
                case .file(let url):
                    guard let input = InputStream(url: url) else { throw ZISyncError("cannot read \(url.path)") }
                    reader = try CSVReader(stream: input, hasHeaderRow: true, delimiter: delimiter)
                    self.input = input
                }
            } catch let e as ZISyncError {
                throw e
            } catch {
                throw ZISyncError("\(name): cannot read the header row (\(Self.explain(error)))")
            }
            guard let header = reader.headerRow else { throw ZISyncError("\(name) is empty") }
            keys = header.map { $0.trimmedOfWhitespace.lowercased() }
        }

        /// What the library says when a file stream has nothing more to give.
        private static func isEnd(_ error: Error) -> Bool {
            if case .cannotReadFile? = error as? CSVError { return true }
            return false
        }

        static func explain(_ error: Error) -> String {
            switch error as? CSVError {
            case .unicodeDecoding?: "the text is not UTF-8 (save the sheet as CSV UTF-8)"
            case .cannotOpenFile?, .cannotReadFile?, .streamErrorHasOccurred?: "the file cannot be read"
            default: "\(error)"
            }
        }

        /// The first line's bytes (up to the first line feed), without a byte order mark.
        private static func firstLine(_ bytes: [UInt8]) -> [UInt8] {
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
            return Array(body.prefix { $0 != UInt8(ascii: "\n") })
        }

        /// The next row that is not blank; nil at the end. Throws naming the line of a row with
        /// more cells than the header, or of text that is not UTF-8 or not CSV.
        public func next() throws -> Row? {
            while let fields = reader.next() {
                line += 1
                // A row cut short by bad bytes is not a row.
                try checkError()
                if fields.allSatisfy({ $0.trimmedOfWhitespace.isEmpty }) { continue }
                if fields.count > keys.count {
                    throw ZISyncError("\(name) line \(line): \(fields.count) columns, but the header has \(keys.count)")
                }
                var values: [String: String] = [:]
                for (i, key) in keys.enumerated() where i < fields.count { values[key] = fields[i] }
                return Row(line: line, values: values)
            }
            line += 1
            try checkError()
            return nil
        }

        private func checkError() throws {
            if let error = reader.error, !(Self.isEnd(error) && input?.streamStatus == .atEnd) {
                throw ZISyncError("\(name) line \(line): \(Self.explain(error))")
            }
        }
    }
}
