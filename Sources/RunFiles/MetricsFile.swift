import Foundation
import GrokCore

/// metrics.csv: one row per evaluation, the trainer's columns then the observers' (the
/// diagnostics' measures). A completed run's file ends with a `phase` column (the accuracy
/// phase of each row, known only once the whole curve is; phases.json has the labels live).
/// `MetricsLog` is its only writer.
public enum MetricsFile {
    public static let phaseColumn = "phase"

    /// The trainer's own columns, for a model whose layers are `layerNames` (fc1, fc2, ...).
    public static func baseColumns(layerNames: [String]) -> [String] {
        ["step", "train_loss", "train_acc", "test_loss", "test_acc", "l2_norm", "l2_weights"]
            + layerNames.map { "l2_" + $0 }
    }

    /// The file as a table (tolerant: see CSVTable.parse).
    public static func read(_ url: URL) throws -> CSVTable { try CSVTable.read(url) }

    /// The accuracy curve (columns step, train_acc, test_acc by name; rows without a step skipped).
    public static func readAccuracy(_ url: URL) throws -> [AccuracyPoint] {
        let table = try read(url)
        guard let steps = table.strings("step"), let train = table.numbers("train_acc"),
              let test = table.numbers("test_acc") else {
            throw GrokError("\(url.path): no step, train_acc or test_acc column")
        }
        return steps.indices.compactMap { i in
            Int(steps[i]).map { AccuracyPoint(step: $0, trainAccuracy: train[i], testAccuracy: test[i]) }
        }
    }

    /// The first evaluation (row index) with a finite step whose `values` reach `threshold`:
    /// the grokking step T_grok on test accuracy, the memorization step on train accuracy.
    /// The one scan behind the sweep summary, the delay law and the clamp reference.
    public static func firstRow(reaching threshold: Double, in values: [Double], steps: [Double]) -> Int? {
        steps.indices.first { steps[$0].isFinite && $0 < values.count && values[$0] >= threshold }
    }

    /// The steps of the rows, in file order (rows whose step is unreadable left out).
    public static func steps(_ url: URL) throws -> [Int] {
        (try read(url).strings("step") ?? []).compactMap { Int($0) }
    }

    /// Replaces a completed run's phase column with `segments`' labels (a relabel changed
    /// them); a file without the column (a run still going) is left alone. Atomic.
    /// Returns whether the file changed.
    @discardableResult
    public static func relabelPhaseColumn(_ url: URL, segments: [PhaseSegment]) throws -> Bool {
        guard let data = FileManager.default.contents(atPath: url.path) else { return false }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let header = lines.first, header.hasSuffix("," + phaseColumn) else { return false }
        for i in lines.indices.dropFirst() {
            // Drop the old label (the last field; labels never contain commas).
            if let comma = lines[i].lastIndex(of: ",") { lines[i] = String(lines[i][..<comma]) }
        }
        lines[0] = String(header.dropLast(phaseColumn.count + 1))
        try writeWithPhaseColumn(lines, segments: segments, to: url)
        return true
    }

    /// `lines` (header first, no phase column) with each row's accuracy phase appended
    /// (empty where no segment covers its step), written atomically.
    static func writeWithPhaseColumn(_ lines: [String], segments: [PhaseSegment], to url: URL) throws {
        var lines = lines
        lines[0] += "," + phaseColumn
        for i in lines.indices.dropFirst() {
            let step = CSVLog.step(of: lines[i]) ?? -1
            lines[i] += "," + (segments.first { $0.startStep <= step && step <= $0.endStep }?.phase.rawValue ?? "")
        }
        try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: url)
    }

    /// The accuracy phase of each row: the `phase` column of a completed run (an old file), or
    /// nil when the file has none (then phases.json's segments are the labels).
    public static func phaseColumn(_ table: CSVTable) -> [String]? { table.strings(phaseColumn) }
}

/// metrics.csv opened for appending (the trainer's; see MetricsFile).
public final class MetricsLog {
    let log: CSVLog

    /// Creates the file with `columns`, or on resume (`keepThroughStep`) keeps its rows up to
    /// that step (dropping a completed run's phase column: it is written again at the end).
    public init(url: URL, columns: [String], keepThroughStep: Int?) throws {
        log = try CSVLog(url: url, header: columns, keepThroughStep: keepThroughStep,
                         optionalLastColumn: MetricsFile.phaseColumn)
    }

