import GrokCore
import Model
import Optim
import Datasets

/// One optimizer step: the network's gradient step (its layers' forward pairs, the loss head,
/// the backward pairs: `TrainableNetwork.gradientStep`, the one place that order is written),
/// then the gradient filter (Grokfast, when the run has one) and the update. The training
/// loop, the benchmark and the allocation test all run this one path.
public enum TrainingStep {
    /// Returns the batch's mean loss; a non-finite loss skips the update (the loop then stops
    /// the run as diverged with the weights of the last good step).
    @inline(__always)
    public static func run<T: BLASScalar>(network model: any TrainableNetwork<T>, _ optimizer: any Optimizer<T>,
                                          filter: GradientFilter<T>? = nil,
                                          batch: LayerBatch<T>, loss: Loss) -> Double {
        let value = model.gradientStep(batch: batch, loss: loss)
        guard value.isFinite else { return value }
        filter?.apply(to: model.gradients)
        optimizer.step(parameters: model.parameters, gradients: UnsafeBufferPointer(model.gradients))
        return value
    }

    /// The same step for the MLP (the benchmark's and the tests' spelling).
    @inline(__always)
    public static func run<T: BLASScalar>(_ model: MLP<T>, _ optimizer: any Optimizer<T>,
                                          filter: GradientFilter<T>? = nil,
                                          batch: LayerBatch<T>, loss: Loss) -> Double {
        run(network: model, optimizer, filter: filter, batch: batch, loss: loss)
    }
}

/// Supplies each step's minibatch as contiguous rows and, for the sparse kernels, their
/// non-zero structure by rows and by columns. In `cycle` mode the same few batches repeat
/// forever, so rows and structures are built once per batch; in `reshuffle` mode the rows are
/// gathered into one preallocated buffer each step and the structure is gathered from the
/// training set's, built once. Owns its memory so the pointers it hands out stay valid, and
/// allocates nothing per step.
public final class BatchFeeder<T: BLASScalar> {
    let features: Int
    let mode: BatchOrder.Mode
    let sparse: Bool
    let inputs: UnsafeMutableBufferPointer<T>, labels: UnsafeMutableBufferPointer<Int32>
    /// cycle: every batch of the epoch back to back; reshuffle: one batch.
    let batchInputs: UnsafeMutableBufferPointer<T>, batchLabels: UnsafeMutableBufferPointer<Int32>
    var offsets: [Int] = [], counts: [Int] = []
    /// cycle: one per batch; reshuffle: one, refilled per step.
    var batchRows: [SparseRows<T>] = [], batchColumns: [SparseColumns<T>] = []
    /// reshuffle: the whole training set's rows.
    var setRows: SparseRows<T>?

    public init(order: BatchOrder, inputs: [T], labels: [Int32], features: Int, sparse: Bool = true) {
        self.features = features
        self.mode = order.mode
        self.sparse = sparse
        self.inputs = .allocate(capacity: inputs.count); _ = self.inputs.initialize(from: inputs)
        self.labels = .allocate(capacity: labels.count); _ = self.labels.initialize(from: labels)
        let rows = order.mode == .cycle ? labels.count : order.firstBatch.count
        batchInputs = .allocate(capacity: rows * features); batchInputs.initialize(repeating: 0)
        batchLabels = .allocate(capacity: rows); batchLabels.initialize(repeating: 0)
        let batchSize = order.firstBatch.count
        if order.mode == .cycle {
            var o = order
            var row = 0
            for _ in 0..<o.batchesPerEpoch {
                let idx = o.next()
                offsets.append(row); counts.append(idx.count)
                gather(idx, intoRow: row)
                if sparse {
                    let r = SparseRows<T>(capacityRows: idx.count, columns: features)
                    r.fill(dense: batchInputs.baseAddress! + row * features, rows: idx.count)
                    let c = SparseColumns<T>(columns: features, capacityNonzeros: max(r.nonzeros, 1))
                    c.fill(from: r.view, rows: idx.count)
                    batchRows.append(r); batchColumns.append(c)
                }
                row += idx.count
            }
        } else if sparse {
            let all = SparseRows<T>(capacityRows: labels.count, columns: features)
            all.fill(dense: self.inputs.baseAddress!, rows: labels.count)
            setRows = all
            batchRows = [SparseRows(capacityRows: batchSize, columns: features)]
            batchColumns = [SparseColumns(columns: features, capacityNonzeros: batchSize * features)]
        }
    }

    deinit {
        inputs.deallocate(); labels.deallocate(); batchInputs.deallocate(); batchLabels.deallocate()
    }

    @inline(__always)
    func gather<C: Collection>(_ idx: C, intoRow start: Int) where C.Element == Int {
        let f = features
        var r = start
        for i in idx {
            (batchInputs.baseAddress! + r * f).update(from: inputs.baseAddress! + i * f, count: f)
            batchLabels[r] = labels[i]
            r += 1
        }
    }

    /// The batch of `step` (1-based). Always advances `order`, whose state the checkpoint saves.
    @inline(__always)
    public func batch(step: Int, order: inout BatchOrder) -> LayerBatch<T> {
        let idx = order.next()
        if mode == .cycle {
            // The cycle replays the first epoch's batches in order: step k uses batch (k-1) mod B.
            let b = (step - 1) % offsets.count
            return LayerBatch(inputs: batchInputs.baseAddress! + offsets[b] * features,
                              labels: batchLabels.baseAddress! + offsets[b], count: counts[b],
                              rows: sparse ? batchRows[b].view : nil, columns: sparse ? batchColumns[b].view : nil)
        }
        gather(idx, intoRow: 0)
        guard sparse, let all = setRows else {
            return LayerBatch(inputs: batchInputs.baseAddress!, labels: batchLabels.baseAddress!, count: idx.count)
        }
        let rows = batchRows[0], columns = batchColumns[0]
        rows.fill(gathering: idx, from: all.view)
        columns.fill(from: rows.view, rows: idx.count)
        return LayerBatch(inputs: batchInputs.baseAddress!, labels: batchLabels.baseAddress!, count: idx.count,
                          rows: rows.view, columns: columns.view)
    }
}
