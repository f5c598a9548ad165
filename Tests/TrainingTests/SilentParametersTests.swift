import XCTest
import GrokCore
import Datasets
import Model
import Optim
import Training

/// The weights of pixels that are zero in every training image get a zero gradient on every
/// kernel path, so AdamW may leave them out (`AdamW.silentRanges`): real steps of the paper
/// recipe with and without, bit for bit, sparse and dense kernels, with and without weight decay.
final class SilentParametersTests: XCTestCase {
    func testRealStepsWithSilentRangesAreBitIdentical() throws {
        let data = SparseKernelTests.data
        let pixels = data.train.normalizedPixels(as: Double.self), labels = data.train.labelsAsInt32()
        for kernels in KernelChoice.allCases {
            for wd in [0, 0.01] {
                var finals: [[UInt64]] = []
                for skip in [false, true] {
                    let m = MLP<Double>(shape: SparseKernelTests.shape, maxBatch: 200, kernels: kernels)
                    var rng = SeededRandom(seed: 0, stream: "init")
                    m.initialize(scale: 8, rng: &rng)
                    let opt = AdamW<Double>(count: m.parameters.count, lr: 5e-4, weightDecay: wd)
                    let silent = m.silentParameterRanges(inputs: pixels)
                    let silentCount = silent.map(\.count).reduce(0, +)
                    XCTAssertGreaterThan(silentCount, 10 * 200, "MNIST's border pixels are silent")
                    XCTAssertLessThan(silentCount, 784 * 200 / 2)
                    if skip { opt.silentRanges = silent }
                    var order = BatchOrder(mode: .cycle, trainCount: 1000, batchSize: 200, seed: 0)
                    let feeder = BatchFeeder(order: order, inputs: pixels, labels: labels, features: 784, sparse: kernels == .sparse)
                    for step in 1...12 {
                        let loss = TrainingStep.run(m, opt, batch: feeder.batch(step: step, order: &order), loss: .mse)
                        XCTAssertTrue(loss.isFinite)
                        XCTAssertEqual(opt.skippedSilentRanges, skip, "\(kernels) wd \(wd) step \(step)")
                    }
                    finals.append(m.fileParameters().map(\.bitPattern) + opt.stateBuffers().flatMap { $0.values.map(\.bitPattern) })
                }
                XCTAssertEqual(zip(finals[0], finals[1]).filter { $0 != $1 }.count, 0, "\(kernels) wd \(wd): parameters or moments differ")
            }
        }
    }
}
