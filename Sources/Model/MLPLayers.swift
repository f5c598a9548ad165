import GrokCore

// Each layer's forward/backward pair, the loss head between them, and evaluation. A training
// step is, in this order (see Training's TrainingStep):
//   for l in 0..<layers: forward(layer: l, batch)      outputs[l]
//   loss(batch, kind)                                  deltas[last], db_last
//   for l in layers-1...0: backward(layer: l, batch)   dW_l, deltas[l-1], db_(l-1)

extension MLP {
    // MARK: the pair

    /// Layer l's forward on the batch: outputs[l] = relu(x_l W_l^T + b_l) (no relu on the last).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(layer l: Int, batch: LayerBatch<T>) {
        precondition(batch.count > 0 && batch.count <= maxBatch, "MLP.forward: batch \(batch.count) not in 1...\(maxBatch)")
        if l == 0, kernels == .sparse, batch.rows == nil {
            workspace.inputRows.fill(dense: batch.inputs, rows: batch.count)
        }
        forwardLayer(l, batch: batch, rows: batch.count, in: workspace)
    }

    /// The loss head: mean loss over the batch; deltas[last] = dLoss/dlogits and the last
    /// bias gradient. MSE = mean over batch x classes of (out - onehot)^2 (torch.nn.MSELoss on
    /// one-hot targets); CE = mean over batch of cross-entropy. Labels in 0..<classes.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func loss(batch: LayerBatch<T>, kind: Loss) -> Double {
        let classes = widths[last + 1], rows = batch.count
        let meanDivisor = kind == .mse ? rows * classes : rows
        guard let labels = batch.labels else { preconditionFailure("MLP.loss: the batch has no labels") }
        let sum = lossSum(kind, logits: workspace.outputs[last].baseAddress!, labels: labels, rows: rows,
                          cols: classes, gradient: workspace.deltas[last].baseAddress!, gradScale: 1 / T(meanDivisor))
        columnSums(workspace.deltas[last].baseAddress!, rows: rows, cols: classes, into: biasGradient(last))
        return sum / Double(meanDivisor)
    }

    /// Layer l's backward: dW_l from deltas[l] and the layer's input; for l > 0 also
    /// deltas[l-1] (through the ReLU mask) and b_(l-1)'s gradient. Layer 1's input gradient is
    /// never needed.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(layer l: Int, batch: LayerBatch<T>) {
        let rows = batch.count, nIn = widths[l], nOut = widths[l + 1]
        let ws = workspace
        let d = UnsafePointer(ws.deltas[l].baseAddress!)
        let dW = weightGradient(l), w = UnsafePointer(weights(l))
        ws.weightGradientSparsity[l] = nil
        ws.inputGradientSparsity[l] = nil
        switch ws.chosen[l] {
        case .dense:
            let x = l == 0 ? batch.inputs : UnsafePointer(ws.outputs[l - 1].baseAddress!)
            T.gemm(transA: true, transB: false, m: nIn, n: nOut, k: rows,
                   alpha: 1, a: x, lda: nIn, b: d, ldb: nOut, beta: 0, c: dW, ldc: nOut)
            if l > 0 {
                let dPrev = ws.deltas[l - 1].baseAddress!
                T.gemm(transA: false, transB: true, m: rows, n: nIn, k: nOut,
                       alpha: 1, a: d, lda: nOut, b: w, ldb: nOut, beta: 0, c: dPrev, ldc: nIn)
                reluBackward(dPrev, activations: ws.outputs[l - 1].baseAddress!, rows: rows, cols: nIn,
                             biasGradient: biasGradient(l - 1))
            }
        case .sparse:
            let inputRows = l == 0 ? (batch.rows ?? ws.inputRows.view) : ws.active[l - 1].view
            if l < last, threads == 1, prefersScatter(layer: l, inputs: inputRows, rows: rows) {
                // Weight gradient over (non-zero input, active unit) pairs only: the deltas
                // below a ReLU are zero wherever the unit was off.
                ws.activeColumns[l].fill(from: ws.active[l].view, rows: rows)
                scatterWeightGradient(inputs: inputRows, activeRows: ws.activeColumns[l].view, deltas: d,
                                      nIn: nIn, nOut: nOut, into: dW, scratch: ws.scatterScratch.baseAddress!)
                ws.weightGradientSparsity[l] = .bothSides
            } else {
                sparseWeightGradient(layer: l, batch: batch, rows: rows, deltas: d, into: dW)
                ws.weightGradientSparsity[l] = .inputSide
            }
            guard l > 0 else { return }
            let dPrev = ws.deltas[l - 1].baseAddress!
            if l < last, threads == 1, prefersGather(layer: l, rows: rows) {
                gatherInputGradient(units: ws.active[l].view, below: ws.active[l - 1].view, deltas: d, weights: w,
                                    nIn: nIn, nOut: nOut, rows: rows, coefficients: ws.activeDeltas[l], into: dPrev)
                ws.inputGradientSparsity[l] = .bothSides
            } else {
                // Input gradient: a row of deltas[l] W_l is a sum over the units of layer l that
                // were active (deltas[l] is zero elsewhere) of contiguous rows of W_l [out, in],
                // then the ReLU mask of layer l-1 and its bias gradient.
                let wOutIn = ws.transposedWeights[l].baseAddress!
                transpose(w, rows: nIn, cols: nOut, into: wOutIn)
                let units = ws.active[l].view, coefficients = ws.activeDeltas[l]
                forEachRange(rows, parts: threads) { rs in
                    for r in rs {
                        let dr = d + r * nOut
                        for e in units.entries(r) { coefficients[e] = dr[Int(units.index[e])] }
                    }
                    sparseProduct(rows: rs, EntryLists(units, values: coefficients), n: nIn, into: dPrev, ldOut: nIn,
                                  matrix: wOutIn, stride: nIn, matrixRows: nOut, initial: nil, cursors: ws.cursors)
                }
                ws.inputGradientSparsity[l] = .inputSide
            }
            reluBackward(dPrev, activations: ws.outputs[l - 1].baseAddress!, rows: rows, cols: nIn,
                         biasGradient: biasGradient(l - 1))
        }
    }

    /// Weight gradient on the entry lists, a row of dW^T per input unit k: the sum over the
    /// rows where x[r, k] is non-zero of x[r, k] * deltas[l][r, :].
    @inline(__always)
    func sparseWeightGradient(layer l: Int, batch: LayerBatch<T>, rows: Int, deltas d: UnsafePointer<T>,
                              into dW: UnsafeMutablePointer<T>) {
        let ws = workspace, nIn = widths[l], nOut = widths[l + 1]
        let columns: SparseColumnsView<T>
        if l == 0 {
            if let c = batch.columns { columns = c } else {
                ws.inputColumns.fill(from: batch.rows ?? ws.inputRows.view, rows: rows)
                columns = ws.inputColumns.view
            }
        } else {
            ws.activeColumns[l - 1].fill(from: ws.active[l - 1].view, rows: rows)
            columns = ws.activeColumns[l - 1].view
        }
        forEachRange(nIn, parts: threads) { ks in
            sparseProduct(rows: ks, EntryLists(columns), n: nOut, into: dW, ldOut: nOut, matrix: d, stride: nOut,
                          matrixRows: rows, initial: nil, cursors: ws.cursors)
        }
    }

    /// Forward of layer l on `rows` rows into workspace `ws` (the step's or evaluation's).
    @inline(__always)
    func forwardLayer(_ l: Int, batch: LayerBatch<T>, rows: Int, in ws: Workspace<T>) {
        let nIn = widths[l], nOut = widths[l + 1]
        let z = ws.outputs[l].baseAddress!, b = UnsafePointer(bias(l)), w = UnsafePointer(weights(l))
        let hidden = l < last
        let choice = choose(layer: l, batch: batch, rows: rows, in: ws)
        ws.chosen[l] = choice
        switch choice {
        case .dense:
            let x = l == 0 ? batch.inputs : UnsafePointer(ws.outputs[l - 1].baseAddress!)
            if rows * nOut * nIn <= 1 << 21 {
                // Small products go through W in [out, in] layout (a transposed copy, cheap at
                // this size): OpenBLAS 0.3.21's small-matrix DGEMM kernel for the plain (N, N)
                // case mallocs a buffer on every call (the 10-wide output layer hits it); the
                // (N, T) one does not.
                let wOutIn = ws.transposedWeights[l].baseAddress!
                transpose(w, rows: nIn, cols: nOut, into: wOutIn)
                T.gemm(transA: false, transB: true, m: rows, n: nOut, k: nIn,
                       alpha: 1, a: x, lda: nIn, b: wOutIn, ldb: nIn, beta: 0, c: z, ldc: nOut)
            } else {
                T.gemm(transA: false, transB: false, m: rows, n: nOut, k: nIn,
                       alpha: 1, a: x, lda: nIn, b: w, ldb: nOut, beta: 0, c: z, ldc: nOut)
            }
            if hidden, kernels == .sparse {
                // A dense layer feeding a sparse one: the next layer walks these units.
                for r in 0..<rows { ws.active[l].recordReLU(row: r, in: z + r * nOut, bias: b) }
            } else if hidden {
                addBiasReLU(z, bias: b, rows: rows, cols: nOut)
            } else {
                addBias(z, bias: b, rows: rows, cols: nOut)
            }
        case .sparse:
            let x = l == 0 ? (batch.rows ?? ws.inputRows.view) : ws.active[l - 1].view
            let active = ws.active[l]
            forEachRange(rows, parts: threads) { rs in
                sparseProduct(rows: rs, EntryLists(x), n: nOut, into: z, ldOut: nOut, matrix: w, stride: nOut,
                              matrixRows: nIn, initial: b, cursors: ws.cursors)
                guard hidden else { return }
                for r in rs { active.recordReLU(row: r, in: z + r * nOut, bias: nil) }
            }
        }
    }

    /// Input density above which a layer runs dense even with sparse kernels: measured with
    /// `grok-train bench --phases` on Prakash & Martin's network (f32 and f64, one thread), the sparse
    /// pair (forward + weight gradient + input gradient) costs about what the dense GEMMs cost
    /// at 22-25% non-zeros in layer 1 (19.6% at init: sparse wins) and layer 2 (48% at init:
    /// dense wins; 12% trained: sparse wins).
    public static var sparseCrossover: Double { 0.25 }

    /// The kernels layer l runs on this batch, decided at its forward and kept for its backward.
    /// A layer narrower than a vector pair (the 10-wide output) runs dense: its rows are too
    /// short for the vector loops. Otherwise sparse while its input's density is at most
    /// `sparseCrossover`. The density is a function of the weights and the batch, so the choice
    /// (and the run) is deterministic and a resumed run makes the same choices.
    @inline(__always)
    func choose(layer l: Int, batch: LayerBatch<T>, rows: Int, in ws: Workspace<T>) -> KernelChoice {
        guard kernels == .sparse, widths[l + 1] >= 32 else { return .dense }
        let x = l == 0 ? (batch.rows ?? ws.inputRows.view) : ws.active[l - 1].view
        var nonzeros = 0
        for r in 0..<rows { nonzeros += x.entries(r).count }
        return Double(nonzeros) <= Self.sparseCrossover * Double(rows * widths[l]) ? .sparse : .dense
    }

    // MARK: conveniences over the pair

    /// Forward, loss, backward on one batch of dense rows (the layer-1 structure is built
    /// here). Overwrites `gradients` and returns the mean loss.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func trainStep(inputs: UnsafePointer<T>, labels: UnsafePointer<Int32>, batch: Int, loss kind: Loss) -> Double {
        let b = LayerBatch(inputs: inputs, labels: labels, count: batch)
        for l in 0...last { forward(layer: l, batch: b) }
        let value = loss(batch: b, kind: kind)
        for l in stride(from: last, through: 0, by: -1) { backward(layer: l, batch: b) }
        return value
    }

    /// Logits of `batch` rows (batch <= maxBatch), valid until the next call on this model.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(inputs: UnsafePointer<T>, batch: Int) -> UnsafeBufferPointer<T> {
        let b = LayerBatch(inputs: inputs, labels: nil, count: batch)
        for l in 0...last { forward(layer: l, batch: b) }
        return UnsafeBufferPointer(start: workspace.outputs[last].baseAddress!, count: batch * widths[last + 1])
    }

    // MARK: evaluation

    /// Mean loss (as in `loss`, over all `count` rows) and accuracy (argmax == label) over a
    /// whole set, in chunks of `evaluationChunk` rows through the same layer kernels.
    /// `rows`, when given, is the set's sparse structure built once (else built per chunk).
    /// Leaves the training buffers untouched.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func evaluate(inputs: UnsafePointer<T>, labels: UnsafePointer<Int32>, count: Int, loss kind: Loss,
                         rows structure: SparseRowsView<T>? = nil) -> (loss: Double, accuracy: Double) {
        guard count > 0 else { return (.nan, .nan) }
        let chunk = Self.evaluationChunk
        if evalWorkspace == nil { evalWorkspace = Workspace(widths: widths, rows: chunk) }
        let ws = evalWorkspace!
        let nIn = widths[0], classes = widths[last + 1]
        var sum = 0.0
        var correct = 0
        var start = 0
        while start < count {
            let rows = min(chunk, count - start)
            let x = inputs + start * nIn
            var sparse = structure?.dropping(rows: start)
            if kernels == .sparse, sparse == nil {
                ws.inputRows.fill(dense: x, rows: rows)
                sparse = ws.inputRows.view
            }
            let b = LayerBatch(inputs: x, labels: labels + start, count: rows, rows: sparse)
            for l in 0...last { forwardLayer(l, batch: b, rows: rows, in: ws) }
            let logits = ws.outputs[last].baseAddress!
            sum += lossSum(kind, logits: logits, labels: labels + start, rows: rows, cols: classes,
                           gradient: nil, gradScale: 1)
            correct += correctCount(logits: logits, labels: labels + start, rows: rows, cols: classes)
            start += rows
        }
        let divisor = kind == .mse ? Double(count) * Double(classes) : Double(count)
        return (sum / divisor, Double(correct) / Double(count))
    }

    /// Exactly the eight GEMMs of a dense step (forward, weight gradients, input gradients
    /// except the first layer's) on the model's own buffers and a zero input, without the
    /// elementwise work: the dense floor the benchmark compares against.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gemmOnlyStep(batch: Int) {
        precondition(batch > 0 && batch <= maxBatch, "MLP.gemmOnlyStep: batch \(batch) not in 1...\(maxBatch)")
        if benchmarkInput == nil { benchmarkInput = allocateZeroed(maxBatch * widths[0]) }
        let inputs = UnsafePointer(benchmarkInput!.baseAddress!)
        let ws = workspace
        for l in 0...last {
            let nIn = widths[l], nOut = widths[l + 1]
            let x = l == 0 ? inputs : UnsafePointer(ws.outputs[l - 1].baseAddress!)
            T.gemm(transA: false, transB: false, m: batch, n: nOut, k: nIn,
                   alpha: 1, a: x, lda: nIn, b: weights(l), ldb: nOut, beta: 0, c: ws.outputs[l].baseAddress!, ldc: nOut)
        }
        for l in stride(from: last, through: 0, by: -1) {
            let nIn = widths[l], nOut = widths[l + 1]
            let d = ws.deltas[l].baseAddress!
            let x = l == 0 ? inputs : UnsafePointer(ws.outputs[l - 1].baseAddress!)
            T.gemm(transA: true, transB: false, m: nIn, n: nOut, k: batch,
                   alpha: 1, a: x, lda: nIn, b: d, ldb: nOut, beta: 0, c: weightGradient(l), ldc: nOut)
            if l > 0 {
                T.gemm(transA: false, transB: true, m: batch, n: nIn, k: nOut,
                       alpha: 1, a: d, lda: nOut, b: weights(l), ldb: nOut, beta: 0, c: ws.deltas[l - 1].baseAddress!, ldc: nIn)
            }
        }
    }

    /// The kernels each layer ran at the last training forward (sparse kernels fall back to
    /// dense per layer; see `choose`).
    public var lastKernels: [KernelChoice] { workspace.chosen }

    /// How each layer computed its weight gradient at the last backward (nil where it ran
    /// dense; see `BackwardSparsity`).
    public var lastWeightGradientSparsity: [BackwardSparsity?] { workspace.weightGradientSparsity }
    /// Which sparsity each layer's input gradient used at the last backward (nil where it
    /// ran dense or has none: layer 1).
    public var lastInputGradientSparsity: [BackwardSparsity?] { workspace.inputGradientSparsity }

    /// Fraction of exact zeros in each hidden layer's output after the last forward (the
    /// density the sparse kernels saw), for the benchmark and progress reports.
    public func hiddenZeroFractions(rows: Int) -> [Double] {
        (0..<last).map { l in 1 - Double(workspace.active[l].nonzeros(rows: rows)) / Double(rows * widths[l + 1]) }
    }
}
