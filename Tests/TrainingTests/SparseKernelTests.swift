import XCTest
import RunFiles
import Foundation
import GrokCore
import Datasets
import Model
import Optim
import Training

/// The sparse kernels against the dense path (the reference), on real MNIST batches of the
/// paper's network, at init and at a trained network's weights (a committed snapshot of the
/// Omnigrok run at grokking, where the ReLU outputs are mostly zeros), and against finite
/// differences.
final class SparseKernelTests: XCTestCase {
    static let data: DataSplit = try! MNIST.load(.embedded, trainSize: 1000, subset: .balanced, seed: 0)
    static let shape = try! MLPShape(widths: [784, 200, 200, 10])

    static func trainedWeights<T: BLASScalar>(_: T.Type) throws -> [T] {
        let url = Bundle.module.url(forResource: "Fixtures/omnigrok-trained", withExtension: "safetensors")!
        return try StepBenchmark.trainedWeights(url, shape: shape, as: T.self)
    }

    func model<T: BLASScalar>(_: T.Type, _ kernels: KernelChoice, trained: Bool, threads: Int = 1) throws -> MLP<T> {
        let m = MLP<T>(shape: Self.shape, maxBatch: 200, kernels: kernels)
        m.threads = threads
        if trained { m.setFileParameters(try Self.trainedWeights(T.self)) } else {
            var rng = SeededRandom(seed: 0, stream: "init")
            m.initialize(scale: 8, rng: &rng)
        }
        return m
    }

    /// Forward, loss, backward (no update) on batch `b` of the paper's cycled batches.
    func gradients<T: BLASScalar>(_ m: MLP<T>, batch b: Int, loss: Loss) -> (loss: Double, grads: [T]) {
        var order = BatchOrder(mode: .cycle, trainCount: 1000, batchSize: 200, seed: 0)
        let feeder = BatchFeeder(order: order, inputs: Self.data.train.normalizedPixels(as: T.self),
                                 labels: Self.data.train.labelsAsInt32(), features: 784, sparse: m.kernels == .sparse)
        var batch = feeder.batch(step: 1, order: &order)
        for k in 1..<(b + 1) { batch = feeder.batch(step: k + 1, order: &order) }
        for l in 0..<3 { m.forward(layer: l, batch: batch) }
        let value = m.loss(batch: batch, kind: loss)
        for l in (0..<3).reversed() { m.backward(layer: l, batch: batch) }
        return (value, m.fileGradients())
    }

    func checkSparseEqualsDense<T: BLASScalar>(_: T.Type, trained: Bool, tolerance: Double,
                                              expectSparse: [KernelChoice], threads: Int = 1) throws {
        for loss in Loss.allCases {
            let sparse = try model(T.self, .sparse, trained: trained, threads: threads)
            let dense = try model(T.self, .dense, trained: trained)
            let s = gradients(sparse, batch: 2, loss: loss), d = gradients(dense, batch: 2, loss: loss)
            XCTAssertEqual(sparse.lastKernels, expectSparse, "the sparse path really ran where expected")
            XCTAssertEqual(s.loss, d.loss, accuracy: tolerance * abs(d.loss))
            // Per tensor, relative to the tensor's largest gradient.
            for l in 0..<3 {
                for r in [Self.shape.weightRange(l), Self.shape.biasRange(l)] {
                    let scale = r.map { abs(Double(d.grads[$0])) }.max()!
                    XCTAssertGreaterThan(scale, 0)
                    let worst = r.map { abs(Double(s.grads[$0]) - Double(d.grads[$0])) }.max()! / scale
                    XCTAssertLessThanOrEqual(worst, tolerance, "\(loss) layer \(l + 1) range \(r)")
                }
            }
        }
    }

