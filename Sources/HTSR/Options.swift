import GrokCore

/// How to treat "fingers": a few very large eigenvalues at the top of the ESD that make the
/// power-law fit pick a tiny tail with a huge alpha (finite-size effects).
public enum FingerFix: String, Sendable, Codable, CaseIterable {
    /// Fit the whole ESD (WeightWatcher's default).
    case none
    /// Refit with the r = 2...9 largest eigenvalues removed and keep the first fit whose alpha
    /// drops by more than 1 (WeightWatcher's `fix_fingers='clip_xmax'`, used by the grokking
    /// paper). Lowers alpha a lot on pure noise (Gaussian 784x200: 8.96 -> 4.85).
    case clipXmax = "clip_xmax"
}

/// Everything the analyzer can be told. Defaults reproduce WeightWatcher 0.7.7.
public struct HTSROptions: Sendable {
    public var fixFingers: FingerFix = .none
    /// Compute the correlation-trap metrics (shuffled ESDs): costs two or more extra
    /// eigenvalue decompositions per layer.
    public var randomize = false
    /// Seed of the shuffles. Each layer draws from its own stream SeededRandom(seed, name),
    /// so results do not depend on thread count or layer order.
    public var seed: UInt64 = 0
    /// With `randomize`: also analyse each shuffle with the weight mean removed
    /// (`num_traps_centered`, `mean_spike`); one more eigenvalue decomposition per shuffle.
    public var centeredTraps = true
    /// Fit the Marchenko-Pastur bulk (sigma_mp, num_spikes, mp_softrank, bulk_max/min).
    public var mpFit = true
    /// Keep the eigenvalues (and randomized eigenvalues) in the result, for charts.
    public var keepEigenvalues = false
    /// Keep the power-law scan's D for every xmin candidate, for charts.
    public var keepDCurve = false
    /// Largest-|w| entries listed per correlation trap.
    public var trapEntries = 5
    /// Upper size limits (WeightWatcher's defaults); layers beyond them are skipped.
    public var maxM = 15000
    public var maxN = 50000
    /// Layers analysed at once by `analyze(layers:)`; 0 = one per core.
    public var threads = 0

    public init() {}
}

/// One weight tensor to analyse: the one shape of a named weight matrix, whoever hands it
/// over (weight files, a run's snapshots, the live trainer).
public struct LayerInput: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case dense(Matrix<Double>)
        /// PyTorch Conv2d layout (out, in, kh, kw), row-major values.
        case conv2d(values: [Double], out: Int, in: Int, kh: Int, kw: Int)
    }
    public let name: String
    public let kind: Kind

    public init(name: String, matrix: Matrix<Double>) {
        self.name = name; self.kind = .dense(matrix)
    }

    public init(name: String, conv2d values: [Double], shape: (out: Int, in: Int, kh: Int, kw: Int)) {
        precondition(values.count == shape.out * shape.in * shape.kh * shape.kw,
                     "LayerInput: \(values.count) values for conv2d \(shape)")
        self.name = name
        self.kind = .conv2d(values: values, out: shape.out, in: shape.in, kh: shape.kh, kw: shape.kw)
    }

    /// A tensor's shape as a file stores it: PyTorch's Linear [out, in], Conv2d [out, in, kh, kw].
    public enum Shape: Sendable, Equatable {
        case dense(rows: Int, cols: Int)
        case conv2d(out: Int, in: Int, kh: Int, kw: Int)
    }

    /// A tensor as a file stores it: `values` row-major (C order) in `shape`.
    public init(name: String, shape: Shape, values: [Double]) {
        switch shape {
        case .dense(let r, let c): self.init(name: name, matrix: Matrix(rows: r, cols: c, values: values))
        case .conv2d(let o, let i, let kh, let kw): self.init(name: name, conv2d: values, shape: (o, i, kh, kw))
        }
    }

    public var shape: Shape {
        switch kind {
        case .dense(let m): return .dense(rows: m.rows, cols: m.cols)
        case .conv2d(_, let o, let i, let kh, let kw): return .conv2d(out: o, in: i, kh: kh, kw: kw)
        }
    }

    /// The rows and columns of a dense layer; of a Conv2D kernel, those of its per-position
    /// matrices (out x in).
    public var rows: Int {
        switch kind {
        case .dense(let m): return m.rows
        case .conv2d(_, let o, _, _, _): return o
        }
    }
    public var cols: Int {
        switch kind {
        case .dense(let m): return m.cols
        case .conv2d(_, _, let i, _, _): return i
        }
    }

    /// Every entry, row-major as stored.
    public var values: [Double] { entries }

    /// All entries of the tensor (used for NaN checks and trap entries).
    var entries: [Double] {
        switch kind {
        case .dense(let m): return m.values
        case .conv2d(let v, _, _, _, _): return v
        }
    }
}

/// What happened to a layer. A failed fit says why; it never reports a made-up alpha.
public enum LayerStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    case ok
    /// Not analysed at all (too small, too large).
    case skipped(String)
    /// Analysed, but a fit (or the input) failed; the metrics that exist are still reported.
    case fitFailed(String)

    public var isOK: Bool { self == .ok }

    /// "ok", "skipped: <reason>" or "failed: <reason>" (the htsr.csv status column).
    public var description: String {
        switch self {
        case .ok: return "ok"
        case .skipped(let r): return "skipped: \(r)"
        case .fitFailed(let r): return "failed: \(r)"
        }
    }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        if s == "ok" { self = .ok }
        else if s.hasPrefix("skipped: ") { self = .skipped(String(s.dropFirst(9))) }
        else if s.hasPrefix("failed: ") { self = .fitFailed(String(s.dropFirst(8))) }
        else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad layer status \(s)")) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
