import Foundation
import GrokCore
import Phases

/// How the diagnostics run the HTSR analyzer on each snapshot.
public enum HTSRMode: String, Sendable, Codable, CaseIterable {
    /// No HTSR analysis (no htsr.csv; phases.json has accuracy labels only).
    case off
    /// WeightWatcher's defaults (no finger clipping), plus the seeded randomization that
    /// counts correlation traps (the phase rule needs them).
    case plain
    /// The grokking paper's setting: fix_fingers = clip_xmax, seeded randomization.
    case paper
}

/// One weight matrix handed to an analyzer: `rows x cols` row-major (PyTorch's [out, in]).
public struct LayerMatrix: Sendable {
    public let name: String
    public let rows: Int
    public let cols: Int
    public let values: [Double]

    public init(name: String, rows: Int, cols: Int, values: [Double]) {
        self.name = name; self.rows = rows; self.cols = cols; self.values = values
    }
}

/// What the diagnostics need from an HTSR analyzer: one `HTSRRow` per layer, in input order.
/// Kept this small so that the analyzer behind it can change (an adapter per analyzer).
/// Implementations must not trap on bad layers: a failure is a row with a "failed: ..." status.
public protocol LayerAnalyzer: Sendable {
    /// `seed` drives the randomized ESDs; the same seed must give the same rows.
    func analyze(_ layers: [LayerMatrix], step: Int, seed: UInt64) -> [HTSRRow]
}

/// One row of htsr.csv: one layer at one step. Optional values are written as empty cells.
public struct HTSRRow: Sendable, Equatable {
    public var step: Int
    public var layer: String
    public var N: Int
    public var M: Int
    public var alpha: Double?
    public var D: Double?
    public var xmin: Double?
    public var xmax: Double?
    public var sigma: Double?
    public var numPLSpikes: Int?
    public var alphaWeighted: Double?
    public var logNorm: Double?
    public var logSpectralNorm: Double?
    public var stableRank: Double?
    public var mpSoftrank: Double?
    public var numSpikes: Int?
    public var numTraps: Int?
    public var ksStat: Double?
    public var ksPvalue: Double?
    public var maxTrapHeight: Double?
    /// Mean of the entries over their std; the mean alone made a trap; traps once the mean's
    /// rank-one component is removed from the shuffle (see HTSR's LayerAnalysis).
    public var meanStdRatio: Double?
    public var meanSpike: Bool?
    public var numTrapsCentered: Int?
    /// "ok", "failed: <reason>" or "skipped: <reason>".
    public var status: String

    public init(step: Int, layer: String, N: Int, M: Int, status: String = "ok") {
        self.step = step; self.layer = layer; self.N = N; self.M = M; self.status = status
    }

    /// The columns of htsr.csv (HELPERS.md), in order.
    public static let columns = ["step", "layer", "N", "M", "alpha", "D", "xmin", "xmax", "sigma",
                                 "num_pl_spikes", "alpha_weighted", "log_norm", "log_spectral_norm",
                                 "stable_rank", "mp_softrank", "num_spikes", "num_traps", "ks_stat",
                                 "ks_pvalue", "max_trap_height", "mean_std_ratio", "mean_spike",
                                 "num_traps_centered", "status"]

    /// The row as one CSV line (no newline). Text cells lose commas, quotes and line breaks
    /// (replaced by ';', '\'' and ' ') so every reader can split on commas.
    public var csvLine: String {
        func d(_ x: Double?) -> String { x.flatMap { $0.isFinite ? "\($0)" : nil } ?? "" }
        func i(_ x: Int?) -> String { x.map(String.init) ?? "" }
        let cells = [String(step), clean(layer), String(N), String(M), d(alpha), d(D), d(xmin), d(xmax),
                     d(sigma), i(numPLSpikes), d(alphaWeighted), d(logNorm), d(logSpectralNorm),
                     d(stableRank), d(mpSoftrank), i(numSpikes), i(numTraps), d(ksStat), d(ksPvalue),
                     d(maxTrapHeight), d(meanStdRatio), meanSpike.map { $0 ? "true" : "false" } ?? "",
                     i(numTrapsCentered), clean(status)]
        return cells.joined(separator: ",")
    }

    /// Reads a row from cells looked up by column name (missing optional columns are nil).
    /// Nil when step, layer, N or M are missing or unreadable.
    public init?(cells: [String: String]) {
        func d(_ k: String) -> Double? { cells[k].flatMap { Double($0) } }
        func i(_ k: String) -> Int? { cells[k].flatMap { Int($0) } }
        guard let step = i("step"), let layer = cells["layer"], !layer.isEmpty,
              let n = i("N"), let m = i("M") else { return nil }
        self.init(step: step, layer: layer, N: n, M: m, status: cells["status"] ?? "ok")
        alpha = d("alpha"); D = d("D"); xmin = d("xmin"); xmax = d("xmax"); sigma = d("sigma")
        numPLSpikes = i("num_pl_spikes"); alphaWeighted = d("alpha_weighted"); logNorm = d("log_norm")
        logSpectralNorm = d("log_spectral_norm"); stableRank = d("stable_rank")
        mpSoftrank = d("mp_softrank"); numSpikes = i("num_spikes"); numTraps = i("num_traps")
        ksStat = d("ks_stat"); ksPvalue = d("ks_pvalue"); maxTrapHeight = d("max_trap_height")
        meanStdRatio = d("mean_std_ratio"); numTrapsCentered = i("num_traps_centered")
        meanSpike = cells["mean_spike"].flatMap { $0 == "true" ? true : ($0 == "false" ? false : nil) }
    }

    /// The numbers the phase rule reads. A row whose status is not "ok" still carries the
    /// values that were computed (e.g. alpha when only the trap fit failed); missing ones are nil.
    public var phasePoint: HTSRLayerPoint {
        HTSRLayerPoint(step: step, layer: layer, alpha: alpha, numTraps: numTraps,
                       numTrapsCentered: numTrapsCentered, alphaSigma: sigma, stableRank: stableRank)
    }
}

func clean(_ text: String) -> String {
    String(text.map { c -> Character in
        switch c { case ",": return ";"; case "\"": return "'"; case "\n", "\r": return " "; default: return c }
    })
}