    public func append(_ fields: [String]) throws { try log.append(fields) }

    /// Ends a completed run's file with the phase column: each row's accuracy phase from the
    /// segments of phases.json (`url`; nothing happens without one, e.g. no diagnostics),
    /// empty where no segment covers its step. Rewritten atomically; call after the last row
    /// and after the diagnostics wrote their final labels. Nothing changes when the file
    /// has the column already.
    public func addPhaseColumn(phasesFile url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        try addPhaseColumn(try PhasesReport.read(from: url).accuracy)
    }

    /// The same from the segments themselves.
    public func addPhaseColumn(_ segments: [PhaseSegment]) throws {
        guard let data = FileManager.default.contents(atPath: log.url.path) else { return }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let header = lines.first, !header.split(separator: ",").contains(Substring(MetricsFile.phaseColumn)) else { return }
        try MetricsFile.writeWithPhaseColumn(lines, segments: segments, to: log.url)
    }
}

/// timing.csv (seconds per evaluation) and clamp.csv (a norm intervention's factor): small
/// step-first logs the trainer writes next to metrics.csv.
/// timing.csv: per evaluation, the cumulative wall and training-step seconds, this
/// evaluation's own seconds (metrics, snapshot, checkpoint; the observers' share, of which
/// `wait_s` waiting for room in the full analysis queue), and the work done on other threads:
/// the cumulative seconds of the snapshot analyses finished so far, the seconds of background
/// work (analyses, live report builds) that overlapped the training steps just before this
/// evaluation, and the snapshots still waiting for analysis. Runs recorded before the last four
/// columns existed have the first five.
public enum TimingFile {
    public static let columns = ["step", "wall_s", "train_s", "eval_s", "diagnostics_s", "wait_s", "analysis_s", "overlap_s", "pending"]
    /// The columns of runs recorded before the background ones.
    public static let legacyColumns = Array(columns.prefix(5))

    /// The columns a resumed run keeps writing: its file's own (an older run goes on with the
    /// legacy five), else the current ones.
    public static func columns(continuing url: URL) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return columns }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 1024), as: UTF8.self)
        let first = head.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return first == legacyColumns.joined(separator: ",") ? legacyColumns : columns
    }

    /// The run's wall-clock seconds at its last row; nil when unknown.
    public static func lastWallSeconds(_ url: URL) -> Double? {
        (try? CSVTable.read(url))?.numbers("wall_s")?.last(where: \.isFinite)
    }
}

public enum ClampFile {
    public static let columns = ["step", "factor"]
}

/// The step of the last complete line of a step-first CSV file (metrics.csv, htsr.csv),
/// read from the end of the file only: cheap enough to ask at every evaluation.
public func lastCompleteStep(_ url: URL) -> Int? {
    guard let handle = FileHandle(forReadingAtPath: url.path) else { return nil }
    defer { try? handle.close() }
    let size = handle.seekToEndOfFile()
    handle.seek(toFileOffset: size > 4096 ? size - 4096 : 0)
    let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    let complete = text.hasSuffix("\n") ? lines[...] : lines.dropLast()
    for line in complete.reversed() {
        // A number of any form ("1e3", "1000.0": hand-made or foreign files), as CSVTable reads it.
        if let first = line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first,
           let s = Double(first), s.isFinite { return saturatingInt(s) }
    }
    return nil
}

extension RunDirectory {
    /// True when the run's training has ended by completing: metrics.csv has reached
    /// config.json's last step, or carries the phase column that only a completed run's
    /// metrics.csv gets (a run ended early by --stop-at-test-acc). Read from the files alone,
    /// so it holds whoever ran the run and whatever became of that process.
    public var hasCompleted: Bool {
        if let total = (try? ConfigFile.read(configURL))?["steps"]?.number.map({ saturatingInt($0) }),
           let last = lastCompleteStep(metricsURL), last >= total { return true }
        guard let handle = FileHandle(forReadingAtPath: metricsURL.path) else { return false }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
        guard let newline = head.firstIndex(of: "\n") else { return false }
        return head[..<newline].hasSuffix("," + MetricsFile.phaseColumn)
    }
}
