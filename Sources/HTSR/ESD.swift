import GrokCore

/// The empirical spectral density of a layer: the squared singular values of W in float64,
/// ascending, all M of them (kh*kw*M for a Conv2D kernel), with no 1/N factor.
public struct ESD: Sendable {
    public let eigenvalues: [Double]
    /// Larger and smaller dimension of the (per-slice) matrix.
    public let N: Int
    public let M: Int
    public var Q: Double { Double(N) / Double(M) }
}

enum ESDBuilder {
    /// (N, M) of the matrix (or of each kh x kw slice of a kernel).
    static func shape(_ kind: LayerInput.Kind) -> (N: Int, M: Int) {
        switch kind {
        case .dense(let w): return (max(w.rows, w.cols), min(w.rows, w.cols))
        case .conv2d(_, let o, let i, _, _): return (max(o, i), min(o, i))
        }
    }

    /// The ESD of the layer as stored.
    static func esd(_ kind: LayerInput.Kind) throws -> ESD {
        let (n, m) = shape(kind)
        switch kind {
        case .dense(let w):
            return ESD(eigenvalues: try Spectral.squaredSingularValues(w), N: n, M: m)
        case .conv2d(let v, let o, let i, let kh, let kw):
            return ESD(eigenvalues: try convEigenvalues(v, out: o, in: i, kh: kh, kw: kw), N: n, M: m)
        }
    }

    /// The ESD of one random permutation of all the layer's entries. Shuffling keeps every
    /// entry and destroys every correlation between them: what stays outside the MP bulk
    /// afterwards is due to outlier entries (a correlation trap), not learned structure.
    static func shuffledEigenvalues(_ kind: LayerInput.Kind, rng: inout SeededRandom) throws -> [Double] {
        try shuffledEigenvalues(kind, rng: &rng, centeringBy: nil).raw
    }

    /// The same, and when `mean` is given also the ESD of that same shuffle with `mean`
    /// subtracted from every entry: the shuffled matrix without its rank-one mean component
    /// (X - mu 1 1^T is exactly X minus its projection on the all-ones direction when mu is
    /// the mean of the entries). The generator advances exactly as without centering.
    static func shuffledEigenvalues(_ kind: LayerInput.Kind, rng: inout SeededRandom,
                                    centeringBy mean: Double?) throws -> (raw: [Double], centered: [Double]?) {
        switch kind {
        case .dense(let w):
            var v = w.values
            shuffle(&v, using: &rng)
            let raw = try Spectral.squaredSingularValues(Matrix(rows: w.rows, cols: w.cols, values: v))
            guard let mean else { return (raw, nil) }
            for i in v.indices { v[i] -= mean }
            return (raw, try Spectral.squaredSingularValues(Matrix(rows: w.rows, cols: w.cols, values: v)))
        case .conv2d(let values, let o, let i, let kh, let kw):
            var v = values
            shuffle(&v, using: &rng)
            let raw = try convEigenvalues(v, out: o, in: i, kh: kh, kw: kw)
            guard let mean else { return (raw, nil) }
            for j in v.indices { v[j] -= mean }
            return (raw, try convEigenvalues(v, out: o, in: i, kh: kh, kw: kw))
        }
    }

    /// Fisher-Yates, the same sequence as GrokCore's `seededShuffle` (i from the top down,
    /// j = nextInt(below: i + 1)), specialized to [Double] on raw memory: the generic version
    /// goes through witness tables across the module boundary, ~10x slower.
    static func shuffle(_ v: inout [Double], using rng: inout SeededRandom) {
        v.withUnsafeMutableBufferPointer { p in
            guard p.count > 1 else { return }
            for i in stride(from: p.count - 1, to: 0, by: -1) {
                let j = rng.nextInt(below: i + 1)
                let t = p[i]; p[i] = p[j]; p[j] = t
            }
        }
    }

    /// WeightWatcher's Conv2D ESD: the kh*kw slices W[:, :, a, b] (out x in), each scaled by
    /// sqrt(1/2), so each slice eigenvalue is halved; all pooled and sorted.
    static func convEigenvalues(_ v: [Double], out: Int, in cin: Int, kh: Int, kw: Int) throws -> [Double] {
        var all: [Double] = []
        all.reserveCapacity(kh * kw * min(out, cin))
        var slice = [Double](repeating: 0, count: out * cin)
        for a in 0..<kh {
            for b in 0..<kw {
                for o in 0..<out {
                    for c in 0..<cin { slice[o * cin + c] = v[((o * cin + c) * kh + a) * kw + b] }
                }
                let ev = try Spectral.squaredSingularValues(Matrix(rows: out, cols: cin, values: slice))
                all.append(contentsOf: ev.map { $0 * 0.5 })
            }
        }
        all.sort()
        return all
    }
}
