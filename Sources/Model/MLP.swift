import GrokCore

/// A fully connected ReLU network in the spirit of llm.c: parameters and gradients are two
/// flat buffers, every activation buffer is allocated once at init, and each layer is a
/// forward/backward pair (MLPLayers.swift) that the training loop calls in order. Nothing
/// allocates after init (evaluation lazily allocates its own larger workspace once).
///
/// Shapes, for layer l with nIn = widths[l], nOut = widths[l+1] and B rows:
///   x_l [B, nIn] (x_0 = inputs, x_l = outputs[l-1]),  W_l stored as W_l^T [nIn, nOut],  b_l [nOut]
///   forward:  outputs[l] = relu(x_l W_l^T + b_l)   (no relu on the last layer: logits)
///   backward: deltas[l] = dLoss/d(pre-activation of layer l) [B, nOut]
///             dW_l^T = x_l^T deltas[l],  db_l = column sums of deltas[l]
///             deltas[l-1] = (deltas[l] W_l) * [outputs[l-1] > 0]
///
/// `parameters` and `gradients` are in storage layout (weights input-major, see MLPShape);
/// `fileParameters()` gives PyTorch's layout for files and observers.
///
/// With `.sparse` kernels every product walks only the non-zeros of its input: the pixels of
/// layer 1 (~80% are exact zeros), the active ReLU units of the hidden layers (50-88% are off);
/// the input gradient is computed only where the unit was active. `.dense` runs the same pairs
/// through BLAS GEMMs: the reference the sparse path is tested against.
///
/// The public entry points carry @_specialize for Float and Double: the specialized bodies
/// are compiled here, with this module's -Ounchecked/native flags.
public final class MLP<T: BLASScalar> {
    public let shape: MLPShape
    public let maxBatch: Int
    public let kernels: KernelChoice
    /// Threads for the sparse kernels (rows split into fixed contiguous ranges: a run is
    /// bit-identical for a given count). The dense path's threads are BLAS's.
    public var threads: Int = 1
    /// Which sparsity sparse layers' backward uses. Both ways give the same bits, so this only
    /// moves time; `.automatic` picks per step and product (tests and the bench force one).
    public var backwardSparsity: BackwardSparsity = .automatic
    public let parameters: UnsafeMutableBufferPointer<T>
    public let gradients: UnsafeMutableBufferPointer<T>

    /// Rows per chunk in evaluate(): the training batch's size, the shape the sparse kernels
    /// are blocked for: a chunk's output tiles (200 rows x 416 bytes) stay in L2 while the
    /// weight blocks stream past. Measured on the 4,000 test images (trained weights, CPU
    /// time): f64 sparse 33-35 ms in chunks of 1,000, 23-24 ms in chunks of 200; dense equal.
    public static var evaluationChunk: Int { 200 }

    let widths: [Int]
    var last: Int { shape.layerCount - 1 }
    let workspace: Workspace<T>             // maxBatch rows: the training step
    var evalWorkspace: Workspace<T>?        // evaluationChunk rows (lazy)
    var benchmarkInput: UnsafeMutableBufferPointer<T>? // zeros, for gemmOnlyStep (lazy)

    public init(shape: MLPShape, maxBatch: Int, kernels: KernelChoice = .sparse) {
        precondition(maxBatch > 0, "MLP maxBatch must be positive")
        self.shape = shape
        self.maxBatch = maxBatch
        self.kernels = kernels
        self.widths = shape.widths
        parameters = allocateZeroed(shape.parameterCount)
        gradients = allocateZeroed(shape.parameterCount)
        workspace = Workspace(widths: shape.widths, rows: maxBatch)
    }

    deinit {
        deallocate(parameters)
        deallocate(gradients)
        benchmarkInput.map { deallocate($0) }
    }

    @inline(__always) func weights(_ l: Int) -> UnsafeMutablePointer<T> { parameters.baseAddress! + shape.offsets[l] }
    @inline(__always) func bias(_ l: Int) -> UnsafeMutablePointer<T> { weights(l) + widths[l + 1] * widths[l] }
    @inline(__always) func weightGradient(_ l: Int) -> UnsafeMutablePointer<T> { gradients.baseAddress! + shape.offsets[l] }
    @inline(__always) func biasGradient(_ l: Int) -> UnsafeMutablePointer<T> { weightGradient(l) + widths[l + 1] * widths[l] }

    /// The parameters whose gradient is zero for every batch drawn from these input rows
    /// ([rows, widths[0]], row-major): the first layer's weights of the inputs that are zero (±0) in all of
    /// them (MNIST's border pixels), as sorted, disjoint ranges of `parameters`. Their gradient is
    /// a sum of products with those zeros, on every kernel path.
    public func silentParameterRanges(inputs: [T]) -> [Range<Int>] {
        let nIn = widths[0], nOut = widths[1]
        var ever = [Bool](repeating: false, count: nIn)
        for (i, x) in inputs.enumerated() where x != 0 { ever[i % nIn] = true }   // NaN != 0 too
        var ranges: [Range<Int>] = []
        let base = shape.offsets[0]   // W_1 stored input-major: input k's weights are one row
        for k in 0..<nIn where !ever[k] {
            let row = (base + k * nOut)..<(base + (k + 1) * nOut)
            if let last = ranges.last, last.upperBound == row.lowerBound {
                ranges[ranges.count - 1] = last.lowerBound..<row.upperBound
            } else {
                ranges.append(row)
            }
        }
        return ranges
    }

