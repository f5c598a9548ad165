import GrokCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// torch.optim.AdamW (amsgrad off, maximize off), with PyTorch's operation order:
///   t += 1
///   p = p * (1 - lr*wd)                              decoupled decay, on every parameter
///   m = m + (1-b1) * (g - m)                         exp_avg.lerp_(g, 1-b1) (fused multiply-add,
///                                                    as ATen's vectorized lerp; 1-b1 < 0.5)
///   v = v*b2 + ((1-b2)*g)*g                          exp_avg_sq.mul_(b2).addcmul_(g, g, 1-b2)
///   denom = sqrt(v) / sqrt(1 - b2^t) + eps
///   p = p + ((-lr / (1 - b1^t)) * m) / denom         addcdiv_(m, denom, value=-step_size)
/// Scalars are formed in Double (Python floats) and rounded to the parameter type once.
public final class AdamW<T: BLASScalar>: Optimizer {
    public typealias Scalar = T
    public let count: Int
    public var lr: Double
    public var weightDecay: Double
    public let beta1: Double, beta2: Double, eps: Double
    public private(set) var stepCount = 0
    /// Threads for the update loop (1 = calling thread). Any value gives identical results.
    public var threads = 1
    /// The index ranges weight decay applies to (sorted, disjoint); nil = every parameter, as
    /// torch.optim.AdamW on model.parameters(). arXiv 2606.13753 decays the weight matrices only
    /// (parameter groups with weight_decay 0 for the biases).
    public var decayRanges: [Range<Int>]? = nil
    /// Parameters whose gradient is zero at every step (kept sorted and merged), named by the caller
    /// that knows it: the first layer's weights of inputs that are zero in every training example.
    /// Their moments stay exactly +0, and then the update's result is p * decay exactly
    /// (p * decay + (-step size * 0) / (sqrt(0) + eps) adds -0), so they skip the square root
    /// and the division that bound the update, and with no weight decay they are not touched.
    /// Each step first checks that their gradient really is ±0 (a read of the gradient only);
    /// the first time it is not, or when a moment is not +0 or eps <= 0 (where 0/0 would make
    /// them NaN), they go through the full update from then on.
    public var silentRanges: [Range<Int>] = [] {
        didSet {
            // Sorted and merged, whatever the caller gave: the update walks them in order.
            var merged: [Range<Int>] = []
            for r in silentRanges.filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = merged.last, r.lowerBound <= last.upperBound {
                    merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
                } else {
                    merged.append(r)
                }
            }
            if merged != silentRanges { silentRanges = merged }
            silentChecked = false
        }
    }
    /// Whether `silentRanges` may be skipped: checked (moments +0, the bits the update keeps
    /// there; eps > 0) at the first step after they are set or the state is restored.
    var silentUsable = false, silentChecked = false
    /// Whether the last step left `silentRanges` out of the full update.
    public private(set) var skippedSilentRanges = false
    let m: UnsafeMutableBufferPointer<T>
    let v: UnsafeMutableBufferPointer<T>

    public init(count: Int, lr: Double, weightDecay: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8) {
        self.count = count
        self.lr = lr
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        m = .allocate(capacity: count); m.initialize(repeating: 0)
        v = .allocate(capacity: count); v.initialize(repeating: 0)
    }

    deinit { m.deallocate(); v.deallocate() }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func step(parameters: UnsafeMutableBufferPointer<T>, gradients: UnsafeBufferPointer<T>) {
        precondition(parameters.count == count && gradients.count == count, "AdamW: buffer size mismatch")
        stepCount += 1
        let t = Double(stepCount)
        let decay = T(1 - lr * weightDecay)
        let w1 = T(1 - beta1)
        let b1 = T(beta1)
        let lerpSmall = abs(1 - beta1) < 0.5
        let b2 = T(beta2), oneMinusB2 = T(1 - beta2)
        let bc2Sqrt = T((1 - pow(beta2, t)).squareRoot())
        let negStepSize = T(-lr / (1 - pow(beta1, t)))
        let epsT = T(eps)
        let p = parameters.baseAddress!, g = gradients.baseAddress!
        let m = self.m.baseAddress!, v = self.v.baseAddress!
        func full(_ r: Range<Int>, decay: T) {
            adamWUpdate(p + r.lowerBound, g + r.lowerBound, m + r.lowerBound, v + r.lowerBound, count: r.count,
                        decay: decay, lerpWeight: lerpSmall ? w1 : -b1, lerpSmall: lerpSmall, beta2: b2,
                        oneMinusBeta2: oneMinusB2, bc2Sqrt: bc2Sqrt, negStepSize: negStepSize, eps: epsT)
        }
        let silent = silentRangesUsable(gradients: g)
        skippedSilentRanges = !silent.isEmpty
        func update(_ r: Range<Int>, decay: T) {
            guard !silent.isEmpty else { return full(r, decay: decay) }
            // Element-wise, so splitting around the silent ranges changes no value.
            var start = r.lowerBound
            for quiet in silent where quiet.overlaps(r) {
                let inside = quiet.clamped(to: r)
                if inside.lowerBound > start { full(start..<inside.lowerBound, decay: decay) }
                if decay != 1 { scale(p + inside.lowerBound, count: inside.count, by: decay) }
                start = inside.upperBound
            }
            if start < r.upperBound { full(start..<r.upperBound, decay: decay) }
        }
        guard let decayRanges else {
            forEachChunk(count: count, threads: threads) { update($0, decay: decay) }
            return
        }
        // Element-wise, so segment by segment gives the same values as one pass.
        var start = 0
        for r in decayRanges {
            if r.lowerBound > start { update(start..<r.lowerBound, decay: 1) }
            update(r, decay: decay)
            start = r.upperBound
        }
        if start < count { update(start..<count, decay: 1) }
    }

    /// `silentRanges` if they may be skipped this step, else none (see there).
    func silentRangesUsable(gradients g: UnsafePointer<T>) -> [Range<Int>] {
        guard !silentRanges.isEmpty else { return [] }
        if !silentChecked {
            silentChecked = true
            silentUsable = eps > 0 && silentRanges.allSatisfy { r in
                r.lowerBound >= 0 && r.upperBound <= count && r.allSatisfy { isPlusZero(m[$0]) && isPlusZero(v[$0]) }
            }
        }
        guard silentUsable else { return [] }
        for r in silentRanges where !allZero(g + r.lowerBound, count: r.count) {
            silentUsable = false
            return []
        }
        return silentRanges
    }

    public func stateBuffers() -> [(name: String, values: [T])] {
        [("exp_avg", Array(m)), ("exp_avg_sq", Array(v))]
    }

    public func restore(stepCount: Int, buffers: [String: [T]]) throws {
        guard stepCount >= 0 else { throw GrokError("AdamW state: negative step count \(stepCount)") }
        try restoreBuffer("exp_avg", optimizer: "AdamW", from: buffers, into: m)
        try restoreBuffer("exp_avg_sq", optimizer: "AdamW", from: buffers, into: v)
        silentChecked = false
        self.stepCount = stepCount
    }
}

