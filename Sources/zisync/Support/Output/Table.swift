/// Presentation for a terminal.

import ZISyncCore

/// Prints rows as an aligned text table.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], min(cell.count, 60)) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in
            let text = c.count > 60 ? String(c.prefix(59)) + "…" : c
            return i == cells.count - 1 ? text : text.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    print(line(header))
    for row in rows { print(line(row)) }
}

/// A moment (ms since the epoch) as the history prints one: ISO 8601 in UTC, milliseconds.
func timestamp(_ milliseconds: Int64) -> String { HLC(milliseconds: milliseconds, counter: 0).description }
