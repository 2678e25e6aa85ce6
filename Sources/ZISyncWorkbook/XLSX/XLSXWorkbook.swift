import Foundation
import SWXMLHash
import ZIPFoundation

/// A workbook as read from an `.xlsx` file somebody sent: its sheets in order, each a grid of
/// values (a formula's cached result where the file has one). Every byte is hostile until
/// checked: the ZIP through ZIPFoundation with each part's real size counted as it inflates, the
/// XML through SWXMLHash after refusing any DTD (no entity can expand), and bounds on parts,
/// sheets, rows, columns and text. Each refusal says what and where.
public struct XLSXWorkbook: Sendable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Double)
        case bool(Bool)
        /// A formula's error (`#DIV/0!`) as the file cached it.
        case error(String)
    }

    public struct Sheet: Sendable {
        public let name: String
        /// Row → column → value, both 1-based; empty cells are absent.
        public let rows: [Int: [Int: Value]]
        /// Merged areas: the value is in the top-left cell, the others are empty.
        public var merges: [Merge] = []

        public init(name: String, rows: [Int: [Int: Value]], merges: [Merge] = []) {
            self.name = name
            self.rows = rows
            self.merges = merges
        }

        public subscript(row: Int, column: Int) -> Value? { rows[row]?[column] }

        /// The value's text as a person reads it (a number in its shortest form).
        public func text(_ row: Int, _ column: Int) -> String? {
            switch self[row, column] {
            case .text(let s): return s
            case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
            case .bool(let b): return b ? "TRUE" : "FALSE"
            case .error(let e): return e
            case nil: return nil
            }
        }
    }

    public struct Merge: Sendable, Equatable {
        public let rows: ClosedRange<Int>
        public let columns: ClosedRange<Int>
    }

    public let sheets: [Sheet]

    /// What a workbook may hold; beyond it the file is refused (an LKE has about 200 rows).
    public struct Limits: Sendable {
        public var entries = 2_000
        public var partBytes = 32 << 20
        public var totalBytes = 128 << 20
        public var sheets = 64
        public var rows = 20_000
        public var columns = 512
        public var cellText = 32_767
        public var sharedStrings = 500_000
        public var merges = 20_000
        /// Tags in one part, counted before the XML is parsed into a tree: what bounds the
        /// tree's memory (an LKE sheet has about 25,000).
        public var tags = 500_000
        public init() {}
    }

    public static func read(_ url: URL, limits: Limits = Limits()) throws -> XLSXWorkbook {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw WorkbookError("\(url.lastPathComponent) is not an .xlsx workbook (not a ZIP archive)")
        }
        return try read(archive, url: url, name: url.lastPathComponent, limits: limits)
    }

    /// Bytes received (an upload) are read from a file of their own: ZIPFoundation's in-memory
    /// archive traps on some malformed archives (a range past the end, found by FuzzWorkbook),
    /// its file-backed one refuses them.
    public static func read(data: Data, name: String, limits: Limits = Limits()) throws -> XLSXWorkbook {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zisync-xlsx-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try data.write(to: file)
        let archive: Archive
        do {
            archive = try Archive(url: file, accessMode: .read)
        } catch {
            throw WorkbookError("\(name) is not an .xlsx workbook (not a ZIP archive)")
        }
        return try read(archive, url: file, name: name, limits: limits)
    }

    static func read(_ archive: Archive, url: URL, name: String, limits: Limits) throws -> XLSXWorkbook {
        var parts = Parts(archive: archive, url: url, name: name, limits: limits)
        try parts.checkEntries()
        guard let workbook = try parts.xml("xl/workbook.xml") else {
            throw WorkbookError("\(name) has no xl/workbook.xml: not an .xlsx workbook")
        }
        let relations = try parts.xml("xl/_rels/workbook.xml.rels")
        var targets: [String: String] = [:]
        for r in relations?["Relationships"]["Relationship"].all ?? [] {
            guard let id = r.element?.attribute(by: "Id")?.text, let target = r.element?.attribute(by: "Target")?.text
            else { continue }
            targets[id] = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        }
        let shared =
            try parts.xml("xl/sharedStrings.xml").map { try sharedStrings($0, name: name, limits: limits) } ?? []
        let listed = workbook["workbook"]["sheets"]["sheet"].all
        guard listed.count <= limits.sheets else {
            throw WorkbookError("\(name) has \(listed.count) sheets: more than \(limits.sheets)")
        }
        var sheets: [Sheet] = []
        for entry in listed {
            let sheetName = entry.element?.attribute(by: "name")?.text ?? "?"
            guard let id = entry.element?.attribute(by: "r:id")?.text, let path = targets[id],
                let xml = try parts.xml(path)
            else {
                throw WorkbookError("\(name): sheet '\(sheetName.prefix(40))' has no part in the archive")
            }
            sheets.append(try sheet(xml, name: sheetName, file: name, shared: shared, limits: limits))
        }
        return XLSXWorkbook(sheets: sheets)
    }

    static func sharedStrings(_ xml: XMLIndexer, name: String, limits: Limits) throws -> [String] {
        let items = xml["sst"]["si"].all
        guard items.count <= limits.sharedStrings else {
            throw WorkbookError("\(name) has \(items.count) shared strings: more than \(limits.sharedStrings)")
        }
        // A rich-text string is several runs (<r><t>…</t></r>); phonetic hints (<rPh>) are not text.
        return items.map { si in
            let runs = si["r"].all.map { $0["t"].element?.text ?? "" }
            return String((runs.isEmpty ? si["t"].element?.text ?? "" : runs.joined()).prefix(limits.cellText))
        }
    }

    static func sheet(_ xml: XMLIndexer, name: String, file: String, shared: [String], limits: Limits) throws -> Sheet {
        var rows: [Int: [Int: Value]] = [:]
        var nextRow = 1
        for row in xml["worksheet"]["sheetData"]["row"].all {
            let r = row.element?.attribute(by: "r").flatMap { Int($0.text) } ?? nextRow
            guard (1...limits.rows).contains(r), rows.count < limits.rows else {
                throw WorkbookError("\(file), sheet '\(name.prefix(40))': more than \(limits.rows) rows (row \(r))")
            }
            nextRow = r + 1
            var cells: [Int: Value] = [:]
            var nextColumn = 1
            for c in row["c"].all {
                guard let element = c.element else { continue }
                var column = nextColumn
                if let ref = element.attribute(by: "r")?.text {
                    guard let parsed = cellReference(ref), parsed.row == r else {
                        throw WorkbookError(
                            "\(file), sheet '\(name.prefix(40))', row \(r): a cell named '\(ref.prefix(12))'")
                    }
                    column = parsed.column
                }
                guard column <= limits.columns else {
                    throw WorkbookError(
                        "\(file), sheet '\(name.prefix(40))', row \(r): more than \(limits.columns) columns")
                }
                nextColumn = column + 1
                let raw = c["v"].element?.text
                let where_ = "\(file), sheet '\(name.prefix(40))', cell \(columnName(column))\(r)"
                let value: Value?
                switch element.attribute(by: "t")?.text ?? "n" {
                case "s":
                    guard let i = raw.flatMap({ Int($0) }), shared.indices.contains(i) else {
                        throw WorkbookError("\(where_): a shared string that is not in the workbook")
                    }
                    value = .text(shared[i])
                case "inlineStr":
                    let runs = c["is"]["r"].all.map { $0["t"].element?.text ?? "" }
                    value = .text(runs.isEmpty ? c["is"]["t"].element?.text ?? "" : runs.joined())
                case "str": value = raw.map { .text($0) }
                case "b": value = raw.map { .bool($0 == "1") }
                case "e": value = raw.map { .error($0) }
                default:
                    guard let raw else {
                        value = nil
                        break
                    }
                    guard let x = Double(raw.trimmingCharacters(in: .whitespaces)), x.isFinite else {
                        throw WorkbookError("\(where_): '\(raw.prefix(20))' is not a number")
                    }
                    value = .number(x)
                }
                if case .text(let s) = value, s.count > limits.cellText {
                    throw WorkbookError("\(where_): \(s.count) characters, more than a cell holds (\(limits.cellText))")
                }
                if let value { cells[column] = value }
            }
            if !cells.isEmpty { rows[r] = cells }
        }
        let listed = xml["worksheet"]["mergeCells"]["mergeCell"].all
        guard listed.count <= limits.merges else {
            throw WorkbookError("\(file), sheet '\(name.prefix(40))': more than \(limits.merges) merged areas")
        }
        // A merged area that is not two cell names is ignored: it only says how cells look.
        let merges = listed.compactMap { m -> Merge? in
            guard let ref = m.element?.attribute(by: "ref")?.text else { return nil }
            let ends = ref.split(separator: ":").compactMap { cellReference(String($0)) }
            guard ends.count == 2, ends[0].row <= ends[1].row, ends[0].column <= ends[1].column else { return nil }
            return Merge(rows: ends[0].row...ends[1].row, columns: ends[0].column...ends[1].column)
        }
        return Sheet(name: name, rows: rows, merges: merges)
    }

    /// `B12` → row 12, column 2; nil when it is not a cell reference within Excel's grid.
    static func cellReference(_ ref: String) -> (row: Int, column: Int)? {
        var column = 0
        var row = 0
        var letters = 0
        var digits = 0
        for u in ref.utf8 {
            switch u {
            case 0x41...0x5A where digits == 0:
                letters += 1
                column = column * 26 + Int(u - 0x40)
            case 0x24: continue  // $A$1
            case 0x30...0x39:
                digits += 1
                row = row * 10 + Int(u - 0x30)
            default: return nil
            }
            guard letters <= 3, digits <= 7 else { return nil }
        }
        guard letters > 0, digits > 0, (1...16_384).contains(column), (1...1_048_576).contains(row) else { return nil }
        return (row, column)
    }

    /// The archive's parts, read with their real sizes counted.
    struct Parts {
        let archive: Archive
        let url: URL
        let name: String
        let limits: Limits
        var total = 0

        /// Part names: relative, no `..`, no backslash; a bounded number of entries.
        func checkEntries() throws {
            var count = 0
            for entry in archive {
                count += 1
                guard count <= limits.entries else {
                    throw WorkbookError("\(name) holds more than \(limits.entries) parts")
                }
                let path = entry.path
                let parts = path.split(separator: "/", omittingEmptySubsequences: false)
                if path.hasPrefix("/") || path.contains("\\") || parts.contains("..") || path.utf8.count > 1024 {
                    throw WorkbookError("\(name) has a part named '\(path.prefix(80))', outside the archive")
                }
            }
        }

        /// A part's XML, nil when the archive has no such part. Refused: more bytes than a part
        /// may have (counted as it inflates, whatever its header claims), or a DTD.
        mutating func xml(_ path: String) throws -> XMLIndexer? {
            guard let entry = archive[path] else { return nil }
            var data = Data()
            let cap = min(limits.partBytes, limits.totalBytes - total)
            func take(_ chunk: Data) throws {
                data.append(chunk)
                if data.count > cap { throw WorkbookError("over") }
            }
            do {
                if entry.isCompressed {
                    try BoundedInflate.extract(
                        entry, from: url, name: name, maxCompressed: limits.totalBytes, consumer: take)
                } else {
                    _ = try archive.extract(entry, skipCRC32: false, consumer: take)
                }
            } catch let e as WorkbookError where e.description == "over" {
                throw WorkbookError(
                    "\(name): part \(path) inflates to more than \(cap >> 20) MB (a ZIP bomb, or not an LKE workbook)")
            } catch let e as WorkbookError {
                throw e
            } catch {
                throw WorkbookError("\(name): part \(path) cannot be read (\(error))")
            }
            total += data.count
            if data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil {
                throw WorkbookError("\(name): part \(path) declares a DTD or entities, which a workbook never has")
            }
            let tags = data.reduce(into: 0) { n, byte in if byte == 0x3C { n += 1 } }
            guard tags <= limits.tags else {
                throw WorkbookError(
                    "\(name): part \(path) has \(tags) tags, more than \(limits.tags) (far more rows or cells than an LKE)"
                )
            }
            let xml = XMLHash.config { $0.detectParsingErrors = true }.parse(data)
            if case .parsingError(let e) = xml {
                throw WorkbookError("\(name): part \(path) is not well-formed XML (line \(e.line), column \(e.column))")
            }
            return xml
        }
    }
}