    func testSparseGradientsEqualDenseAtInitF64() throws {
        // Layer 1's input is 19.6% non-zero (sparse); layer 2's ~48% (above the crossover: dense).
        try checkSparseEqualsDense(Double.self, trained: false, tolerance: 1e-12, expectSparse: [.sparse, .dense, .dense])
    }
    func testSparseGradientsEqualDenseTrainedF64() throws {
        try checkSparseEqualsDense(Double.self, trained: true, tolerance: 1e-12, expectSparse: [.sparse, .sparse, .dense])
    }
    func testSparseGradientsEqualDenseF32() throws {
        try checkSparseEqualsDense(Float.self, trained: false, tolerance: 1e-5, expectSparse: [.sparse, .dense, .dense])
        try checkSparseEqualsDense(Float.self, trained: true, tolerance: 1e-5, expectSparse: [.sparse, .sparse, .dense])
    }
    func testTwoThreadsGiveTheSameGradients() throws {
        try checkSparseEqualsDense(Double.self, trained: true, tolerance: 1e-12, expectSparse: [.sparse, .sparse, .dense], threads: 2)
    }

    /// The sparse path's analytic gradient against central differences of its own evaluate()
    /// (no gradient buffers) at the trained weights, where every sparse kernel runs.
    func testSparseGradientsMatchFiniteDifferences() throws {
        let m = try model(Double.self, .sparse, trained: true)
        let rows = 8
        let x = Array(Self.data.train.normalizedPixels(as: Double.self)[0..<(rows * 784)])
        let y = Array(Self.data.train.labelsAsInt32()[0..<rows])
        var rng = SeededRandom(seed: 11)
        var coords: [Int] = []
        for l in 0..<3 {
            for r in [Self.shape.weightRange(l), Self.shape.biasRange(l)] {
                coords += (0..<6).map { _ in r.lowerBound + rng.nextInt(below: r.count) }
            }
        }
        try x.withUnsafeBufferPointer { xp in try y.withUnsafeBufferPointer { yp in
            _ = m.trainStep(inputs: xp.baseAddress!, labels: yp.baseAddress!, batch: rows, loss: .mse)
            XCTAssertEqual(m.lastKernels, [.sparse, .sparse, .dense])
            let analytic = m.fileGradients()
            func lossAt() -> Double { m.evaluate(inputs: xp.baseAddress!, labels: yp.baseAddress!, count: rows, loss: .mse).loss }
            let h = 1e-6, floor = 10 * Double.ulpOfOne * abs(lossAt()) / h
            var nonzero = 0
            for i in coords {
                let j = Self.shape.storageIndex(ofFileIndex: i)
                let p = m.parameters[j]
                m.parameters[j] = p + h; let up = lossAt()
                m.parameters[j] = p - h; let down = lossAt()
                m.parameters[j] = p
                let numeric = (up - down) / (2 * h), a = analytic[i]
                if abs(a) > 1e-10 { nonzero += 1 }
                XCTAssertLessThanOrEqual(abs(a - numeric), 1e-6 * max(abs(a), abs(numeric)) + floor, "param \(i)")
            }
            if nonzero < coords.count / 3 { throw GrokError("too few non-zero gradients to mean anything: \(nonzero)") }
        }}
    }

    /// A 2,000-step run of the paper's recipe with each kernel choice: the same accuracies to 3
    /// decimals and losses within 1e-6 relative at every evaluation (f64).
    func testSparseAndDenseRunsAgree() throws {
        var metrics: [KernelChoice: [[Double]]] = [:]
        for k in KernelChoice.allCases {
            var c = TrainingConfig.paper
            c.steps = 2000; c.snapshots = 10; c.threads = 1; c.kernels = k
            let dir = temporaryDirectory("kernels-\(k)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let result = try trainRun(c, data: Self.data, in: dir)
            XCTAssertEqual(result.outcome, .completed)
            let text = try String(contentsOf: RunDirectory(dir).metricsURL, encoding: .utf8)
            metrics[k] = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        }
        let s = metrics[.sparse]!, d = metrics[.dense]!
        XCTAssertEqual(s.count, d.count)
        XCTAssertGreaterThan(s.count, 10)
        for (a, b) in zip(s, d) {
            XCTAssertEqual(a[0], b[0])
            for c in [1, 3] { XCTAssertEqual(a[c], b[c], accuracy: 1e-6 * abs(b[c]), "loss at step \(a[0])") }
            for c in [2, 4] { XCTAssertEqual((a[c] * 1000).rounded(), (b[c] * 1000).rounded(), "accuracy at step \(a[0])") }
        }
        XCTAssertGreaterThan(s.last![2], 0.5, "the run really trained")
    }
}