    // MARK: initialization and layout

    /// PyTorch nn.Linear default init (kaiming_uniform(a=sqrt 5) for weights, which is
    /// U(+-1/sqrt(fan_in)), and U(+-1/sqrt(fan_in)) for biases), then every parameter times
    /// `scale` (the grokking recipe's large-init knob). Draw order: per layer, all weights
    /// row-major in PyTorch's [out, in] layout, then its biases.
    public func initialize(scale: Double, rng: inout SeededRandom) {
        for l in 0..<shape.layerCount {
            let bound = 1 / Double(widths[l]).squareRoot()
            for i in shape.weightRange(l).lowerBound..<shape.biasRange(l).upperBound {
                parameters[shape.storageIndex(ofFileIndex: i)] = T((2 * rng.nextUnit() - 1) * bound * scale)
            }
        }
    }

    /// The parameters in PyTorch's layout (fc1.weight [out, in], fc1.bias, ...), converted.
    public func fileParameters<U>(as convert: (T) -> U) -> [U] {
        shape.fileLayout(fromStorage: UnsafeBufferPointer(parameters), as: convert)
    }
    public func fileParameters() -> [T] { fileParameters { $0 } }
    /// The gradients in PyTorch's layout.
    public func fileGradients() -> [T] { shape.fileLayout(fromStorage: UnsafeBufferPointer(gradients)) { $0 } }

    /// Sets the parameters from PyTorch's layout.
    public func setFileParameters(_ values: [T]) {
        values.withUnsafeBufferPointer { shape.storageLayout(fromFile: $0, into: parameters) }
    }

    // MARK: norms

    /// L2 norms (accumulated in Double in file order: deterministic and independent of the
    /// storage layout): all parameters, weight matrices only, and each layer's weight + bias.
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

/// A step's (or an evaluation chunk's) activation buffers, allocated once.
final class Workspace<T: BLASScalar> {
    let rows: Int
    /// The kernels each layer ran at its last forward (its backward uses the same).
    var chosen: [KernelChoice]
    /// How each sparse layer computed its weight gradient at its last backward (nil: dense).
    var weightGradientSparsity: [BackwardSparsity?]
    /// And its input gradient's.
    var inputGradientSparsity: [BackwardSparsity?]
    let outputs: [UnsafeMutableBufferPointer<T>]   // per layer, rows x nOut
    let deltas: [UnsafeMutableBufferPointer<T>]    // per layer, rows x nOut
    /// Active units of each hidden layer's output (row view, and columns for the next
    /// layer's weight gradient).
    let active: [ActiveUnits<T>]
    let activeColumns: [SparseColumns<T>]
    /// Per layer: W_l in [out, in] layout (the input gradient's rows), refreshed each step, and
    /// deltas[l] gathered at the active units (the input gradient's coefficients).
    let transposedWeights: [UnsafeMutableBufferPointer<T>]
    let activeDeltas: [UnsafeMutablePointer<T>]
    /// Layer 1's input structure when the caller gave only dense rows.
    let inputRows: SparseRows<T>
    let inputColumns: SparseColumns<T>
    /// The sparse product's per-row cursors (one per batch row or input unit).
    let cursors: UnsafeMutablePointer<Int32>
    /// The scatter weight gradient's column block: the widest input x one cache line of units.
    let scatterScratch: UnsafeMutableBufferPointer<T>

    init(widths: [Int], rows: Int) {
        self.rows = rows
        let layers = widths.count - 1
        chosen = Array(repeating: .dense, count: layers)
        weightGradientSparsity = Array(repeating: nil, count: layers)
        inputGradientSparsity = Array(repeating: nil, count: layers)
        outputs = (0..<layers).map { allocateZeroed(rows * widths[$0 + 1]) }
        deltas = (0..<layers).map { allocateZeroed(rows * widths[$0 + 1]) }
        active = (0..<layers).map { ActiveUnits(capacityRows: rows, columns: widths[$0 + 1]) }
        activeColumns = (0..<layers).map { SparseColumns(columns: widths[$0 + 1], capacityNonzeros: rows * widths[$0 + 1]) }
        transposedWeights = (0..<layers).map { allocateZeroed(widths[$0] * widths[$0 + 1]) }
        activeDeltas = (0..<layers).map { allocateZeroed(rows * widths[$0 + 1]).baseAddress! }
        inputRows = SparseRows(capacityRows: rows, columns: widths[0])
        inputColumns = SparseColumns(columns: widths[0], capacityNonzeros: rows * widths[0])
        let cursorCount = max(rows, widths.max() ?? 0)
        cursors = .allocate(capacity: cursorCount); cursors.initialize(repeating: 0, count: cursorCount)
        scatterScratch = allocateZeroed((widths.max() ?? 1) * scatterGroup(T.self))
    }

    deinit {
        for b in outputs + deltas + transposedWeights + [scatterScratch] { deallocate(b) }
        for p in activeDeltas { UnsafeMutableRawPointer(p).deallocate() }
        cursors.deallocate()
    }
}
