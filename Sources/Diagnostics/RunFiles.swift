import Foundation
import GrokCore
import Phases

/// Reading and writing the run-directory files the diagnostics own (htsr.csv) or read
/// (metrics.csv). CSV readers look columns up by name and tolerate missing optional ones.
public enum RunFiles {
    /// Splits a CSV file into a header and rows of cells keyed by column name. A last line
    /// without a newline (cut by a kill) is dropped.
    public static func readCSV(_ url: URL) throws -> (header: [String], rows: [[String: String]]) {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw GrokError("cannot read \(url.path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
        lines.removeAll { $0.isEmpty }
        guard let first = lines.first else { return ([], []) }
        let header = first.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let rows = lines.dropFirst().map { line -> [String: String] in
            var cells: [String: String] = [:]
            for (k, v) in zip(header, line.split(separator: ",", omittingEmptySubsequences: false)) where !v.isEmpty {
                cells[k] = String(v)
            }
            return cells
        }
        return (header, rows)
    }

    /// htsr.csv rows (unreadable rows are skipped), in file order.
    public static func readHTSR(_ url: URL) throws -> [HTSRRow] {
        try readCSV(url).rows.compactMap { HTSRRow(cells: $0) }
    }

    /// The accuracy curve from metrics.csv (columns step, train_acc, test_acc by name).
    public static func readAccuracy(_ url: URL) throws -> [AccuracyPoint] {
        let csv = try readCSV(url)
        for c in ["step", "train_acc", "test_acc"] where !csv.header.contains(c) {
            throw GrokError("\(url.path): no \(c) column")
        }
        return csv.rows.compactMap { r in
            guard let s = r["step"].flatMap({ Int($0) }) else { return nil }
            return AccuracyPoint(step: s, trainAccuracy: r["train_acc"].flatMap { Double($0) } ?? .nan,
                                 testAccuracy: r["test_acc"].flatMap { Double($0) } ?? .nan)
        }
    }
}

/// htsr.csv opened for appending: each row reaches the file (one write call) as soon as it is
/// appended, so a live run can be charted.
final class HTSRLog {
    let url: URL
    private let handle: FileHandle

    /// Creates the file with its header, or, when `keepThroughStep` is given and the file
    /// exists, keeps the rows with step <= it (rewritten atomically) and returns them.
    init(url: URL, keepThroughStep: Int?) throws {
        self.url = url
        var kept: [HTSRRow] = []
        if let keep = keepThroughStep, FileManager.default.fileExists(atPath: url.path) {
            kept = try RunFiles.readHTSR(url).filter { $0.step <= keep }
        }
        let text = ([HTSRRow.columns.joined(separator: ",")] + kept.map(\.csvLine)).joined(separator: "\n") + "\n"
        try AtomicFile.write(text, to: url)
        guard let h = FileHandle(forWritingAtPath: url.path) else { throw GrokError("cannot open \(url.path) for writing") }
        handle = h
        handle.seekToEndOfFile()
        rows = kept
    }

    /// Rows in the file (kept ones plus appended ones).
    private(set) var rows: [HTSRRow]

    func append(_ new: [HTSRRow]) throws {
        guard !new.isEmpty else { return }
        do { try handle.write(contentsOf: Data(new.map { $0.csvLine + "\n" }.joined().utf8)) }
        catch { throw GrokError("cannot append to \(url.path): \(error.localizedDescription)") }
        rows += new
    }

    deinit { try? handle.close() }
}
