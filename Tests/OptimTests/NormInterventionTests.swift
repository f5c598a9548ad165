import XCTest
import Optim

/// The clamp's arithmetic on a hand-made buffer: two "weight" ranges and biases in between.
final class NormInterventionTests: XCTestCase {
    // Weights [3, 4] and [12] (total norm sqrt(9 + 16 + 144) = 13), bias 7 at index 2.
    let start: [Double] = [3, 4, 7, 12]
    let weights: [Range<Int>] = [0..<2, 3..<4]

    func testHoldScalesTheWeightsToTheTargetAndLeavesBiases() {
        var p = start
        let clamp = NormIntervention<Double>(rule: .hold(target: 26, fromStep: 5), ranges: weights)
        let before = p.withUnsafeMutableBufferPointer { clamp.apply(afterStep: 4, to: $0) }
        XCTAssertEqual(before, 1)
        XCTAssertEqual(p, start, "before --clamp-from nothing moves")
        let factor = p.withUnsafeMutableBufferPointer { clamp.apply(afterStep: 5, to: $0) }
        XCTAssertEqual(factor, 2)            // 26 / 13
        XCTAssertEqual(p, [6, 8, 7, 24])     // weights doubled, the bias untouched
        let again = p.withUnsafeMutableBufferPointer { clamp.apply(afterStep: 6, to: $0) }
        XCTAssertEqual(again, 1, accuracy: 1e-15, "already at the target")
    }

    func testNormAfterTheClampIsTheTargetToRounding() {
        // Random-ish f32 and f64 buffers: the weight norm afterwards is rho * W_C to rounding.
        var x: UInt64 = 12345
        func next() -> Double { x = x &* 6364136223846793005 &+ 1442695040888963407; return Double(x >> 11) / Double(1 << 53) - 0.5 }
        let n = 10_000
        let ranges = [0..<6000, 6100..<9900]
        var d = (0..<n).map { _ in next() * 3 }
        var f = d.map(Float.init)
        let original = d
        let target = 1.1 * 57.3
        let cd = NormIntervention<Double>(rule: .hold(target: target, fromStep: 0), ranges: ranges)
        let cf = NormIntervention<Float>(rule: .hold(target: target, fromStep: 0), ranges: ranges)
        d.withUnsafeMutableBufferPointer { _ = cd.apply(afterStep: 1, to: $0) }
        f.withUnsafeMutableBufferPointer { _ = cf.apply(afterStep: 1, to: $0) }
        // An independent norm (pairwise order, not the intervention's loop).
        func norm<T: BinaryFloatingPoint>(_ a: [T]) -> Double {
            ranges.map { r in r.map { Double(a[$0]) * Double(a[$0]) }.reduce(0, +) }.reduce(0, +).squareRoot()
        }
        XCTAssertEqual(norm(d), target, accuracy: target * 1e-14)
        XCTAssertEqual(norm(f), target, accuracy: target * 1e-6)
        // Outside the ranges (the "biases") nothing moved; inside, one common factor.
        XCTAssertEqual(Array(d[6000..<6100]), Array(original[6000..<6100]))
        XCTAssertEqual(Array(d[9900..<n]), Array(original[9900..<n]))
        let k = d[0] / original[0]
        XCTAssertEqual(d[9000] / original[9000], k, accuracy: 1e-13)
    }

    func testScaleOnceActsOnlyAtItsStep() {
        var p = start
        let once = NormIntervention<Double>(rule: .scaleOnce(factor: 0.5, atStep: 3), ranges: weights)
        for step in 1...6 {
            let f = p.withUnsafeMutableBufferPointer { once.apply(afterStep: step, to: $0) }
            XCTAssertEqual(f, step == 3 ? 0.5 : 1)
        }
        XCTAssertEqual(p, [1.5, 2, 7, 6])
    }

    /// The clamp touches the parameters only: Adam's moments after a clamped step are those of
    /// an unclamped twin fed the same gradients (a reset would zero them).
    func testAdamMomentsAreKept() {
        let grads: [[Double]] = [[0.1, -0.2, 0.3, 0.05], [0.05, 0.4, -0.1, -0.3]]
        let a = AdamW<Double>(count: 4, lr: 0.01, weightDecay: 0.1), b = AdamW<Double>(count: 4, lr: 0.01, weightDecay: 0.1)
        var pa = start, pb = start
        let clamp = NormIntervention<Double>(rule: .hold(target: 5, fromStep: 1), ranges: weights)
        for (i, g) in grads.enumerated() {
            g.withUnsafeBufferPointer { gp in
                pa.withUnsafeMutableBufferPointer { a.step(parameters: $0, gradients: gp); _ = clamp.apply(afterStep: i + 1, to: $0) }
                pb.withUnsafeMutableBufferPointer { b.step(parameters: $0, gradients: gp) }
            }
        }
        XCTAssertEqual(a.stepCount, 2)
        XCTAssertEqual(a.stateBuffers().map(\.values), b.stateBuffers().map(\.values))
        XCTAssertTrue(a.stateBuffers()[0].values.contains { $0 != 0 })
        XCTAssertNotEqual(pa, pb)
        let w = (pa[0] * pa[0] + pa[1] * pa[1] + pa[3] * pa[3]).squareRoot()
        XCTAssertEqual(w, 5, accuracy: 1e-14)
        XCTAssertEqual(pa[2], pb[2], "the bias follows Adam alone")
    }
}
