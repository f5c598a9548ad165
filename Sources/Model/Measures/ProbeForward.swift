import GrokCore

/// The forward pass of the MLP on the probe batch, over the flat parameter layout of
/// `MLPShape` (fc1.weight [out, in] row-major, fc1.bias, fc2.weight, ...), in float64.
///
/// Self-contained on purpose: the measures run on float64 copies of the weights (whatever
/// the training precision), on perturbed copies for circuit complexity, and never touch the
/// trainer's model or its buffers. Hidden layers are ReLU, the output layer is linear.
public struct ProbeForward {
    public let shape: MLPShape
    public let count: Int
    /// Post-activation outputs of every layer, one after the other, each `count x
    /// widths[l + 1]` row-major (the last one: the logits). Allocated once, reused.
    public private(set) var storage: [Double]
    let offsets: [Int]

    public init(shape: MLPShape, count: Int) {
        self.shape = shape
        self.count = count
        var offsets = [0]
        for l in 0..<shape.layerCount { offsets.append(offsets[l] + count * shape.widths[l + 1]) }
        self.offsets = offsets
        storage = [Double](repeating: 0, count: offsets[shape.layerCount])
    }

    /// Runs the network on `inputs` (`count x widths[0]` row-major) with `parameters`.
    public mutating func run(parameters: UnsafeBufferPointer<Double>, inputs: UnsafeBufferPointer<Double>) {
        precondition(parameters.count >= shape.parameterCount && inputs.count >= count * shape.widths[0],
                     "ProbeForward: buffers smaller than the shape")
        let layers = shape.layerCount, count = self.count, shape = self.shape, offsets = self.offsets
        storage.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for l in 0..<layers {
                let fanIn = shape.widths[l], fanOut = shape.widths[l + 1]
                let w = parameters.baseAddress! + shape.weightRange(l).lowerBound
                let b = parameters.baseAddress! + shape.biasRange(l).lowerBound
                let input = l == 0 ? inputs.baseAddress! : UnsafePointer(base + offsets[l - 1])
                let out = base + offsets[l]
                for r in 0..<count { (out + r * fanOut).update(from: b, count: fanOut) }
                // out = input * W^T + bias
                Double.gemm(transA: false, transB: true, m: count, n: fanOut, k: fanIn,
                            alpha: 1, a: input, lda: fanIn, b: w, ldb: fanIn, beta: 1, c: out, ldc: fanOut)
                if l < layers - 1 { for i in 0..<(count * fanOut) where out[i] < 0 { out[i] = 0 } }
            }
        }
    }

    /// Layer `l`'s output of the last `run` (after ReLU for hidden layers).
    public func output(_ l: Int) -> ArraySlice<Double> { storage[offsets[l]..<offsets[l + 1]] }

    /// The logits of the last `run` (`count x widths.last`).
    public var logits: ArraySlice<Double> { output(shape.layerCount - 1) }
}
