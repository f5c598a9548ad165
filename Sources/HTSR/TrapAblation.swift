import Foundation
import GrokCore

/// How a trap mode is taken out of the layer.
public enum TrapAblationMethod: String, Sendable, Codable, CaseIterable {
    /// WeightWatcher 0.8's way: W' = W - unpermute(T) + R, R iid Gaussian entries with the mean
    /// and standard deviation of unpermute(T)'s entries (the layer keeps its scale, the
    /// structure is gone).
    case noise
    /// Prakash & Martin's (arXiv 2506.04434) literal reading: in the shuffled layout, replace the trap's left singular
    /// vector u by a random unit vector, keep s and v.
    case randomU = "random-u"
    /// The same with the right singular vector v.
    case randomV = "random-v"
}

/// Where one correlation trap lives in the original (unshuffled) matrix.
///
/// The trap is a singular triple (s, u, v) of the shuffled matrix P(W) whose s^2 lies above the
/// MP spike threshold of P(W)'s ESD. Its mode T = s u v^T, moved back through the inverse
/// permutation, is a matrix in W's layout; its localization says whether it sits on a handful
/// of entries (a few outliers: IPR near 1) or is spread out (IPR near 1/count).
public struct TrapMode: Sendable, Codable, Equatable {
    /// 0 = the largest trap.
    public var index: Int
    public var singularValue: Double
    public var eigenvalue: Double
    /// eigenvalue / MP spike threshold of the shuffled ESD (> 1 for a trap).
    public var overThreshold: Double
    /// (eigenvalue - rand_bulk_max) / rand_bulk_max, as `TrapDetail.height`.
    public var height: Double
    /// Inverse participation ratio of the unpermuted mode's squared entries (sum p^2, p = share
    /// of ||T||^2), and of its row and column sums of p; 1 = all on one entry/row/column.
    public var iprEntries: Double
    public var iprRows: Double
    public var iprColumns: Double
    /// The rows/columns/entries carrying most of the mode's mass, largest first.
    public var topRows: [MassShare]
    public var topColumns: [MassShare]
    public var topEntries: [EntryShare]
    /// ||T||_F^2 / ||W||_F^2 = s^2 / sum of w^2.
    public var frobeniusShare: Double

    enum CodingKeys: String, CodingKey {
        case index
        case singularValue = "singular_value"
        case eigenvalue
        case overThreshold = "over_threshold"
        case height
        case iprEntries = "ipr_entries"
        case iprRows = "ipr_rows"
        case iprColumns = "ipr_columns"
        case topRows = "top_rows"
        case topColumns = "top_columns"
        case topEntries = "top_entries"
        case frobeniusShare = "frobenius_share"
    }
}

public struct MassShare: Sendable, Codable, Equatable {
    public var index: Int
    public var share: Double
}

public struct EntryShare: Sendable, Codable, Equatable {
    public var row: Int
    public var column: Int
    public var share: Double
}

/// One layer's traps and the layer with them ablated.
public struct TrapAblation: Sendable {
    public var name: String
    public var seed: UInt64
    public var method: TrapAblationMethod
    /// MP spike threshold of the shuffled ESD (original scale).
    public var threshold: Double
    public var traps: [TrapMode]
    /// Each trap's mode s u v^T moved back into W's layout (rows x cols, as W).
    public var modes: [Matrix<Double>]
    /// W with every trap mode ablated (unchanged when there is no trap).
    public var ablated: Matrix<Double>
}

public enum TrapAnalysis {
    /// How many rows, columns and entries `TrapMode` lists.
    public static let topCount = 5

