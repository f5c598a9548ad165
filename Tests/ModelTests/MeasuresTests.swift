import Foundation
import XCTest
import GrokCore
import Model

/// A hand-checked network, widths [4, 3, 2]:
///   W1 = [[2,0,0,0], [0,1,1,0], [-1,0,0,1]], b1 = [0, 0.5, 0.5]
///   W2 = [[1,0,0], [0,1,1]],                 b2 = [0, 0]
/// Probe x1 = [1,0,0,0], x2 = [0,1,2,0]:
///   hidden(x1) = relu([2, 0.5, -0.5]) = [2, 0.5, 0], hidden(x2) = [0, 3.5, 0.5]
///   logits(x1) = [2, 0.5],                           logits(x2) = [0, 4]
let tinyShape = try! MLPShape(widths: [4, 3, 2])
let tinyParameters: [Double] = [2, 0, 0, 0, 0, 1, 1, 0, -1, 0, 0, 1, 0, 0.5, 0.5,
                                1, 0, 0, 0, 1, 1, 0, 0]
let tinyProbe: [Double] = [1, 0, 0, 0, 0, 1, 2, 0]

final class ProbeForwardTests: XCTestCase {
    func testHandComputedActivationsAndLogits() {
        var f = ProbeForward(shape: tinyShape, count: 2)
        tinyParameters.withUnsafeBufferPointer { p in
            tinyProbe.withUnsafeBufferPointer { x in f.run(parameters: p, inputs: x) }
        }
        XCTAssertEqual(Array(f.output(0)), [2, 0.5, 0, 0, 3.5, 0.5])
        XCTAssertEqual(Array(f.logits), [2, 0.5, 0, 4])
    }
}

final class WeightMeasuresTests: XCTestCase {
    func testEntropyOfKnownMatrix() {
        // -(0.5 ln 0.5 + 0.25 ln 0.25 + 0 + 1 ln 1) = 0.5 ln 2 + 0.5 ln 2 = ln 2
        let w: [Double] = [0.5, -0.25, 0, 1]
        let h = w.withUnsafeBufferPointer { WeightMeasures.absoluteEntropy($0) }
        XCTAssertEqual(h, log(2.0), accuracy: 1e-7)
    }

    func testPerLayerEntropyAndNorms() {
        tinyParameters.withUnsafeBufferPointer { p in
            let h = WeightMeasures.absoluteEntropies(parameters: p, shape: tinyShape)
            XCTAssertEqual(h.count, 2)
            XCTAssertEqual(h[0], -2 * log(2.0), accuracy: 1e-7)  // |w| = 2 once, 1 four times
            XCTAssertEqual(h[1], 0, accuracy: 1e-7)
            let n = WeightMeasures.l2Norms(parameters: p, shape: tinyShape)
            XCTAssertEqual(n.weights, 11.0.squareRoot(), accuracy: 1e-12)  // 4+1+1+1+1 + 3
            XCTAssertEqual(n.all, 11.5.squareRoot(), accuracy: 1e-12)      // + 0.25 + 0.25
        }
    }
}

final class DivergenceTests: XCTestCase {
    func testKLByHand() {
        // p = softmax([0, ln 3]) = [1/4, 3/4], q = uniform.
        let a: [Double] = [0, log(3.0), 0, log(3.0)], b: [Double] = [0, 0, 5, 5]
        let expected = 0.25 * log(0.5) + 0.75 * log(1.5)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                XCTAssertEqual(Divergence.klSum(a, b, count: 2, classes: 2), 2 * expected, accuracy: 1e-14)
                let eps = 1e-3  // large enough to see: (p + eps) ln((p + eps) / (q + eps))
                let smoothed = (0.25 + eps) * log((0.25 + eps) / (0.5 + eps)) + (0.75 + eps) * log((0.75 + eps) / (0.5 + eps))
                XCTAssertEqual(Divergence.klMeanSmoothed(a, b, count: 2, classes: 2, epsilon: eps), smoothed, accuracy: 1e-14)
            }
        }
    }

    func testLargeLogitsAreStable() {
        let a: [Double] = [1000, 0, -1000], b: [Double] = [1000, 0, -1000]
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                XCTAssertEqual(Divergence.klSum(a, b, count: 1, classes: 3), 0)
                XCTAssertEqual(Divergence.klMeanSmoothed(a, b, count: 1, classes: 3), 0)
            }
        }
    }
}

