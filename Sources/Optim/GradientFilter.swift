import GrokCore

/// Grokfast (Lee et al. 2024, arXiv 2405.20233): between backward and the optimizer step,
/// amplify the slow part of every gradient, g <- g + lambda * average(g). The slow part is
/// either an exponential moving average or the mean of the last `window` gradients; a
/// grokking run's useful signal is the slow drift toward the generalizing solution, the fast
/// part is the memorizing noise around it.
///
/// Element-wise over the flat gradient buffer, so the model's storage order does not matter and
/// any thread count gives the same bits. All state is allocated up front: no allocation per step.
public final class GradientFilter<T: BLASScalar> {
    public enum Rule: Equatable, Sendable {
        /// ema <- alpha * ema + (1 - alpha) * g (ema starts at the first gradient);
        /// g <- g + lambda * ema.
        case ema(alpha: Double, lambda: Double)
        /// The mean of the last `window` gradients, the current one included; g <- g + lambda *
        /// mean, only once `window` gradients have been seen (until then g is left alone).
        case movingAverage(window: Int, lambda: Double)
    }

    public let rule: Rule
    public let count: Int
    /// Gradients seen so far (checkpointed: the moving average's ring position follows from it).
    public private(set) var filteredSteps = 0
    /// Threads for the element-wise loops (1 = calling thread). Any value gives identical results.
    public var threads = 1
    /// EMA: the average. Moving average: the running sum of the ring's gradients.
    let average: UnsafeMutableBufferPointer<T>
    /// Moving average only: `window` slots of `count` gradients, slot k = gradient k mod window.
    let ring: UnsafeMutableBufferPointer<T>

    public init(rule: Rule, count: Int) {
        self.rule = rule
        self.count = count
        average = .allocate(capacity: count); average.initialize(repeating: 0)
        if case let .movingAverage(window, _) = rule {
            ring = .allocate(capacity: window * count); ring.initialize(repeating: 0)
        } else {
            ring = .allocate(capacity: 0)
        }
    }

    deinit { average.deallocate(); ring.deallocate() }

    /// Filters `gradients` in place (same count as the filter).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func apply(to gradients: UnsafeMutableBufferPointer<T>) {
        precondition(gradients.count == count, "GradientFilter: buffer size mismatch")
        let g = gradients.baseAddress!, avg = average.baseAddress!
        let first = filteredSteps == 0
        filteredSteps += 1
        switch rule {
        case let .ema(alpha, lambda):
            let a = T(alpha), oneMinusA = T(1 - alpha), lam = T(lambda)
            forEachChunk(count: count, threads: threads) { r in
                if first { for i in r { avg[i] = g[i] } }
                for i in r {
                    let e = avg[i] * a + g[i] * oneMinusA
                    avg[i] = e
                    g[i] = g[i] + e * lam
                }
            }
        case let .movingAverage(window, lambda):
            let slot = (filteredSteps - 1) % window
            let full = filteredSteps >= window, replacing = filteredSteps > window
            let lam = T(lambda), w = T(window)
            let ring = self.ring.baseAddress!, count = self.count
            let newest = ring + slot * count
            forEachChunk(count: count, threads: threads) { r in
                for i in r {
                    let old = replacing ? newest[i] : 0
                    newest[i] = g[i]
                    avg[i] = (avg[i] - old) + g[i]
                }
                // Once per pass over the ring, the running sum is recomputed from the slots in
                // slot order, so rounding never accumulates over a long run.
                if slot == window - 1 {
                    for i in r {
                        var s: T = 0
                        for k in 0..<window { s += ring[k * count + i] }
                        avg[i] = s
                    }
                }
                if full { for i in r { g[i] = g[i] + (avg[i] / w) * lam } }
            }
        }
    }

    /// The state a checkpoint needs, per-parameter buffers of `count` values each: "ema", or
    /// "sum" and "slot.K" (K = 0 ..< window) for the moving average.
    public func stateBuffers() -> [(name: String, values: [T])] {
        switch rule {
        case .ema: return [("ema", Array(average))]
        case let .movingAverage(window, _):
            return [("sum", Array(average))]
                + (0..<window).map { k in ("slot.\(k)", Array(ring[(k * count)..<((k + 1) * count)])) }
        }
    }

    /// Restores state saved by `stateBuffers()` after `filteredSteps` filtered gradients; a
    /// GrokError names a missing or wrong-size buffer.
    public func restore(filteredSteps: Int, buffers: [String: [T]]) throws {
        guard filteredSteps >= 0 else { throw GrokError("Grokfast state: negative step count \(filteredSteps)") }
        if filteredSteps > 0 {
            switch rule {
            case .ema:
                try restoreBuffer("ema", optimizer: "Grokfast", from: buffers, into: average)
            case let .movingAverage(window, _):
                try restoreBuffer("sum", optimizer: "Grokfast", from: buffers, into: average)
                for k in 0..<window {
                    try restoreBuffer("slot.\(k)", optimizer: "Grokfast", from: buffers,
                                      into: UnsafeMutableBufferPointer(rebasing: ring[(k * count)..<((k + 1) * count)]))
                }
            }
        }
        self.filteredSteps = filteredSteps
    }
}
