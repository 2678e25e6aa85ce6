/// One sheet of a workbook as zisync writes it: rows of cells from row 1, column widths, frozen
/// panes, merged ranges and data validation, rendered as the worksheet part of SpreadsheetML
/// (ECMA-376 Part 1, §18.3) in the element order the schema requires.
public struct Worksheet: Sendable {
    public let name: String
    public var columns: [Column] = []
    /// Row 1 first; a nil cell is left out.
    public var rows: [[Cell?]] = []
    /// Rows above and columns left of the scrolling area.
    public var frozenRows = 0
    public var frozenColumns = 0
    /// Ranges such as `A1:F1`.
    public var merged: [String] = []
    public var validations: [Validation] = []

    public init(name: String) { self.name = name }

    public struct Column: Sendable {
        public var width: Double
        public var hidden: Bool
        public init(width: Double, hidden: Bool = false) {
            self.width = width
            self.hidden = hidden
        }
    }

    /// What a range of cells accepts; Excel and LibreOffice refuse anything else typed there,
    /// with `message`.
    public struct Validation: Sendable {
        public enum Rule: Sendable {
            case list([String])
            case wholeNumber(atLeast: Int)
            case decimal(from: Double, to: Double)
        }
        /// Cell references separated by spaces (`J2 J5:J9`).
        public var cells: String
        public var rule: Rule
        public var message: String
        public init(cells: String, rule: Rule, message: String) {
            self.cells = cells
            self.rule = rule
            self.message = message
        }
    }

    /// Excel keeps at most this many characters in a cell.
    static let maxCellText = 32_767

    public func xml() -> String {
        var x = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
        x += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        x += "<sheetViews><sheetView workbookViewId=\"0\">"
        if frozenRows > 0 || frozenColumns > 0 {
            let topLeft = "\(columnName(frozenColumns + 1))\(frozenRows + 1)"
            x += "<pane"
            if frozenColumns > 0 { x += " xSplit=\"\(frozenColumns)\"" }
            if frozenRows > 0 { x += " ySplit=\"\(frozenRows)\"" }
            let pane =
                frozenRows > 0 && frozenColumns > 0 ? "bottomRight" : (frozenRows > 0 ? "bottomLeft" : "topRight")
            x += " topLeftCell=\"\(topLeft)\" activePane=\"\(pane)\" state=\"frozen\"/>"
        }
        x += "</sheetView></sheetViews>"
        if !columns.isEmpty {
            x += "<cols>"
            for (i, c) in columns.enumerated() {
                x += "<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(c.width)\" customWidth=\"1\""
                x += c.hidden ? " hidden=\"1\"/>" : "/>"
            }
            x += "</cols>"
        }
        x += "<sheetData>"
        for (r, row) in rows.enumerated() {
            x += "<row r=\"\(r + 1)\">"
            for (c, cell) in row.enumerated() {
                guard let cell else { continue }
                let ref = "\(columnName(c + 1))\(r + 1)"
                let s = cell.style == .plain ? "" : " s=\"\(cell.style.rawValue)\""
                switch cell.content {
                case .text(let t):
                    let kept = t.count > Self.maxCellText ? String(t.prefix(Self.maxCellText)) : t
                    x +=
                        "<c r=\"\(ref)\"\(s) t=\"inlineStr\"><is><t xml:space=\"preserve\">\(xmlEscaped(kept))</t></is></c>"
                case .number(let n):
                    x += "<c r=\"\(ref)\"\(s)><v>\(n.isFinite ? String(n) : "0")</v></c>"
                case .formula(let f):
                    // No cached value: Excel (fullCalcOnLoad) and LibreOffice compute it on opening.
                    x += "<c r=\"\(ref)\"\(s)><f>\(xmlEscaped(f))</f></c>"
                }
            }
            x += "</row>"
        }
        x += "</sheetData>"
        if !merged.isEmpty {
            x += "<mergeCells count=\"\(merged.count)\">"
            for m in merged { x += "<mergeCell ref=\"\(m)\"/>" }
            x += "</mergeCells>"
        }
        if !validations.isEmpty {
            x += "<dataValidations count=\"\(validations.count)\">"
            for v in validations {
                let message =
                    " allowBlank=\"1\" showErrorMessage=\"1\" errorTitle=\"Jawaban tidak sah\" error=\"\(xmlEscaped(v.message))\" sqref=\"\(v.cells)\">"
                switch v.rule {
                case .list(let choices):
                    x += "<dataValidation type=\"list\"\(message)"
                    x += "<formula1>\(xmlEscaped("\"" + choices.joined(separator: ",") + "\""))</formula1>"
                case .wholeNumber(let least):
                    x += "<dataValidation type=\"whole\" operator=\"greaterThanOrEqual\"\(message)"
                    x += "<formula1>\(least)</formula1>"
                case .decimal(let from, let to):
                    x += "<dataValidation type=\"decimal\" operator=\"between\"\(message)"
                    x += "<formula1>\(from)</formula1><formula2>\(to)</formula2>"
                }
                x += "</dataValidation>"
            }
            x += "</dataValidations>"
        }
        x += #"<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#
        x += "</worksheet>"
        return x
    }
}
