import GrokCore

/// Rescales parameters after optimizer steps to hold a norm fixed: the weight-norm clamp of
/// arXiv 2606.13753, Omnigrok's constrained-norm runs, and the one-shot rescale control.
///
/// It works on the flat parameter buffer and a list of index ranges (the weight matrices, or
/// everything): a Frobenius norm is a sum of squares, so the element order inside a range (the
/// model's input-major storage or PyTorch's layout) does not matter. Only the parameters are
/// touched; the optimizer's state (Adam's moments) is deliberately left as it is, as arXiv 2606.13753
/// does. No allocation: safe inside the step loop.
public struct NormIntervention<T: BLASScalar>: Sendable {
    public enum Rule: Equatable, Sendable {
        /// After every step s >= fromStep: scale so the norm of `ranges` equals `target`.
        case hold(target: Double, fromStep: Int)
        /// After step `atStep` only: multiply `ranges` by `factor`.
        case scaleOnce(factor: Double, atStep: Int)
    }

    public let rule: Rule
    /// The index ranges the norm is taken over and the factor applied to.
    public let ranges: [Range<Int>]

    public init(rule: Rule, ranges: [Range<Int>]) {
        self.rule = rule
        self.ranges = ranges
    }

    /// Applies the rule after optimizer step `step` (1-based). Returns the factor applied:
    /// exactly 1 when the rule does not act at this step (or the norm is 0, which no factor
    /// can move).
    @discardableResult
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func apply(afterStep step: Int, to parameters: UnsafeMutableBufferPointer<T>) -> Double {
        let factor: Double
        switch rule {
        case let .hold(target, fromStep):
            guard step >= fromStep else { return 1 }
            let norm = Self.norm(of: parameters, over: ranges)
            guard norm > 0 else { return 1 }
            factor = target / norm
        case let .scaleOnce(f, atStep):
            guard step == atStep else { return 1 }
            factor = f
        }
        Self.scale(parameters, over: ranges, by: factor)
        return factor
    }

    /// sqrt of the sum of squares over `ranges`, accumulated in Double in index order (a fixed
    /// order: a resumed run repeats it bit for bit).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func norm(of parameters: UnsafeMutableBufferPointer<T>, over ranges: [Range<Int>]) -> Double {
        var sum = 0.0
        for r in ranges {
            for i in r { let v = Double(parameters[i]); sum += v * v }
        }
        return sum.squareRoot()
    }

    /// Multiplies every element in `ranges` by `factor` (rounded once to T).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func scale(_ parameters: UnsafeMutableBufferPointer<T>, over ranges: [Range<Int>], by factor: Double) {
        let f = T(factor)
        for r in ranges {
            for i in r { parameters[i] *= f }
        }
    }
}
