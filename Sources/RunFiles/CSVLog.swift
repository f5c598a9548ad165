import Foundation
import GrokCore

/// An append-only CSV file whose rows reach the disk as soon as they are written, so a live
/// run can be plotted. On resume it is first cut back to the rows at or before the checkpoint.
/// The writer of metrics.csv, timing.csv, clamp.csv and htsr.csv (through their typed logs).
public final class CSVLog {
    private let handle: FileHandle
    public let url: URL
    public let header: [String]

    /// Opens `url` for appending. When `keepThroughStep` is given the file must exist: rows whose
    /// first column (the step) is larger, and any partial last line, are dropped first. Otherwise
    /// the file is created with `header`. `optionalLastColumn` is a column a completed file may
    /// end with beyond `header` (metrics.csv's phase): it is dropped on resume.
    public init(url: URL, header: [String], keepThroughStep: Int?, optionalLastColumn: String? = nil) throws {
        self.url = url
        self.header = header
        let fm = FileManager.default
        let headerLine = header.joined(separator: ",")
        if let keep = keepThroughStep, let data = fm.contents(atPath: url.path) {
            let text = String(decoding: data, as: UTF8.self)
            var kept: [Substring] = []
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }  // partial line from a kill
            for (i, line) in lines.enumerated() where !line.isEmpty {
                if i == 0 { kept.append(line); continue }
                guard let step = CSVLog.step(of: line), step <= keep else { continue }
                kept.append(line)
            }
            var existingHeader = kept.first.map(String.init) ?? ""
            if let extra = optionalLastColumn, existingHeader == headerLine + "," + extra {
                kept = kept.map { $0[..<($0.lastIndex(of: ",") ?? $0.endIndex)] }
                existingHeader = String(kept[0])
            }
            guard existingHeader == headerLine else {
                throw GrokError("cannot resume: the columns of \(url.lastPathComponent) differ from this run's (was it written by another version or with other --htsr settings?)")
            }
            try AtomicFile.write(kept.joined(separator: "\n") + "\n", to: url)
        } else {
            try AtomicFile.write(headerLine + "\n", to: url)
        }
        guard let h = FileHandle(forWritingAtPath: url.path) else {
            throw GrokError("cannot open \(url.path) for writing")
        }
        handle = h
        handle.seekToEndOfFile()
    }

    /// Appends one row (one write call, so a reader never sees half of it unless killed).
    public func append(_ fields: [String]) throws {
        do { try handle.write(contentsOf: Data((fields.joined(separator: ",") + "\n").utf8)) }
        catch { throw GrokError("cannot append to \(url.path): \(error.localizedDescription)") }
    }

    /// The step in a row's first cell.
    static func step<S: StringProtocol>(of line: S) -> Int? {
        line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first.flatMap { Int($0) }
    }

    deinit { try? handle.close() }
}

/// Numbers in CSV: shortest text that reads back to the same Double ("nan" for NaN).
@inline(__always)
public func csvNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return "\(x)"
}
