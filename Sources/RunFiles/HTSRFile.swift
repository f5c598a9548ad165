import Foundation
import GrokCore

/// One row of htsr.csv: one layer's HTSR metrics at one step, the selection of the analyzer's
/// metrics (WeightWatcher's names) the run keeps. The file's own record, so reading a run needs
/// no analyzer; the diagnostics fill it from HTSR's `LayerAnalysis`. A metric is nil when it
/// does not exist (failed or skipped fit, or a file written before its column existed).
public struct HTSRRow: Sendable, Equatable {
    public var step: Int
    public var layer: String
    /// The matrix shape, N >= M (WeightWatcher's).
    public var N: Int
    public var M: Int
    public var alpha: Double?
    public var D: Double?
    public var xmin: Double?
    public var xmax: Double?
    /// The power-law fit's standard error of alpha.
    public var sigma: Double?
    public var numPLSpikes: Int?
    public var alphaWeighted: Double?
    public var logNorm: Double?
    public var logSpectralNorm: Double?
    public var stableRank: Double?
    public var mpSoftrank: Double?
    public var numSpikes: Int?
    /// WeightWatcher's count of correlation traps.
    public var numTraps: Int?
    public var ksStat: Double?
    public var ksPvalue: Double?
    public var maxTrapHeight: Double?
    public var meanStdRatio: Double?
    public var meanSpike: Bool?
    /// Traps left once the weight mean's rank-one component is removed from the shuffle.
    public var numTrapsCentered: Int?
    public var detXNum: Int?
    public var detXVal: Double?
    public var ergGap: Int?
    public var status: Status

    /// How the layer's analysis went: "ok", "skipped: <reason>" or "failed: <reason>" in the file.
    public enum Status: Sendable, Equatable, CustomStringConvertible {
        case ok
        /// Not analysed at all (too small, too large).
        case skipped(String)
        /// Analysed, but a fit failed; the metrics that exist are still there.
        case fitFailed(String)

        public var isOK: Bool { self == .ok }

        public var description: String {
            switch self {
            case .ok: return "ok"
            case .skipped(let r): return "skipped: \(r)"
            case .fitFailed(let r): return "failed: \(r)"
            }
        }

        /// Reads `description` back; empty is ok, any other text a failure with that reason.
        public init(text: String) {
            if text == "ok" || text.isEmpty { self = .ok }
            else if text.hasPrefix("skipped: ") { self = .skipped(String(text.dropFirst(9))) }
            else if text.hasPrefix("failed: ") { self = .fitFailed(String(text.dropFirst(8))) }
            else { self = .fitFailed(text) }
        }
    }

    /// A row without metrics yet for a `rows x cols` layer (N >= M, as WeightWatcher's).
    public init(step: Int, layer: String, N: Int, M: Int, status: Status = .ok) {
        self.step = step; self.layer = layer; self.N = N; self.M = M; self.status = status
    }

    /// One metric column: its name and how a cell is written from and read into a row.
    struct Column: Sendable {
        let name: String
        let write: @Sendable (HTSRRow) -> String
        let read: @Sendable (inout HTSRRow, String) -> Void

        static func int(_ name: String, _ path: WritableKeyPath<HTSRRow, Int?> & Sendable) -> Column {
            Column(name: name, write: { $0[keyPath: path].map { String($0) } ?? "" }) { $0[keyPath: path] = Int($1) }
        }

        /// Numbers that read back to the same value; empty when not finite.
        static func double(_ name: String, _ path: WritableKeyPath<HTSRRow, Double?> & Sendable) -> Column {
            Column(name: name, write: { $0[keyPath: path].map { $0.isFinite ? "\($0)" : "" } ?? "" }) { $0[keyPath: path] = Double($1) }
        }
    }

    /// The metric columns after step and layer, in file order.
    static let metricColumns: [Column] = [
        Column(name: "N", write: { String($0.N) }) { r, t in if let n = Int(t) { r.N = n } },
        Column(name: "M", write: { String($0.M) }) { r, t in if let m = Int(t) { r.M = m } },
        .double("alpha", \.alpha), .double("D", \.D), .double("xmin", \.xmin), .double("xmax", \.xmax),
        .double("sigma", \.sigma), .int("num_pl_spikes", \.numPLSpikes), .double("alpha_weighted", \.alphaWeighted),
        .double("log_norm", \.logNorm), .double("log_spectral_norm", \.logSpectralNorm),
        .double("stable_rank", \.stableRank), .double("mp_softrank", \.mpSoftrank), .int("num_spikes", \.numSpikes),
        .int("num_traps", \.numTraps), .double("ks_stat", \.ksStat), .double("ks_pvalue", \.ksPvalue),
        .double("max_trap_height", \.maxTrapHeight), .double("mean_std_ratio", \.meanStdRatio),
        Column(name: "mean_spike", write: { $0.meanSpike.map { $0 ? "true" : "false" } ?? "" }) { r, t in
            r.meanSpike = t == "true" ? true : (t == "false" ? false : nil)
        },
        .int("num_traps_centered", \.numTrapsCentered), .int("detX_num", \.detXNum), .double("detX_val", \.detXVal),
        .int("ERG_gap", \.ergGap),
        Column(name: "status", write: { clean($0.status.description) }) { r, t in r.status = Status(text: t) },
    ]

    /// The metrics htsr.csv keeps, after its step and layer columns, in file order (the
    /// analyzer's names for them).
    public static let metricNames = metricColumns.map(\.name)
    /// The columns of htsr.csv, in order.
    public static let columns = ["step", "layer"] + metricNames

    /// The row as one CSV line (no newline): numbers that read back to the same value (empty
    /// when missing or not finite). Text cells lose commas, quotes and line breaks (replaced by
    /// ';', '\'' and ' ') so every reader can split on commas.
    public var csvLine: String {
        ([String(step), clean(layer)] + Self.metricColumns.map { $0.write(self) }).joined(separator: ",")
    }

    /// Reads a row from cells looked up by column name (missing optional columns are nil,
    /// a missing status is ok). Nil when step, layer, N or M are missing or unreadable.
    public init?(cells: (String) -> String?) {
        func nonEmpty(_ k: String) -> String? { cells(k).flatMap { $0.isEmpty ? nil : $0 } }
        guard let step = nonEmpty("step").flatMap({ Int($0) }), let layer = nonEmpty("layer"),
              let n = nonEmpty("N").flatMap({ Int($0) }), let m = nonEmpty("M").flatMap({ Int($0) }) else { return nil }
        self.init(step: step, layer: layer, N: n, M: m)
        for column in Self.metricColumns {
            if let text = nonEmpty(column.name) { column.read(&self, text) }
        }
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
