import GrokCore

/// torch.optim.SGD (dampening 0, no Nesterov), with PyTorch's operation order:
///   g' = g + wd*p                       grad.add(p, alpha=wd), coupled L2 (skipped when wd = 0)
///   momentum > 0: buf = g' at the first step, else buf = buf*mu + g';  g' = buf
///   p = p + (-lr)*g'
public final class SGD<T: BLASScalar>: Optimizer {
    public typealias Scalar = T
    public let count: Int
    public var lr: Double
    public let momentum: Double
    public var weightDecay: Double
    public private(set) var stepCount = 0
    /// Threads for the update loop (1 = calling thread). Any value gives identical results.
    public var threads = 1
    let buffer: UnsafeMutableBufferPointer<T>   // momentum_buffer (unused when momentum = 0)

    public init(count: Int, lr: Double, momentum: Double, weightDecay: Double) {
        self.count = count
        self.lr = lr
        self.momentum = momentum
        self.weightDecay = weightDecay
        buffer = .allocate(capacity: momentum != 0 ? count : 0)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func step(parameters: UnsafeMutableBufferPointer<T>, gradients: UnsafeBufferPointer<T>) {
        precondition(parameters.count == count && gradients.count == count, "SGD: buffer size mismatch")
        let first = stepCount == 0
        stepCount += 1
        let wd = T(weightDecay), mu = T(momentum), negLr = T(-lr)
        let decay = weightDecay != 0, useMomentum = momentum != 0
        let p = parameters.baseAddress!, g = gradients.baseAddress!, b = buffer.baseAddress
        forEachChunk(count: count, threads: threads) { r in
            switch (useMomentum, first) {
            case (false, _):
                for i in r {
                    let gi = decay ? g[i] + wd * p[i] : g[i]
                    p[i] = p[i] + negLr * gi
                }
            case (true, true):
                for i in r {
                    let gi = decay ? g[i] + wd * p[i] : g[i]
                    b![i] = gi
                    p[i] = p[i] + negLr * gi
                }
            case (true, false):
                for i in r {
                    let gi = decay ? g[i] + wd * p[i] : g[i]
                    let bi = b![i] * mu + gi
                    b![i] = bi
                    p[i] = p[i] + negLr * bi
                }
            }
        }
    }

    public func stateBuffers() -> [(name: String, values: [T])] {
        momentum != 0 ? [("momentum_buffer", Array(buffer))] : []
    }

    public func restore(stepCount: Int, buffers: [String: [T]]) throws {
        guard stepCount >= 0 else { throw GrokError("SGD state: negative step count \(stepCount)") }
        if momentum != 0, stepCount > 0 {
            try restoreBuffer("momentum_buffer", optimizer: "SGD", from: buffers, into: buffer)
        }
        self.stepCount = stepCount
    }
}
