import GrokCore
import Linalg

/// A fully connected ReLU network in the spirit of llm.c: parameters and gradients are two
/// flat buffers (layout in MLPShape), every activation buffer is allocated once at init, and
/// a step is forward GEMMs + fused epilogues, a fused loss head, then backward GEMMs + fused
/// ReLU/bias-gradient passes. Nothing allocates after init (evaluation lazily allocates its
/// own larger workspace once).
///
/// Shapes, for layer l with nIn = widths[l], nOut = widths[l+1] and B rows:
///   x_l [B, nIn] (x_0 = inputs, x_l = outputs[l-1]),  W_l [nOut, nIn],  b_l [nOut]
///   forward:  outputs[l] = relu(x_l W_l^T + b_l)   (no relu on the last layer: logits)
///   backward: deltas[l] = dLoss/d(pre-activation of layer l) [B, nOut]
///             dW_l = deltas[l]^T x_l,  db_l = column sums of deltas[l]
///             deltas[l-1] = (deltas[l] W_l) * [outputs[l-1] > 0]
///
/// The public entry points carry @_specialize for Float and Double: the specialized bodies
/// are compiled here, with this module's -Ounchecked/native flags, and callers in any module
/// reach them through the generic entry point's type check.
public final class MLP<T: BLASScalar> {
    public let shape: MLPShape
    public let maxBatch: Int
    public let parameters: UnsafeMutableBufferPointer<T>
    public let gradients: UnsafeMutableBufferPointer<T>

    /// Rows per chunk in evaluate(): big enough that the GEMMs run at full speed, small
    /// enough that a chunk's activations stay in L2.
    public static var evaluationChunk: Int { 1000 }

    let widths: [Int]
    let outputs: [UnsafeMutableBufferPointer<T>]       // per layer, maxBatch rows
    let deltas: [UnsafeMutableBufferPointer<T>]        // per layer, maxBatch rows
    var evalOutputs: [UnsafeMutableBufferPointer<T>] = []  // per layer, evaluationChunk rows (lazy)
    var benchmarkInput: UnsafeMutableBufferPointer<T>? // zeros, for gemmOnlyStep (lazy)

    public init(shape: MLPShape, maxBatch: Int) {
        precondition(maxBatch > 0, "MLP maxBatch must be positive")
        self.shape = shape
        self.maxBatch = maxBatch
        self.widths = shape.widths
        parameters = allocateZeroed(shape.parameterCount)
        gradients = allocateZeroed(shape.parameterCount)
        outputs = (0..<shape.layerCount).map { allocateZeroed(maxBatch * shape.widths[$0 + 1]) }
        deltas = (0..<shape.layerCount).map { allocateZeroed(maxBatch * shape.widths[$0 + 1]) }
    }

    deinit {
        deallocate(parameters)
        deallocate(gradients)
        for b in outputs + deltas + evalOutputs { deallocate(b) }
        benchmarkInput.map { deallocate($0) }
    }

    @inline(__always) func weights(_ l: Int) -> UnsafeMutablePointer<T> { parameters.baseAddress! + shape.offsets[l] }
    @inline(__always) func bias(_ l: Int) -> UnsafeMutablePointer<T> { weights(l) + widths[l + 1] * widths[l] }
    @inline(__always) func weightGradient(_ l: Int) -> UnsafeMutablePointer<T> { gradients.baseAddress! + shape.offsets[l] }
    @inline(__always) func biasGradient(_ l: Int) -> UnsafeMutablePointer<T> { weightGradient(l) + widths[l + 1] * widths[l] }

    // MARK: initialization

    /// PyTorch nn.Linear default init (kaiming_uniform(a=sqrt 5) for weights, which is
    /// U(+-1/sqrt(fan_in)), and U(+-1/sqrt(fan_in)) for biases), then every parameter times
    /// `scale` (the grokking recipe's large-init knob). Draw order: per layer, all weights
    /// row-major, then its biases.
    public func initialize(scale: Double, rng: inout SeededRandom) {
        for l in 0..<shape.layerCount {
            let bound = 1 / Double(widths[l]).squareRoot()
            for i in shape.weightRange(l).lowerBound..<shape.biasRange(l).upperBound {
                parameters[i] = T((2 * rng.nextUnit() - 1) * bound * scale)
            }
        }
    }

