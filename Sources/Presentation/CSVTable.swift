/// A table written as CSV for spreadsheets: RFC 4180 (fields quoted when they need it,
/// quotes doubled, CRLF line ends), UTF-8 with a byte-order mark so Excel reads it as
/// UTF-8, and any cell that a spreadsheet would run as a formula (starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) prefixed with `'` so it is shown as text.
public struct CSVTable: Sendable {
    /// The header row.
    public var header: [String]
    /// The rows.
    public var rows: [[String]]

    /// A table with a header row.
    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// The file's text, starting with the byte-order mark.
    public var text: String {
        var out = "\u{FEFF}"
        for row in [header] + rows {
            out += row.map(Self.field).joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// One cell, neutralised and quoted as needed.
    public static func field(_ value: String) -> String {
        var cell = value
        if let first = cell.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            cell = "'" + cell
        }
        // By scalar: Swift reads "\r\n" as one Character, equal to neither "\r" nor "\n".
        if cell.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            cell = "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return cell
    }
}
