import Foundation
import GrokCore

/// Local circuit complexity (Golechha, arXiv 2405.12755): how far the network's output
/// distribution moves when its weights are randomly knocked out. Two variants, because the
/// paper and the authors' code differ.
public enum CircuitPerturbation: Sendable, Equatable {
    /// The paper: exactly round(fraction * n) of each layer's n weights set to zero (chosen
    /// uniformly without replacement), biases untouched.
    case zeroFraction(Double)
    /// The authors' code: every weight through dropout with probability p (each zeroed
    /// independently with probability p, survivors scaled by 1 / (1 - p)), biases untouched.
    case dropout(Double)

    /// Applies the perturbation in place to the weight matrices of `parameters`.
    public func apply(to parameters: UnsafeMutableBufferPointer<Double>, shape: MLPShape, rng: inout SeededRandom) {
        for l in 0..<shape.layerCount {
            let range = shape.weightRange(l)
            switch self {
            case .zeroFraction(let f):
                // Selection sampling (Knuth's Algorithm S): exactly `need` of `n` in one pass,
                // each subset equally likely, no index array.
                var need = Int((min(max(f, 0), 1) * Double(range.count)).rounded())
                var left = range.count
                for i in range {
                    if need > 0 && Double(left) * rng.nextUnit() < Double(need) { parameters[i] = 0; need -= 1 }
                    left -= 1
                }
            case .dropout(let p):
                let keep = p < 1 ? 1 / (1 - p) : 0
                for i in range { parameters[i] = rng.nextUnit() < p ? 0 : parameters[i] * keep }
            }
        }
    }
}

/// KL divergences between the softmax distributions of two sets of logits.
public enum Divergence {
    /// Sum over examples of KL(softmax(a_i) || softmax(b_i)) for row-major logits
    /// (`count x classes`), through log-softmax (stable for large logits): Prakash & Martin's form (arXiv 2506.04434).
    public static func klSum(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>,
                             count: Int, classes: Int) -> Double {
        var total = 0.0
        for r in 0..<count {
            let la = logSumExp(a, r * classes, classes), lb = logSumExp(b, r * classes, classes)
            for j in (r * classes)..<((r + 1) * classes) {
                let lp = a[j] - la, lq = b[j] - lb
                total += exp(lp) * (lp - lq)
            }
        }
        return total
    }

    /// Mean over examples of sum_j (p_j + eps) ln((p_j + eps) / (q_j + eps)), p = softmax(a),
    /// q = softmax(b): the authors' code (kl_div with batch mean, eps = 1e-8 in both).
    public static func klMeanSmoothed(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>,
                                      count: Int, classes: Int, epsilon: Double = 1e-8) -> Double {
        guard count > 0 else { return .nan }
        var total = 0.0
        for r in 0..<count {
            let la = logSumExp(a, r * classes, classes), lb = logSumExp(b, r * classes, classes)
            for j in (r * classes)..<((r + 1) * classes) {
                let p = exp(a[j] - la) + epsilon, q = exp(b[j] - lb) + epsilon
                total += p * log(p / q)
            }
        }
        return total / Double(count)
    }

    @inline(__always)
    static func logSumExp(_ x: UnsafeBufferPointer<Double>, _ start: Int, _ n: Int) -> Double {
        var m = -Double.infinity
        for j in start..<(start + n) { m = max(m, x[j]) }
        guard m.isFinite else { return m }
        var s = 0.0
        for j in start..<(start + n) { s += exp(x[j] - m) }
        return m + log(s)
    }
}