    // MARK: forward

    /// Runs the layers on `batch` rows of `inputs` into `outs`; returns the logits pointer.
    @inline(__always)
    func forwardPass(_ inputs: UnsafePointer<T>, batch: Int, into outs: [UnsafeMutableBufferPointer<T>]) -> UnsafeMutablePointer<T> {
        var x = inputs
        let last = shape.layerCount - 1
        for l in 0...last {
            let nIn = widths[l], nOut = widths[l + 1]
            let z = outs[l].baseAddress!
            T.gemm(transA: false, transB: true, m: batch, n: nOut, k: nIn,
                   alpha: 1, a: x, lda: nIn, b: weights(l), ldb: nIn, beta: 0, c: z, ldc: nOut)
            if l < last {
                addBiasReLU(z, bias: bias(l), rows: batch, cols: nOut)
            } else {
                addBias(z, bias: bias(l), rows: batch, cols: nOut)
            }
            x = UnsafePointer(z)
        }
        return outs[last].baseAddress!
    }

    /// Logits of `batch` rows (batch <= maxBatch), valid until the next call on this model.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(inputs: UnsafePointer<T>, batch: Int) -> UnsafeBufferPointer<T> {
        precondition(batch > 0 && batch <= maxBatch, "MLP.forward: batch \(batch) not in 1...\(maxBatch)")
        let logits = forwardPass(inputs, batch: batch, into: outputs)
        return UnsafeBufferPointer(start: logits, count: batch * widths[shape.layerCount])
    }

    // MARK: training step

    /// Forward, loss, backward on one batch. Overwrites `gradients` with d(mean loss)/d(params)
    /// and returns the mean loss. MSE = mean over batch x classes of (out - onehot)^2 (as
    /// torch.nn.MSELoss on one-hot targets); CE = mean over batch of cross-entropy.
    /// Labels must be in 0..<classes (the dataset loader checks them).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func trainStep(inputs: UnsafePointer<T>, labels: UnsafePointer<Int32>, batch: Int, loss: Loss) -> Double {
        precondition(batch > 0 && batch <= maxBatch, "MLP.trainStep: batch \(batch) not in 1...\(maxBatch)")
        let last = shape.layerCount - 1
        let classes = widths[last + 1]
        let logits = forwardPass(inputs, batch: batch, into: outputs)

        // Loss head: mean loss and dLoss/dlogits in one pass.
        let meanDivisor = loss == .mse ? batch * classes : batch
        let sum = lossSum(loss, logits: logits, labels: labels, rows: batch, cols: classes,
                          gradient: deltas[last].baseAddress!, gradScale: 1 / T(meanDivisor))
        columnSums(deltas[last].baseAddress!, rows: batch, cols: classes, into: biasGradient(last))

        // Backward, last layer first.
        for l in stride(from: last, through: 0, by: -1) {
            let nIn = widths[l], nOut = widths[l + 1]
            let d = deltas[l].baseAddress!
            let x = l == 0 ? inputs : UnsafePointer(outputs[l - 1].baseAddress!)
            T.gemm(transA: true, transB: false, m: nOut, n: nIn, k: batch,
                   alpha: 1, a: d, lda: nOut, b: x, ldb: nIn, beta: 0, c: weightGradient(l), ldc: nIn)
            if l > 0 {
                let dPrev = deltas[l - 1].baseAddress!
                T.gemm(transA: false, transB: false, m: batch, n: nIn, k: nOut,
                       alpha: 1, a: d, lda: nOut, b: weights(l), ldb: nIn, beta: 0, c: dPrev, ldc: nIn)
                reluBackward(dPrev, activations: outputs[l - 1].baseAddress!, rows: batch, cols: nIn,
                             biasGradient: biasGradient(l - 1))
            }
        }
        return sum / Double(meanDivisor)
    }

    /// Exactly the GEMMs of trainStep (forward, weight gradients, input gradients except the
    /// first layer's) on the model's own buffers and a zero input, without the elementwise
    /// work: the benchmark's floor. Leaves activations/gradients meaningless.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gemmOnlyStep(batch: Int) {
        precondition(batch > 0 && batch <= maxBatch, "MLP.gemmOnlyStep: batch \(batch) not in 1...\(maxBatch)")
        if benchmarkInput == nil { benchmarkInput = allocateZeroed(maxBatch * widths[0]) }
        let inputs = UnsafePointer(benchmarkInput!.baseAddress!)
        let last = shape.layerCount - 1
        var x = inputs
        for l in 0...last {
            let nIn = widths[l], nOut = widths[l + 1]
            T.gemm(transA: false, transB: true, m: batch, n: nOut, k: nIn,
                   alpha: 1, a: x, lda: nIn, b: weights(l), ldb: nIn, beta: 0, c: outputs[l].baseAddress!, ldc: nOut)
            x = UnsafePointer(outputs[l].baseAddress!)
        }
        for l in stride(from: last, through: 0, by: -1) {
            let nIn = widths[l], nOut = widths[l + 1]
            let d = deltas[l].baseAddress!
            let x = l == 0 ? inputs : UnsafePointer(outputs[l - 1].baseAddress!)
            T.gemm(transA: true, transB: false, m: nOut, n: nIn, k: batch,
                   alpha: 1, a: d, lda: nOut, b: x, ldb: nIn, beta: 0, c: weightGradient(l), ldc: nIn)
            if l > 0 {
                T.gemm(transA: false, transB: false, m: batch, n: nIn, k: nOut,
                       alpha: 1, a: d, lda: nOut, b: weights(l), ldb: nIn, beta: 0, c: deltas[l - 1].baseAddress!, ldc: nIn)
            }
        }
    }

    // MARK: evaluation

    /// Mean loss (same definition as trainStep, over all `count` rows) and accuracy
    /// (argmax == label) over a whole set, in chunks of `evaluationChunk` rows through a
    /// workspace allocated on the first call. Leaves the training buffers untouched.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func evaluate(inputs: UnsafePointer<T>, labels: UnsafePointer<Int32>, count: Int, loss: Loss) -> (loss: Double, accuracy: Double) {
        guard count > 0 else { return (.nan, .nan) }
        let chunk = Self.evaluationChunk
        if evalOutputs.isEmpty {
            evalOutputs = (0..<shape.layerCount).map { allocateZeroed(chunk * widths[$0 + 1]) }
        }
        let nIn = widths[0], classes = widths[shape.layerCount]
        var sum = 0.0
        var correct = 0
        var start = 0
        while start < count {
            let rows = min(chunk, count - start)
            let logits = forwardPass(inputs + start * nIn, batch: rows, into: evalOutputs)
            sum += lossSum(loss, logits: logits, labels: labels + start, rows: rows, cols: classes,
                           gradient: nil, gradScale: 1)
            correct += correctCount(logits: logits, labels: labels + start, rows: rows, cols: classes)
            start += rows
        }
        let divisor = loss == .mse ? Double(count) * Double(classes) : Double(count)
        return (sum / divisor, Double(correct) / Double(count))
    }

    // MARK: norms

    /// L2 norms (accumulated in Double, in index order: deterministic): all parameters,
    /// weight matrices only, and each layer's weight + bias.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func norms() -> (total: Double, weights: Double, perLayer: [Double]) {
        func sumOfSquares(_ r: Range<Int>) -> Double {
            var s = 0.0
            for i in r { let v = Double(parameters[i]); s += v * v }
            return s
        }
        var total = 0.0, weightSum = 0.0
        var perLayer: [Double] = []
        for l in 0..<shape.layerCount {
            let w = sumOfSquares(shape.weightRange(l)), b = sumOfSquares(shape.biasRange(l))
            total += w + b
            weightSum += w
            perLayer.append((w + b).squareRoot())
        }
        return (total.squareRoot(), weightSum.squareRoot(), perLayer)
    }
}
