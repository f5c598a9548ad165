import XCTest
import Foundation
import GrokCore
import Datasets
import Model
import Optim
import Training

/// The sparse backward using both sides' zeros (the scatter weight gradient: only the products
/// of a non-zero input with an active unit's delta; the gathered input gradient: only where the
/// unit below was active) against the input side's entry lists, bit for bit, and against the
/// dense path. Three states of
/// Prakash & Martin's network on the paper's cycled batches: the init, the Omnigrok fixture
/// (hidden layers ~20% active) and `paper-late`, a snapshot of the paper recipe at 1,979,167
/// steps (wd 0, seed 1; hidden layers 2.7% and 3.9% active), where both-sided sparsity pays.
final class SparseBackwardTests: XCTestCase {
    enum State: CaseIterable { case initial, omnigrok, late }

    func model<T: BLASScalar>(_: T.Type, _ state: State, kernels: KernelChoice = .sparse,
                              path: BackwardSparsity = .automatic, threads: Int = 1) throws -> MLP<T> {
        let shape = SparseKernelTests.shape
        let m = MLP<T>(shape: shape, maxBatch: 200, kernels: kernels)
        m.threads = threads
        m.backwardSparsity = path
        switch state {
        case .initial:
            var rng = SeededRandom(seed: 0, stream: "init")
            m.initialize(scale: 8, rng: &rng)
        case .omnigrok:
            m.setFileParameters(try SparseKernelTests.trainedWeights(T.self))
        case .late:
            let url = Bundle.module.url(forResource: "Fixtures/paper-late", withExtension: "safetensors")!
            m.setFileParameters(try StepBenchmark.trainedWeights(url, shape: shape, as: T.self))
        }
        return m
    }

    /// Gradients (file layout) after forward, loss, backward on each of the first `batches`
    /// cycled batches, in order.
    func gradients<T: BLASScalar>(_ m: MLP<T>, batches: Int, loss: Loss) -> [[T]] {
        let data = SparseKernelTests.data
        var order = BatchOrder(mode: .cycle, trainCount: 1000, batchSize: 200, seed: 0)
        let feeder = BatchFeeder(order: order, inputs: data.train.normalizedPixels(as: T.self),
                                 labels: data.train.labelsAsInt32(), features: 784, sparse: m.kernels == .sparse)
        return (1...batches).map { step in
            let batch = feeder.batch(step: step, order: &order)
            for l in 0..<3 { m.forward(layer: l, batch: batch) }
            _ = m.loss(batch: batch, kind: loss)
            for l in (0..<3).reversed() { m.backward(layer: l, batch: batch) }
            return m.fileGradients()
        }
    }

    func checkSameBits<T: BLASScalar>(_: T.Type) throws {
        for state in State.allCases {
            for loss in Loss.allCases {
                let lists = try model(T.self, state, path: .inputSide)
                let both = try model(T.self, state, path: .bothSides)
                let a = gradients(lists, batches: 3, loss: loss), b = gradients(both, batches: 3, loss: loss)
                XCTAssertEqual(lists.lastWeightGradientSparsity.first, .inputSide)
                XCTAssertEqual(both.lastWeightGradientSparsity.first, .bothSides, "\(state): the scatter really ran")
                if both.lastKernels[1] == .sparse {
                    XCTAssertEqual(lists.lastInputGradientSparsity[1], .inputSide)
                    XCTAssertEqual(both.lastInputGradientSparsity[1], .bothSides, "\(state): the gather really ran")
                }
                for (k, (x, y)) in zip(a, b).enumerated() {
                    let differing = zip(x, y).filter { $0.0.bitPattern != $0.1.bitPattern }.count
                    XCTAssertEqual(differing, 0, "\(T.self) \(state) \(loss) batch \(k + 1): \(differing) gradients differ")
                    XCTAssertGreaterThan(x.filter { $0 != 0 }.count, 1000, "non-trivial gradients")
                }
            }
        }
    }

    func testBothSidesGiveTheInputSideBitsF64() throws { try checkSameBits(Double.self) }
    func testBothSidesGiveTheInputSideBitsF32() throws { try checkSameBits(Float.self) }

