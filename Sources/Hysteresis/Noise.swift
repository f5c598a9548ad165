import Foundation
import GrokCore

/// The noise an escape from the collapsed trap needs. Minibatch noise cannot do it: at a fully
/// collapsed rank-one state every minibatch gradient, whatever its data, has the form
/// A_l^T G B_l^T and keeps each layer's row and column spaces, so the collapsed mode never
/// feels it. Two kinds of injected noise are offered:
/// - Langevin noise: Gaussian noise of variance 2 lr T on every weight after every update, so
///   the weights sample exp(-loss / T) in the small-lr limit. It acts off the rank-one set.
/// - Label noise: every target of every minibatch gets fresh Gaussian noise of standard
///   deviation S. It enters only through G, so it stays on the rank-one set (kept as the
///   control that shows this).
extension Samples {
    /// Second moments of the samples at `indices` with N(0, labelNoise^2) added to each target,
    /// drawn from `rng` (outputs per sample, in index order).
    public func moments<C: Collection>(_ indices: C, labelNoise: Double, rng: inout SeededRandom) -> Moments where C.Element == Int {
        var m = Moments(inputs: inputs, outputs: outputs)
        var noisy = [Double](repeating: 0, count: outputs)
        for n in indices {
            for o in 0..<outputs { noisy[o] = y[n * outputs + o] + labelNoise * rng.nextGaussian() }
            for i in 0..<inputs {
                let xi = x[n * inputs + i]
                for j in 0..<inputs { m.xx.values[i * inputs + j] += xi * x[n * inputs + j] }
                for o in 0..<outputs { m.yx.values[o * inputs + i] += noisy[o] * xi }
            }
            for o in 0..<outputs { m.yy += noisy[o] * noisy[o] }
        }
        let inv = 1 / Double(indices.count)
        for i in 0..<m.xx.values.count { m.xx.values[i] *= inv }
        for i in 0..<m.yx.values.count { m.yx.values[i] *= inv }
        m.yy *= inv
        return m
    }
}

extension DeepLinearNetwork {
    /// Adds N(0, std^2) to every weight, layer by layer in row-major order, from `rng`.
    public mutating func addGaussianNoise(std: Double, rng: inout SeededRandom) {
        for l in 0..<layers.count {
            for i in 0..<layers[l].values.count { layers[l].values[i] += std * rng.nextGaussian() }
        }
    }
}

extension BalancedTheory {
    /// The barrier a collapsed mode (lambda = 0) must cross to reach its nonzero minimum, in the
    /// loss SGD descends (mean ||y - P x||^2 + beta sum w^2, whitened inputs): f(lambda_b) - f(0)
    /// with lambda_b the local maximum of the mode loss f, the smaller root of
    /// lambda - eta + beta lambda^(k-1) = 0 (k = 2/L). Under Langevin noise at temperature T
    /// the escape time grows as exp(barrier / T). Nil at or above beta_c (no nonzero minimum).
    public static func barrier(eta: Double, beta: Double, depth: Int) -> (lambda: Double, height: Double)? {
        precondition(depth >= 3, "the barrier needs depth >= 3")
        guard beta > 0, beta < criticalBeta(eta: eta, depth: depth) else { return nil }
        let k = 2 / Double(depth)
        func slope(_ l: Double) -> Double { l - eta + beta * pow(l, k - 1) }
        // slope is +inf at 0+ and has its minimum at lambda_m (negative below beta_c): the
        // barrier top is the root in (0, lambda_m).
        var lo = 0.0, hi = pow(beta * (1 - k), 1 / (2 - k))
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if mid == lo || mid == hi { break }
            if slope(mid) > 0 { lo = mid } else { hi = mid }
        }
        let top = (lo + hi) / 2
        return (top, modeLoss(lambda: top, eta: eta, beta: beta, depth: depth) - modeLoss(lambda: 0, eta: eta, beta: beta, depth: depth))
    }
}
