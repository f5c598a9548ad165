import Foundation
import GrokCore

/// Samples (x, y) stored row-major: x is count x inputs, y is count x outputs.
public struct Samples: Sendable {
    public let inputs: Int
    public let outputs: Int
    public var x: [Double]
    public var y: [Double]
    public var count: Int { x.count / inputs }

    public init(inputs: Int, outputs: Int, x: [Double], y: [Double]) {
        precondition(x.count % inputs == 0 && y.count / outputs == x.count / inputs)
        self.inputs = inputs; self.outputs = outputs; self.x = x; self.y = y
    }

    /// Second moments of the samples at `indices` (all when nil).
    public func moments<C: Collection>(_ indices: C) -> Moments where C.Element == Int {
        var m = Moments(inputs: inputs, outputs: outputs)
        for n in indices {
            for i in 0..<inputs {
                let xi = x[n * inputs + i]
                for j in 0..<inputs { m.xx.values[i * inputs + j] += xi * x[n * inputs + j] }
                for o in 0..<outputs { m.yx.values[o * inputs + i] += y[n * outputs + o] * xi }
            }
            for o in 0..<outputs { m.yy += y[n * outputs + o] * y[n * outputs + o] }
        }
        let inv = 1 / Double(indices.count)
        for i in 0..<m.xx.values.count { m.xx.values[i] *= inv }
        for i in 0..<m.yx.values.count { m.yx.values[i] *= inv }
        m.yy *= inv
        return m
    }

    public var allMoments: Moments { moments(0..<count) }

    /// mean_n ||y_n - P x_n||^2 computed sample by sample (the reference the moment form is
    /// tested against).
    public func squaredError(_ p: SmallMatrix) -> Double {
        var total = 0.0
        for n in 0..<count {
            for o in 0..<outputs {
                var pred = 0.0
                for i in 0..<inputs { pred += p[o, i] * x[n * inputs + i] }
                let d = pred - y[n * outputs + o]
                total += d * d
            }
        }
        return total / Double(count)
    }
}

/// Second moments of a batch: Sxx = mean x x^T, Syx = mean y x^T, yy = mean ||y||^2.
public struct Moments: Sendable {
    public var xx: SmallMatrix
    public var yx: SmallMatrix
    public var yy: Double

    public init(inputs: Int, outputs: Int) {
        xx = SmallMatrix(rows: inputs, cols: inputs); yx = SmallMatrix(rows: outputs, cols: inputs); yy = 0
    }

    /// mean ||y - P x||^2 = tr(P Sxx P^T) - 2 tr(P Syx^T) + mean ||y||^2.
    public func squaredError(_ p: SmallMatrix) -> Double {
        var quad = 0.0, cross = 0.0
        for o in 0..<p.rows {
            for i in 0..<p.cols {
                cross += p[o, i] * yx[o, i]
                for j in 0..<p.cols { quad += p[o, i] * xx[i, j] * p[o, j] }
            }
        }
        return quad - 2 * cross + yy
    }
}

/// The teacher of arXiv 2606.17120: (x, y) zero-mean jointly Gaussian with identity input
/// covariance, input-output cross-covariance diag(singular values) and identity output
/// covariance, drawn through the Cholesky factor of the joint covariance.
public struct GaussianTeacher: Sendable {
    public var crossSingularValues: [Double]
    public var inputs: Int { crossSingularValues.count }
    public var outputs: Int { crossSingularValues.count }

    public init(crossSingularValues: [Double] = [0.9, 0.8]) throws {
        guard !crossSingularValues.isEmpty else { throw GrokError("the teacher needs at least one singular value") }
        guard crossSingularValues.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
            throw GrokError("teacher singular values must be in [0, 1) so the joint covariance (unit variances) is positive definite (got \(crossSingularValues))")
        }
        self.crossSingularValues = crossSingularValues
    }

    /// The (inputs + outputs) square joint covariance [[I, S^T], [S, I]], S = diag(s).
    public var jointCovariance: SmallMatrix {
        let d = inputs, n = 2 * d
        var c = SmallMatrix.identity(n)
        for i in 0..<d { c[d + i, i] = crossSingularValues[i]; c[i, d + i] = crossSingularValues[i] }
        return c
    }

    /// The global minimum's test MSE without penalty: sum of (1 - s_i^2).
    public var noiseFloor: Double { crossSingularValues.reduce(0) { $0 + 1 - $1 * $1 } }

    /// `count` samples from the seed's `stream` (train and test use different streams).
    public func sample(count: Int, seed: UInt64, stream: String) throws -> Samples {
        let l = try cholesky(jointCovariance)
        var rng = SeededRandom(seed: seed, stream: stream)
        let d = inputs, n = 2 * d
        var x = [Double](), y = [Double]()
        x.reserveCapacity(count * d); y.reserveCapacity(count * d)
        var z = [Double](repeating: 0, count: n)
        for _ in 0..<count {
            for i in 0..<n { z[i] = rng.nextGaussian() }
            for r in 0..<n {
                var v = 0.0
                for c in 0...r { v += l[r, c] * z[c] }
                if r < d { x.append(v) } else { y.append(v) }
            }
        }
        return Samples(inputs: d, outputs: d, x: x, y: y)
    }
}

/// Lower-triangular L with L L^T = a, for a symmetric positive definite a.
public func cholesky(_ a: SmallMatrix) throws -> SmallMatrix {
    precondition(a.rows == a.cols)
    let n = a.rows
    var l = SmallMatrix(rows: n, cols: n)
    for j in 0..<n {
        var d = a[j, j]
        for k in 0..<j { d -= l[j, k] * l[j, k] }
        guard d > 0 else { throw GrokError("the joint covariance is not positive definite") }
        l[j, j] = d.squareRoot()
        for i in (j + 1)..<n {
            var s = a[i, j]
            for k in 0..<j { s -= l[i, k] * l[j, k] }
            l[i, j] = s / l[j, j]
        }
    }
    return l
}