final class ProgressMeterTests: XCTestCase {
    func testHandComputedMeasures() throws {
        let meter = try ProgressMeter(shape: tinyShape, probeInputs: tinyProbe, seed: 0)
        let m = try meter.measure(parameters: tinyParameters, step: 10)
        // Activations {2, 0.5, 0, 0, 3.5, 0.5}: four of six below tau = 1.
        XCTAssertEqual(m.sparsity, 4.0 / 6.0, accuracy: 1e-15)
        let smooth = [2, 0.5, 0, 0, 3.5, 0.5].map { 1 / (1 + exp(($0 - 1) / 0.3)) }.reduce(0, +) / 6
        XCTAssertEqual(m.sparsitySmooth, smooth, accuracy: 1e-15)
        XCTAssertEqual(m.entropy[0], -2 * log(2.0), accuracy: 1e-7)
        XCTAssertEqual(m.l2All, 11.5.squareRoot(), accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(m.lccPaper, 0)
        XCTAssertGreaterThanOrEqual(m.lccCode, 0)

        var tau2 = MeasureOptions(); tau2.tau = 2.5
        XCTAssertEqual(try ProgressMeter(shape: tinyShape, probeInputs: tinyProbe, seed: 0, options: tau2)
            .measure(parameters: tinyParameters, step: 10).sparsity, 5.0 / 6.0, accuracy: 1e-15)
    }

    func testCircuitComplexityIsZeroWhenNothingIsZeroed() throws {
        var o = MeasureOptions(); o.lccPaperFraction = 0; o.lccCodeDropout = 0
        let m = try ProgressMeter(shape: tinyShape, probeInputs: tinyProbe, seed: 3, options: o)
            .measure(parameters: tinyParameters, step: 1)
        XCTAssertEqual(m.lccPaper, 0)
        XCTAssertEqual(m.lccCode, 0)
    }

    func testCircuitComplexityWithAllWeightsZeroed() throws {
        // All weights zero: logits = b2 = [0, 0], q uniform: KL = sum_x (sum p ln p + ln 2).
        var o = MeasureOptions(); o.lccPaperFraction = 1
        let m = try ProgressMeter(shape: tinyShape, probeInputs: tinyProbe, seed: 3, options: o)
            .measure(parameters: tinyParameters, step: 1)
        func klToUniform(_ z: [Double]) -> Double {
            let e = z.map { exp($0) }, s = e.reduce(0, +)
            return e.map { $0 / s }.map { $0 * log($0) }.reduce(0, +) + log(2.0)
        }
        XCTAssertEqual(m.lccPaper, klToUniform([2, 0.5]) + klToUniform([0, 4]), accuracy: 1e-14)
    }

    func testPerturbationsTouchWeightsOnly() throws {
        let shape = try MLPShape(widths: [784, 20, 20, 10])
        let ones = [Double](repeating: 1, count: shape.parameterCount)
        var rng = SeededRandom(seed: 1, stream: "t")
        var zeroed = ones
        zeroed.withUnsafeMutableBufferPointer { CircuitPerturbation.zeroFraction(0.1).apply(to: $0, shape: shape, rng: &rng) }
        var dropped = ones
        dropped.withUnsafeMutableBufferPointer { CircuitPerturbation.dropout(0.5).apply(to: $0, shape: shape, rng: &rng) }
        for l in 0..<shape.layerCount {
            let w = shape.weightRange(l)
            XCTAssertEqual(zeroed[w].filter { $0 == 0 }.count, Int((0.1 * Double(w.count)).rounded()))
            XCTAssertTrue(zeroed[w].allSatisfy { $0 == 0 || $0 == 1 })
            XCTAssertTrue(dropped[w].allSatisfy { $0 == 0 || $0 == 2 })
            XCTAssertTrue(zeroed[shape.biasRange(l)].allSatisfy { $0 == 1 })
            XCTAssertTrue(dropped[shape.biasRange(l)].allSatisfy { $0 == 1 })
        }
        // fc1 has 15,680 weights: the dropped fraction is 0.5 within 5 standard deviations.
        let fc1 = dropped[shape.weightRange(0)]
        let frac = Double(fc1.filter { $0 == 0 }.count) / Double(fc1.count)
        XCTAssertEqual(frac, 0.5, accuracy: 5 * (0.25 / Double(fc1.count)).squareRoot())
    }

    func testDeterministicPerStepAndRebuildableFromPublicPieces() throws {
        let shape = try MLPShape(widths: [784, 20, 20, 10])
        var rng = SeededRandom(seed: 9, stream: "weights")
        let params = (0..<shape.parameterCount).map { _ in 0.2 * (2 * rng.nextUnit() - 1) }
        let probe = (0..<(5 * 784)).map { _ in rng.nextUnit() }
        let a = try ProgressMeter(shape: shape, probeInputs: probe, seed: 7)
        let b = try ProgressMeter(shape: shape, probeInputs: probe, seed: 7)
        _ = try b.measure(parameters: params, step: 3)  // earlier calls do not shift the stream
        let m = try a.measure(parameters: params, step: 100)
        XCTAssertEqual(m, try b.measure(parameters: params, step: 100))
        XCTAssertNotEqual(m.lccPaper, try a.measure(parameters: params, step: 101).lccPaper)
        XCTAssertNotEqual(m.lccPaper, try ProgressMeter(shape: shape, probeInputs: probe, seed: 8)
            .measure(parameters: params, step: 100).lccPaper)

        // The documented mask stream: SeededRandom(seed:, stream: "lcc-paper-<step>").
        var maskRng = SeededRandom(seed: 7, stream: "lcc-paper-100")
        var masked = params
        masked.withUnsafeMutableBufferPointer { CircuitPerturbation.zeroFraction(0.1).apply(to: $0, shape: shape, rng: &maskRng) }
        var f = ProbeForward(shape: shape, count: 5), g = ProbeForward(shape: shape, count: 5)
        probe.withUnsafeBufferPointer { x in
            params.withUnsafeBufferPointer { f.run(parameters: $0, inputs: x) }
            masked.withUnsafeBufferPointer { g.run(parameters: $0, inputs: x) }
        }
        let kl = Array(f.logits).withUnsafeBufferPointer { p in
            Array(g.logits).withUnsafeBufferPointer { q in Divergence.klSum(p, q, count: 5, classes: 10) }
        }
        XCTAssertEqual(m.lccPaper, kl, accuracy: 1e-12 * max(1, kl))
        XCTAssertGreaterThan(m.lccPaper, 0)
    }

    func testBadInputThrows() throws {
        XCTAssertThrowsError(try ProgressMeter(shape: tinyShape, probeInputs: [1, 2, 3], seed: 0))
        let meter = try ProgressMeter(shape: tinyShape, probeInputs: tinyProbe, seed: 0)
        XCTAssertThrowsError(try meter.measure(parameters: [1, 2], step: 0))
    }
}
