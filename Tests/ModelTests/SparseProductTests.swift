import XCTest
import GrokCore
import Model

/// The sparse kernels against the dense GEMM path on widths the paper's network never has: odd
/// widths leave a two-column part and a scalar column after the register tiles (203 = 25 f32
/// registers + 3; 41 = 5 + 1), a batch of 7 keeps every weight gradient in one pass over M and a
/// batch of 150 takes M in L1 blocks, and negative biases make both hidden layers sparse enough
/// (under 25% active) to run the sparse kernels. (TrainingTests' SparseKernelTests do the same
/// on real MNIST batches of the paper's network.)
final class SparseProductTests: XCTestCase {
    func check<T: BLASScalar>(_: T.Type, rows: Int, tolerance: Double) throws {
        let shape = try MLPShape(widths: [784, 203, 41, 10])
        var rng = SeededRandom(seed: 3, stream: "odd widths")
        var parameters: [T] = []
        for l in 0..<shape.layerCount {
            let bound = 1 / Double(shape.widths[l]).squareRoot()
            parameters += shape.weightRange(l).map { _ in T((2 * rng.nextUnit() - 1) * bound * 4) }
            parameters += shape.biasRange(l).map { _ in T(l < 2 ? -0.5 - rng.nextUnit() * bound : rng.nextUnit() - 0.5) }
        }
        // Inputs 80% exact zeros, as MNIST pixels; labels for the MSE loss.
        let x = (0..<(rows * 784)).map { _ in rng.nextUnit() < 0.8 ? T(0) : T(rng.nextUnit()) }
        let y = (0..<rows).map { _ in Int32(rng.nextInt(below: 10)) }
        var results: [KernelChoice: (loss: Double, grads: [T], kernels: [KernelChoice])] = [:]
        for kernels in KernelChoice.allCases {
            let m = MLP<T>(shape: shape, maxBatch: 200, kernels: kernels)
            m.setFileParameters(parameters)
            let loss = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in
                m.trainStep(inputs: xp.baseAddress!, labels: yp.baseAddress!, batch: rows, loss: .mse)
            }}
            results[kernels] = (loss, m.fileGradients(), m.lastKernels)
        }
        let s = results[.sparse]!, d = results[.dense]!
        XCTAssertEqual(s.kernels, [.sparse, .sparse, .dense], "both hidden layers ran sparse")
        XCTAssertEqual(s.loss, d.loss, accuracy: tolerance * abs(d.loss))
        for l in 0..<shape.layerCount {
            for r in [shape.weightRange(l), shape.biasRange(l)] {
                let scale = r.map { abs(Double(d.grads[$0])) }.max()!
                XCTAssertGreaterThan(scale, 0, "layer \(l + 1) \(r) has gradients")
                let worst = r.map { abs(Double(s.grads[$0]) - Double(d.grads[$0])) }.max()! / scale
                XCTAssertLessThanOrEqual(worst, tolerance, "\(T.self) batch \(rows) layer \(l + 1) range \(r)")
            }
        }
    }

    func testOddWidthsF64() throws {
        try check(Double.self, rows: 7, tolerance: 1e-12)
        try check(Double.self, rows: 150, tolerance: 1e-12)
    }

    func testOddWidthsF32() throws {
        try check(Float.self, rows: 7, tolerance: 1e-5)
        try check(Float.self, rows: 150, tolerance: 1e-5)
    }
}
