import XCTest
import Foundation
import GrokCore
import Datasets
import Model
import Optim
import Training

/// The scatter weight gradient (only the products of a non-zero input with an active unit's
/// delta) against the entry lists, bit for bit, and against the dense path. Three states of
/// Prakash & Martin's network on the paper's cycled batches: the init, the Omnigrok fixture
/// (hidden layers ~20% active) and `paper-late`, a snapshot of the paper recipe at 1,979,167
/// steps (wd 0, seed 1; hidden layers 2.7% and 3.9% active), where the scatter path pays.
final class ScatterGradientTests: XCTestCase {
    enum State: CaseIterable { case initial, omnigrok, late }

    func model<T: BLASScalar>(_: T.Type, _ state: State, kernels: KernelChoice = .sparse,
                              path: WeightGradientPath = .automatic, threads: Int = 1) throws -> MLP<T> {
        let shape = SparseKernelTests.shape
        let m = MLP<T>(shape: shape, maxBatch: 200, kernels: kernels)
        m.threads = threads
        m.weightGradientPath = path
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
                let lists = try model(T.self, state, path: .entryLists)
                let scatter = try model(T.self, state, path: .scatter)
                let a = gradients(lists, batches: 3, loss: loss), b = gradients(scatter, batches: 3, loss: loss)
                XCTAssertEqual(lists.lastWeightGradientPaths.first, .entryLists)
                XCTAssertEqual(scatter.lastWeightGradientPaths.first, .scatter, "\(state): the scatter path really ran")
                for (k, (x, y)) in zip(a, b).enumerated() {
                    let differing = zip(x, y).filter { $0.0.bitPattern != $0.1.bitPattern }.count
                    XCTAssertEqual(differing, 0, "\(T.self) \(state) \(loss) batch \(k + 1): \(differing) gradients differ")
                    XCTAssertGreaterThan(x.filter { $0 != 0 }.count, 1000, "non-trivial gradients")
                }
            }
        }
    }

    func testScatterGivesTheEntryListsBitsF64() throws { try checkSameBits(Double.self) }
    func testScatterGivesTheEntryListsBitsF32() throws { try checkSameBits(Float.self) }

    /// At the late state (where automatic picks the scatter for layer 1) the sparse gradients
    /// against the dense GEMMs, per tensor relative to its largest gradient.
    func testLateStateGradientsEqualDense() throws {
        for loss in Loss.allCases {
            let sparse = try model(Double.self, .late), dense = try model(Double.self, .late, kernels: .dense)
            let s = gradients(sparse, batches: 1, loss: loss)[0], d = gradients(dense, batches: 1, loss: loss)[0]
            XCTAssertEqual(sparse.lastWeightGradientPaths[0], .scatter)
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
    /// the automatic choice (which takes the scatter for layer 1 here) ends on the same bits
    /// as the entry lists, so a run resumed by a build with the scatter path continues exactly.
    func testTrainingWithTheScatterPathIsBitIdentical() throws {
        var finals: [[UInt64]] = []
        for path in [WeightGradientPath.entryLists, .automatic] {
            let m = try model(Double.self, .late, path: path)
            let opt = AdamW<Double>(count: m.parameters.count, lr: 5e-4, weightDecay: 0)
            let data = SparseKernelTests.data
            var order = BatchOrder(mode: .cycle, trainCount: 1000, batchSize: 200, seed: 0)
            let feeder = BatchFeeder(order: order, inputs: data.train.normalizedPixels(as: Double.self),
                                     labels: data.train.labelsAsInt32(), features: 784, sparse: true)
            var scatterSteps = 0
            for step in 1...30 {
                let loss = TrainingStep.run(m, opt, batch: feeder.batch(step: step, order: &order), loss: .mse)
                XCTAssertTrue(loss.isFinite)
                if m.lastWeightGradientPaths[0] == .scatter { scatterSteps += 1 }
            }
            XCTAssertEqual(scatterSteps, path == .automatic ? 30 : 0)
            finals.append(m.fileParameters().map(\.bitPattern))
        }
        XCTAssertEqual(zip(finals[0], finals[1]).filter { $0 != $1 }.count, 0, "parameters differ after 30 steps")
        let initial = try model(Double.self, .late).fileParameters().map(\.bitPattern)
        XCTAssertGreaterThan(zip(finals[0], initial).filter { $0 != $1 }.count, 10_000, "the steps changed the weights")
    }

    /// The automatic choice follows the density: the scatter for layer 1 late in the paper
    /// recipe (2.7% of its units active), the entry lists at the Omnigrok fixture (~20%) and at
    /// init; never with two threads (the scatter runs on one); the dense output layer has none.
    func testAutomaticChoosesByDensity() throws {
        let expected: [(State, Int, WeightGradientPath)] = [
            (.late, 1, .scatter), (.omnigrok, 1, .entryLists), (.initial, 1, .entryLists), (.late, 2, .entryLists),
        ]
        for (state, threads, path) in expected {
            let m = try model(Double.self, state, threads: threads)
            _ = gradients(m, batches: 1, loss: .mse)
            XCTAssertEqual(m.lastWeightGradientPaths[0], path, "\(state), \(threads) thread(s)")
            XCTAssertNil(m.lastWeightGradientPaths[2])
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
