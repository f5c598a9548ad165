import Foundation
import GrokCore

/// A CSV file read for charts: columns by name, empty cells missing, and tolerant of a file
/// that is still being written (the trainer appends while the report is built).
public struct CSVTable: Sendable {
    public let header: [String]
    public let rows: [[String]]
    /// What was tolerated (a partial last line, short rows), for the report's warnings.
    public let notes: [String]

    public init(header: [String], rows: [[String]], notes: [String] = []) {
        self.header = header; self.rows = rows; self.notes = notes
    }

    public var rowCount: Int { rows.count }

    public func has(_ column: String) -> Bool { header.contains(column) }

    /// The cells of a column as strings ("" when a row is short); nil when there is no such column.
    public func strings(_ column: String) -> [String]? {
        guard let i = header.firstIndex(of: column) else { return nil }
        return rows.map { i < $0.count ? $0[i] : "" }
    }

    /// The cells of a column as numbers; empty or unparsable cells are NaN (missing), and so
    /// are implausible magnitudes (see `implausible`). Nil when there is no such column.
    public func numbers(_ column: String) -> [Double]? {
        strings(column)?.map { CSVTable.plausibleNumber($0) }
    }

    /// No column of a GrokLab file holds a finite value this large (steps stay below 1e12,
    /// losses, norms and alphas far below): such a cell is a corrupt one, left out of the
    /// figures (and counted in `notes`) rather than stretching an axis over 30 decades.
    public static let implausible = 1e15

    static func plausibleNumber(_ cell: String) -> Double {
        let v = number(cell)
        return v.isFinite && abs(v) >= implausible ? .nan : v
    }

    /// True when the column exists and holds at least one finite number.
    public func hasNumbers(_ column: String) -> Bool {
        numbers(column)?.contains { $0.isFinite } ?? false
    }

    static func number(_ cell: String) -> Double {
        let t = cell.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return .nan }
        switch t.lowercased() {
        case "nan": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(t) ?? .nan
        }
    }

    /// Reads a CSV file. A missing file is an error the caller turns into "not written yet".
    public static func read(_ url: URL) throws -> CSVTable {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GrokError("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: url.lastPathComponent)
    }

    /// Parses CSV text, one record per line (quotes as RFC 4180, but a quoted field never
    /// spans lines: no GrokLab file writes one). The header is the first line. A last line
    /// with no newline after it and fewer cells than the header is a row caught mid-write: it is
    /// dropped (and noted). A malformed line (an unterminated quote, more cells than the header)
    /// is skipped and counted, and the lines after it are read as usual. Short rows are kept,
    /// their missing cells empty.
    public static func parse(_ text: String, source: String = "csv") throws -> CSVTable {
        // "\r\n" is one Character in Swift: split on both line ends.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        let endsWithNewline = text.last == "\n" || text.last == "\r\n"
        if endsWithNewline { lines.removeLast() }
        guard let first = lines.first, !first.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw GrokError("\(source) is empty (no header line)")
        }
        guard let header = splitLine(first) else { throw GrokError("\(source): the header line is malformed (an open quote)") }
        let headerNames = header.map { $0.trimmingCharacters(in: .whitespaces) }
        var notes: [String] = []
        var body: [[String]] = []
        var malformed: [Int] = []
        for (i, line) in lines.enumerated().dropFirst() {
            let isPartial = i == lines.count - 1 && !endsWithNewline
            guard let cells = splitLine(line) else {
                if isPartial { notes.append("\(source): ignored a partially written last line") } else { malformed.append(i + 1) }
                continue
            }
            if cells.count == 1 && cells[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if isPartial && cells.count < headerNames.count {
                notes.append("\(source): ignored a partially written last line")
                continue
            }
            guard cells.count <= headerNames.count else { malformed.append(i + 1); continue }
            body.append(cells)
        }
        if !malformed.isEmpty {
            let shown = malformed.prefix(3).map(String.init).joined(separator: ", ")
            notes.append("\(source): skipped \(malformed.count) malformed line(s) (line \(shown)\(malformed.count > 3 ? ", ..." : ""))")
        }
        let huge = body.reduce(0) { n, row in
            n + row.filter { let v = number($0); return v.isFinite && abs(v) >= implausible }.count
        }
        if huge > 0 { notes.append("\(source): \(huge) value(s) of magnitude 1e15 or more left out of the figures (not plausible)") }
        let short = body.filter { $0.count < headerNames.count }.count
        if short > 0 { notes.append("\(source): \(short) row(s) with missing cells") }
        return CSVTable(header: headerNames, rows: body, notes: notes)
    }

    /// The cells of one line; nil when a quote is left open (a malformed line).
    static func splitLine(_ line: Substring) -> [String]? {
        var cells: [String] = []
        var field = ""
        var inQuotes = false
        var chars = line.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let d = next() {
                        if d == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = d }
                    } else { inQuotes = false }
                } else { field.unicodeScalars.append(c) }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: inQuotes = true
            case ",": cells.append(field); field = ""
            case "\r": break
            default: field.unicodeScalars.append(c)
            }
        }
        if inQuotes { return nil }
        cells.append(field)
        return cells
    }
}