/// p[i] *= factor: the update of a parameter with zero gradient and zero moments.
@inline(never)
func scale<T: BLASScalar>(_ p: UnsafeMutablePointer<T>, count: Int, by factor: T) {
    for i in 0..<count { p[i] = p[i] * factor }
}

/// Whether all `count` values are ±0, read as bit patterns with the sign cleared (one OR
/// reduction, vectorized; a NaN or any other value is not zero).
@inline(never)
func allZero<T: BLASScalar>(_ a: UnsafePointer<T>, count: Int) -> Bool {
    if MemoryLayout<T>.size == 4 {
        let bits = UnsafeRawPointer(a).assumingMemoryBound(to: UInt32.self)
        var any: UInt32 = 0
        for i in 0..<count { any |= bits[i] & 0x7fff_ffff }
        return any == 0
    }
    let bits = UnsafeRawPointer(a).assumingMemoryBound(to: UInt64.self)
    var any: UInt64 = 0
    for i in 0..<count { any |= bits[i] & 0x7fff_ffff_ffff_ffff }
    return any == 0
}

/// The whole AdamW update for `count` elements in one vectorizable pass. Its cost is the
/// square root and two divisions per element, not memory: once 1 - beta2^t rounds to 1 (after
/// about 17k steps in f32, 36k in f64, so for all but the start of a long run) the division by
/// its square root is a division by exactly 1 and is left out, which changes no bit.
@inline(never)
func adamWUpdate<T: BLASScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>,
                                _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>, count: Int,
                                decay: T, lerpWeight: T, lerpSmall: Bool, beta2: T, oneMinusBeta2: T,
                                bc2Sqrt: T, negStepSize: T, eps: T) {
    func pass(lerpSmall: Bool, corrected: Bool) {
        adamWPass(p, g, m, v, count: count, decay: decay, lerpWeight: lerpWeight, lerpSmall: lerpSmall,
                  beta2: beta2, oneMinusBeta2: oneMinusBeta2, bc2Sqrt: bc2Sqrt, corrected: corrected,
                  negStepSize: negStepSize, eps: eps)
    }
    // Each call with constant flags, so each is its own branch-free loop.
    switch (lerpSmall, bc2Sqrt == 1) {
    case (true, true): pass(lerpSmall: true, corrected: false)
    case (true, false): pass(lerpSmall: true, corrected: true)
    case (false, true): pass(lerpSmall: false, corrected: false)
    case (false, false): pass(lerpSmall: false, corrected: true)
    }
}

@inline(__always)
func adamWPass<T: BLASScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>,
                              _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>, count: Int,
                              decay: T, lerpWeight: T, lerpSmall: Bool, beta2: T, oneMinusBeta2: T,
                              bc2Sqrt: T, corrected: Bool, negStepSize: T, eps: T) {
    for i in 0..<count {
        let gi = g[i]
        // lerp(m, g, w): m + w * (g - m) for w < 0.5; else g - (g - m) * (1 - w), with
        // lerpWeight = w - 1 = -b1.
        let mi = lerpSmall ? m[i].addingProduct(lerpWeight, gi - m[i]) : gi.addingProduct(lerpWeight, gi - m[i])
        let vi = v[i] * beta2 + oneMinusBeta2 * gi * gi
        let root = vi.squareRoot()
        let denom = (corrected ? root / bc2Sqrt : root) + eps
        p[i] = p[i] * decay + negStepSize * mi / denom
        m[i] = mi
        v[i] = vi
    }
}

@inline(__always)
func isPlusZero<T: BinaryFloatingPoint>(_ x: T) -> Bool { x == 0 && x.sign == .plus }