    /// Finds the traps of a dense layer and ablates them all.
    ///
    /// The permutation is the first shuffle `HTSRAnalyzer` makes with `--randomize` for this
    /// layer (stream SeededRandom(seed, name), the same Fisher-Yates sequence), so the traps
    /// are those of that shuffle's MP fit (a single shuffle, also for M < 100 where the
    /// analyzer pools five). The replacement noise comes from the stream "ablate:" + name.
    /// Same seed, same permutation, traps and ablated matrix.
    public static func analyze(name: String, matrix w: Matrix<Double>, seed: UInt64,
                               method: TrapAblationMethod) throws(GrokError) -> TrapAblation {
        let n = w.values.count
        guard min(w.rows, w.cols) >= HTSRAnalyzer.minM else {
            throw GrokError("\(name): \(w.rows) x \(w.cols) has fewer than \(HTSRAnalyzer.minM) eigenvalues: no trap analysis")
        }
        if let bad = w.values.first(where: { !$0.isFinite }) {
            throw GrokError("\(name): matrix has a non-finite entry (\(bad))")
        }
        var rng = SeededRandom(seed: seed, stream: name)
        var perm = Array(0..<n)
        perm.withUnsafeMutableBufferPointer { p in
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = rng.nextInt(below: i + 1)
                let t = p[i]; p[i] = p[j]; p[j] = t
            }
        }
        // Shuffled matrix: position k holds W's entry perm[k].
        let shuffled = Matrix(rows: w.rows, cols: w.cols, values: perm.map { w.values[$0] })
        let svd: (u: Matrix<Double>, s: [Double], vt: Matrix<Double>)
        do { svd = try Spectral.svd(shuffled) } catch {
            throw GrokError("\(name): SVD of the shuffled matrix: \(error)")
        }
        let ascending = svd.s.map { $0 * $0 }.sorted()
        let (N, M) = (max(w.rows, w.cols), min(w.rows, w.cols))
        guard let mp = MarchenkoPastur.fit(ascending: ascending, Q: Double(N) / Double(M), M: M) else {
            throw GrokError("\(name): MP fit of the shuffled ESD failed (no density above the KDE threshold)")
        }
        let threshold = mp.spikeThresholdOriginal
        let total = w.values.reduce(0) { $0 + $1 * $1 }
        var noise = SeededRandom(seed: seed, stream: "ablate:" + name)
        var ablated = w.values
        var traps: [TrapMode] = []
        var modes: [Matrix<Double>] = []
        let k = svd.s.count
        for j in 0..<k where svd.s[j] * svd.s[j] > threshold {
            let s = svd.s[j]
            let u = (0..<w.rows).map { svd.u[$0, j] }
            let v = (0..<w.cols).map { svd.vt[j, $0] }
            let mode = unpermuted(s: s, u: u, v: v, perm: perm, rows: w.rows, cols: w.cols)
            traps.append(describe(mode, index: traps.count, s: s, threshold: threshold,
                                  bulkMax: mp.bulkMax, total: total, rows: w.rows, cols: w.cols))
            modes.append(Matrix(rows: w.rows, cols: w.cols, values: mode))
            let replacement: [Double]
            switch method {
            case .noise:
                let mean = mode.reduce(0, +) / Double(n)
                let sd = (mode.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
                replacement = (0..<n).map { _ in mean + sd * gaussian(&noise) }
            case .randomU:
                replacement = unpermuted(s: s, u: randomUnit(w.rows, &noise), v: v, perm: perm, rows: w.rows, cols: w.cols)
            case .randomV:
                replacement = unpermuted(s: s, u: u, v: randomUnit(w.cols, &noise), perm: perm, rows: w.rows, cols: w.cols)
            }
            for i in 0..<n { ablated[i] += replacement[i] - mode[i] }
        }
        return TrapAblation(name: name, seed: seed, method: method, threshold: threshold, traps: traps, modes: modes,
                            ablated: Matrix(rows: w.rows, cols: w.cols, values: ablated))
    }

    /// s u v^T in the shuffled layout, moved back: original entry perm[k] gets shuffled entry k.
    static func unpermuted(s: Double, u: [Double], v: [Double], perm: [Int], rows: Int, cols: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            let su = s * u[r]
            for c in 0..<cols { out[perm[r * cols + c]] = su * v[c] }
        }
        return out
    }

    static func describe(_ mode: [Double], index: Int, s: Double, threshold: Double, bulkMax: Double,
                         total: Double, rows: Int, cols: Int) -> TrapMode {
        let mass = mode.reduce(0) { $0 + $1 * $1 }
        let p = mode.map { $0 * $0 / mass }
        var rowMass = [Double](repeating: 0, count: rows), colMass = [Double](repeating: 0, count: cols)
        for r in 0..<rows { for c in 0..<cols { rowMass[r] += p[r * cols + c]; colMass[c] += p[r * cols + c] } }
        func ipr(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 } }
        func top(_ x: [Double]) -> [MassShare] {
            x.indices.sorted { x[$0] != x[$1] ? x[$0] > x[$1] : $0 < $1 }.prefix(topCount).map { MassShare(index: $0, share: x[$0]) }
        }
        let entries = top(p).map { EntryShare(row: $0.index / cols, column: $0.index % cols, share: $0.share) }
        let l = s * s
        return TrapMode(index: index, singularValue: s, eigenvalue: l, overThreshold: l / threshold,
                        height: (l - bulkMax) / bulkMax, iprEntries: ipr(p), iprRows: ipr(rowMass),
                        iprColumns: ipr(colMass), topRows: top(rowMass), topColumns: top(colMass),
                        topEntries: entries, frobeniusShare: total > 0 ? l / total : 0)
    }

    /// Standard normal (Box-Muller; one draw per call keeps the stream simple to reproduce).
    static func gaussian(_ rng: inout SeededRandom) -> Double {
        let a = max(rng.nextUnit(), 1e-300), b = rng.nextUnit()
        return (-2 * log(a)).squareRoot() * cos(2 * Double.pi * b)
    }

    static func randomUnit(_ count: Int, _ rng: inout SeededRandom) -> [Double] {
        let x = (0..<count).map { _ in gaussian(&rng) }
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return x.map { $0 / norm }
    }
}
