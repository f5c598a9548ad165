import Foundation
import GrokCore
import HTSR
import Phases

/// One row of htsr.csv: one layer at one step. The record is HTSR's `LayerAnalysis`; the file
/// keeps the metrics named in `HTSRRow.metrics` (a selection from `LayerAnalysis.metrics`), so
/// its schema is derived, not restated. Metric fields read through: `row.alpha`, `row.numTraps`.
@dynamicMemberLookup
public struct HTSRRow: Sendable, Equatable {
    public var step: Int
    /// The layer's metrics, only those htsr.csv keeps (see `init(step:analysis:)`).
    public private(set) var analysis: LayerAnalysis

    public var layer: String { analysis.name }

    /// The metrics htsr.csv keeps, after its step and layer columns, in file order.
    public static let metricNames = ["N", "M", "alpha", "D", "xmin", "xmax", "sigma", "num_pl_spikes",
                                     "alpha_weighted", "log_norm", "log_spectral_norm", "stable_rank",
                                     "mp_softrank", "num_spikes", "num_traps", "ks_stat", "ks_pvalue",
                                     "max_trap_height", "mean_std_ratio", "mean_spike", "num_traps_centered",
                                     "detX_num", "detX_val", "ERG_gap", "status"]
    public static let metrics: [LayerMetric] = metricNames.map { name in
        guard let m = LayerAnalysis.metric(named: name) else { preconditionFailure("htsr.csv column \(name) is not a LayerAnalysis metric") }
        return m
    }
    /// The columns of htsr.csv, in order.
    public static let columns = ["step", "layer"] + metricNames

    /// The row for `analysis` at `step`, keeping only the metrics htsr.csv has (so a row in
    /// memory equals the row read back from the file).
    public init(step: Int, analysis: LayerAnalysis) {
        var kept = LayerAnalysis(name: analysis.name, kind: analysis.kind, N: analysis.N, M: analysis.M)
        for m in Self.metrics { m.set(m.value(analysis), in: &kept) }
        self.step = step
        self.analysis = kept
    }

    /// An empty row (no metrics yet) for a `rows x cols` layer: N >= M as WeightWatcher's.
    public init(step: Int, layer: String, N: Int, M: Int, status: LayerStatus = .ok) {
        var a = LayerAnalysis(name: layer, kind: "dense", N: N, M: M)
        a.status = status
        self.init(step: step, analysis: a)
    }

    public subscript<T>(dynamicMember path: WritableKeyPath<LayerAnalysis, T>) -> T {
        get { analysis[keyPath: path] }
        set { analysis[keyPath: path] = newValue }
    }

    /// The row as one CSV line (no newline): numbers that read back to the same value (empty
    /// when missing or not finite). Text cells lose commas, quotes and line breaks (replaced by
    /// ';', '\'' and ' ') so every reader can split on commas.
    public var csvLine: String {
        let cells = Self.metrics.map { m -> String in
            switch m.value(analysis) {
            case .int(let i)?: return String(i)
            case .double(let d)?: return d.isFinite ? "\(d)" : ""
            case .bool(let b)?: return b ? "true" : "false"
            case .text(let s)?: return clean(s)
            case nil: return ""
            }
        }
        return ([String(step), clean(layer)] + cells).joined(separator: ",")
    }

    /// Reads a row from cells looked up by column name (missing optional columns are nil,
    /// a missing status is ok). Nil when step, layer, N or M are missing or unreadable.
    public init?(cells: (String) -> String?) {
        func nonEmpty(_ k: String) -> String? { cells(k).flatMap { $0.isEmpty ? nil : $0 } }
        guard let step = nonEmpty("step").flatMap({ Int($0) }), let layer = nonEmpty("layer"),
              let n = nonEmpty("N").flatMap({ Int($0) }), let m = nonEmpty("M").flatMap({ Int($0) }) else { return nil }
        var a = LayerAnalysis(name: layer, kind: "dense", N: n, M: m)
        for metric in Self.metrics {
            guard let text = nonEmpty(metric.name) else { continue }
            let value: MetricValue?
            switch metric.kind {
            case .int: value = Int(text).map(MetricValue.int)
            case .double: value = Double(text).map(MetricValue.double)
            case .bool: value = text == "true" ? .bool(true) : (text == "false" ? .bool(false) : nil)
            case .text: value = .text(text)
            }
            metric.set(value, in: &a)
        }
        self.step = step
        self.analysis = a
    }

    /// The numbers the phase rule reads. A row whose status is not "ok" still carries the
    /// values that were computed (e.g. alpha when only the trap fit failed); missing ones are nil.
    public var phasePoint: HTSRLayerPoint {
        HTSRLayerPoint(step: step, layer: layer, alpha: analysis.alpha, numTraps: analysis.numTraps,
                       numTrapsCentered: analysis.numTrapsCentered, alphaSigma: analysis.sigma,
                       stableRank: analysis.stableRank, ksStat: analysis.ksStat, logNorm: analysis.logNorm,
                       ergGap: analysis.ergGap)
    }
}

func clean(_ text: String) -> String {
    String(text.map { c -> Character in
        switch c { case ",": return ";"; case "\"": return "'"; case "\n", "\r": return " "; default: return c }
    })
}

/// htsr.csv: its rows, read and written whole (relabel) or appended as a run goes (HTSRLog).
public enum HTSRFile {
    /// The rows in file order (unreadable rows are skipped).
    public static func read(_ url: URL) throws -> [HTSRRow] {
        let table = try CSVTable.read(url)
        let index = Dictionary(table.header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return table.rows.compactMap { cells in
            HTSRRow { name in index[name].flatMap { $0 < cells.count ? cells[$0] : nil } }
        }
    }

    /// The file's text for `rows`: the header, then one line per row.
    static func text(_ rows: [HTSRRow]) -> String {
        ([HTSRRow.columns.joined(separator: ",")] + rows.map(\.csvLine)).joined(separator: "\n") + "\n"
    }

    /// Writes the whole file atomically (for a relabel).
    public static func write(_ rows: [HTSRRow], to url: URL) throws {
        try AtomicFile.write(text(rows), to: url)
    }
}

/// htsr.csv opened for appending: each row reaches the file (one write call) as soon as it is
/// appended, so a live run can be charted.
public final class HTSRLog {
    public let url: URL
    private let handle: FileHandle

    /// Creates the file with its header, or, when `keepThroughStep` is given and the file
    /// exists, keeps the rows with step <= it (rewritten atomically).
    public init(url: URL, keepThroughStep: Int?) throws {
        self.url = url
        var kept: [HTSRRow] = []
        if let keep = keepThroughStep, FileManager.default.fileExists(atPath: url.path) {
            kept = try HTSRFile.read(url).filter { $0.step <= keep }
        }
        try HTSRFile.write(kept, to: url)
        guard let h = FileHandle(forWritingAtPath: url.path) else { throw GrokError("cannot open \(url.path) for writing") }
        handle = h
        handle.seekToEndOfFile()
        rows = kept
    }

    /// Rows in the file (kept ones plus appended ones).
    public private(set) var rows: [HTSRRow]

    public func append(_ new: [HTSRRow]) throws {
        guard !new.isEmpty else { return }
        do { try handle.write(contentsOf: Data(new.map { $0.csvLine + "\n" }.joined().utf8)) }
        catch { throw GrokError("cannot append to \(url.path): \(error.localizedDescription)") }
        rows += new
    }

    deinit { try? handle.close() }
}