    /// At the late state (where automatic picks both sides for layer 1's weight gradient and
    /// layer 2's input gradient) the sparse gradients
    /// against the dense GEMMs, per tensor relative to its largest gradient.
    func testLateStateGradientsEqualDense() throws {
        for loss in Loss.allCases {
            let sparse = try model(Double.self, .late), dense = try model(Double.self, .late, kernels: .dense)
            let s = gradients(sparse, batches: 1, loss: loss)[0], d = gradients(dense, batches: 1, loss: loss)[0]
            XCTAssertEqual(sparse.lastWeightGradientSparsity[0], .bothSides)
            XCTAssertEqual(sparse.lastInputGradientSparsity[1], .bothSides)
            XCTAssertEqual(sparse.lastKernels, [.sparse, .sparse, .dense])
            let shape = SparseKernelTests.shape
            for l in 0..<3 {
                for r in [shape.weightRange(l), shape.biasRange(l)] {
                    let scale = r.map { abs(d[$0]) }.max()!
                    XCTAssertGreaterThan(scale, 0)
                    let worst = r.map { abs(s[$0] - d[$0]) }.max()! / scale
                    XCTAssertLessThanOrEqual(worst, 1e-12, "\(loss) layer \(l + 1) range \(r)")
                }
            }
        }
    }

    /// 30 real steps of the paper recipe (AdamW lr 5e-4, cycled batches) from the late state:
    /// the automatic choice (which takes both sides here) ends on the same bits as the input
    /// side's entry lists, so a run resumed by a build that has both-sided sparsity continues
    /// exactly.
    func testTrainingWithBothSidesIsBitIdentical() throws {
        var finals: [[UInt64]] = []
        for path in [BackwardSparsity.inputSide, .automatic] {
            let m = try model(Double.self, .late, path: path)
            let opt = AdamW<Double>(count: m.parameters.count, lr: 5e-4, weightDecay: 0)
            let data = SparseKernelTests.data
            var order = BatchOrder(mode: .cycle, trainCount: 1000, batchSize: 200, seed: 0)
            let feeder = BatchFeeder(order: order, inputs: data.train.normalizedPixels(as: Double.self),
                                     labels: data.train.labelsAsInt32(), features: 784, sparse: true)
            var scatterSteps = 0, gatherSteps = 0
            for step in 1...30 {
                let loss = TrainingStep.run(m, opt, batch: feeder.batch(step: step, order: &order), loss: .mse)
                XCTAssertTrue(loss.isFinite)
                if m.lastWeightGradientSparsity[0] == .bothSides { scatterSteps += 1 }
                if m.lastInputGradientSparsity[1] == .bothSides { gatherSteps += 1 }
            }
            XCTAssertEqual(scatterSteps, path == .automatic ? 30 : 0)
            XCTAssertEqual(gatherSteps, path == .automatic ? 30 : 0)
            finals.append(m.fileParameters().map(\.bitPattern))
        }
        XCTAssertEqual(zip(finals[0], finals[1]).filter { $0 != $1 }.count, 0, "parameters differ after 30 steps")
        let initial = try model(Double.self, .late).fileParameters().map(\.bitPattern)
        XCTAssertGreaterThan(zip(finals[0], initial).filter { $0 != $1 }.count, 10_000, "the steps changed the weights")
    }

    /// The automatic choice follows the density: both sides late in the paper recipe (layers
    /// 2.7% and 3.9% active), the input side at the Omnigrok fixture (~20%) and at init (where
    /// layer 2 runs dense: no sparse input gradient); never with two threads (both-sided runs
    /// on one); the dense output layer has none.
    func testAutomaticChoosesByDensity() throws {
        let expected: [(State, Int, BackwardSparsity, BackwardSparsity?)] = [
            (.late, 1, .bothSides, .bothSides), (.omnigrok, 1, .inputSide, .inputSide),
            (.initial, 1, .inputSide, nil), (.late, 2, .inputSide, .inputSide),
        ]
        for (state, threads, weights, inputs) in expected {
            let m = try model(Double.self, state, threads: threads)
            _ = gradients(m, batches: 1, loss: .mse)
            XCTAssertEqual(m.lastWeightGradientSparsity[0], weights, "\(state), \(threads) thread(s)")
            XCTAssertEqual(m.lastInputGradientSparsity[1], inputs, "\(state), \(threads) thread(s)")
            XCTAssertNil(m.lastWeightGradientSparsity[2])
            XCTAssertNil(m.lastInputGradientSparsity[0])
        }
    }
}

private extension BinaryFloatingPoint {
    /// The value's bits, widened: two values are the same result iff these are equal.
    var bitPattern: UInt64 {
        if let d = self as? Double { return d.bitPattern }
        if let f = self as? Float { return UInt64(f.bitPattern) }
        preconditionFailure("unexpected floating-point type")
    }
}
