import XCTest
import GrokCore
import Optim

/// Gradients used by every hand-computed case: three parameters, three steps.
private let p0: [Double] = [1.0, -2.0, 0.5]
private let grads: [[Double]] = [[0.1, -0.2, 0.3], [0.05, 0.4, -0.1], [-0.3, 0.1, 0.0]]

private func runSteps<O: Optimizer>(_ opt: O, params: inout [O.Scalar], gradients: [[Double]]) -> [[O.Scalar]] {
    var trace: [[O.Scalar]] = []
    for g in gradients {
        let gt = g.map { O.Scalar($0) }
        params.withUnsafeMutableBufferPointer { p in
            gt.withUnsafeBufferPointer { opt.step(parameters: p, gradients: $0) }
        }
        trace.append(params)
    }
    return trace
}

private func assertClose<T: BinaryFloatingPoint>(_ a: [T], _ b: [Double], rel: Double, _ msg: String, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, msg, line: line)
    for (x, y) in zip(a, b) {
        XCTAssertLessThanOrEqual(abs(Double(x) - y), rel * max(abs(y), 1e-3), "\(msg): \(x) vs \(y)", line: line)
    }
}

final class AdamWTests: XCTestCase {
    // lr 0.01, wd 0.1, b1 0.9, b2 0.999, eps 1e-8 (PyTorch order, see AdamW.swift).
    // Step 1, first parameter (p = 1, g = 0.1):
    //   p = 1 * (1 - 0.01*0.1) = 0.999
    //   m = 0 + 0.1*(0.1 - 0) = 0.01;  v = 0*0.999 + 0.001*0.1*0.1 = 1e-5
    //   step_size = 0.01/(1 - 0.9) = 0.1;  denom = sqrt(1e-5)/sqrt(1 - 0.999) + 1e-8 = 0.1 + 1e-8
    //   p = 0.999 - 0.1*0.01/(0.1 + 1e-8) = 0.999 - 0.0099999990000001 = 0.989000001
    // Step 2, first parameter (g = 0.05):
    //   p = 0.989000001*0.999 = 0.988011000999;  m = 0.01 + 0.1*(0.05 - 0.01) = 0.014
    //   v = 1e-5*0.999 + 0.001*0.0025 = 1.249e-5;  step_size = 0.01/0.19 = 0.0526315789...
    //   denom = sqrt(1.249e-5)/sqrt(0.001999) + 1e-8 = 0.0790454...;  p -= 0.05263158*0.014/0.0790454
    //   = 0.988011000999 - 0.0093217952 = 0.9786892058
    // The remaining literals were produced by the same recurrence evaluated in float64 (Python).
    let expected: [[Double]] = [
        [0.9890000009999999, -1.9880000005, 0.4895000003333333],
        [0.978689205790187, -1.989673035654104, 0.48500831479247475],
        [0.9811827514662487, -1.9918398744602297, 0.48142960548641783],
    ]

    func testHandComputedDouble() {
        let opt = AdamW<Double>(count: 3, lr: 0.01, weightDecay: 0.1)
        var p = p0
        let trace = runSteps(opt, params: &p, gradients: grads)
        for s in 0..<3 { assertClose(trace[s], expected[s], rel: 1e-12, "AdamW<Double> step \(s + 1)") }
        XCTAssertEqual(opt.stepCount, 3)
        let state = Dictionary(uniqueKeysWithValues: opt.stateBuffers().map { ($0.name, $0.values) })
        assertClose(state["exp_avg"]!, [-0.017399999999999992, 0.0298, 0.015299999999999996], rel: 1e-12, "exp_avg")
        assertClose(state["exp_avg_sq"]!, [0.00010247751000000009, 0.00020976004000000022, 9.98100900000001e-05], rel: 1e-12, "exp_avg_sq")
    }

    func testHandComputedFloat() {
        let opt = AdamW<Float>(count: 3, lr: 0.01, weightDecay: 0.1)
        var p = p0.map { Float($0) }
        let trace = runSteps(opt, params: &p, gradients: grads)
        for s in 0..<3 { assertClose(trace[s], expected[s], rel: 1e-5, "AdamW<Float> step \(s + 1)") }
    }

    func testDecayIsDecoupled() {
        // Zero gradient: m = v = 0, so the Adam term is 0/(0 + eps) = 0 and only p *= 1 - lr*wd acts.
        let opt = AdamW<Double>(count: 3, lr: 0.5, weightDecay: 0.2)
        var p = p0
        _ = runSteps(opt, params: &p, gradients: [[0, 0, 0]])
        assertClose(p, p0.map { $0 * 0.9 }, rel: 1e-15, "decay only")
    }

    func testSaveRestoreContinuesIdentically() throws {
        var rng = SeededRandom(seed: 7)
        let n = 50
        let gs = (0..<6).map { _ in (0..<n).map { _ in rng.nextUnit() - 0.5 } }
        var pa = (0..<n).map { _ in rng.nextUnit() }
        let a = AdamW<Double>(count: n, lr: 0.01, weightDecay: 0.05)
        _ = runSteps(a, params: &pa, gradients: Array(gs[0..<3]))
        let saved = Dictionary(uniqueKeysWithValues: a.stateBuffers().map { ($0.name, $0.values) })
        var pb = pa
        let b = AdamW<Double>(count: n, lr: 0.01, weightDecay: 0.05)
        try b.restore(stepCount: a.stepCount, buffers: saved)
        XCTAssertEqual(b.stepCount, 3)
        _ = runSteps(a, params: &pa, gradients: Array(gs[3...]))
        _ = runSteps(b, params: &pb, gradients: Array(gs[3...]))
        XCTAssertEqual(pa, pb)
    }

    func testRestoreRejectsBadState() {
        let opt = AdamW<Float>(count: 4, lr: 0.01, weightDecay: 0)
        XCTAssertThrowsError(try opt.restore(stepCount: 1, buffers: ["exp_avg": [0, 0, 0, 0]]))
        XCTAssertThrowsError(try opt.restore(stepCount: 1, buffers: ["exp_avg": [0, 0, 0, 0], "exp_avg_sq": [0, 0]])) {
            XCTAssertTrue(($0 as? GrokError)?.message.contains("exp_avg_sq") ?? false)
        }
        XCTAssertEqual(opt.stepCount, 0)
    }

    func testThreadCountDoesNotChangeResults() {
        var rng = SeededRandom(seed: 3)
        let n = 20_011
        let gs = (0..<3).map { _ in (0..<n).map { _ in Float(rng.nextUnit() - 0.5) } }
        let start = (0..<n).map { _ in Float(rng.nextUnit()) }
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            let opt = AdamW<Float>(count: n, lr: 0.01, weightDecay: 0.1)
            opt.threads = threads
            var p = start
            _ = runSteps(opt, params: &p, gradients: gs.map { $0.map(Double.init) })
            results.append(p)
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
    }
}

final class SGDTests: XCTestCase {
    // lr 0.1, momentum 0.9, wd 0.01, first parameter:
    //   step 1: g' = 0.1 + 0.01*1 = 0.11;  buf = g' = 0.11;  p = 1 - 0.1*0.11 = 0.989
    //   step 2: g' = 0.05 + 0.01*0.989 = 0.05989;  buf = 0.9*0.11 + 0.05989 = 0.15889;
    //           p = 0.989 - 0.015889 = 0.973111
    //   step 3: g' = -0.3 + 0.00973111 = -0.29026889;  buf = 0.9*0.15889 - 0.29026889 = -0.14726789;
    //           p = 0.973111 + 0.014726789 = 0.987837789
    let expected: [[Double]] = [
        [0.989, -1.978, 0.46950000000000003],
        [0.973111, -1.996222, 0.45158050000000005],
        [0.987837789, -2.0206255779999998, 0.43500136950000007],
    ]

    func testHandComputedMomentum() {
        let d = SGD<Double>(count: 3, lr: 0.1, momentum: 0.9, weightDecay: 0.01)
        var p = p0
        let trace = runSteps(d, params: &p, gradients: grads)
        for s in 0..<3 { assertClose(trace[s], expected[s], rel: 1e-14, "SGD<Double> step \(s + 1)") }
        let buf = d.stateBuffers()
        XCTAssertEqual(buf.map(\.name), ["momentum_buffer"])
        assertClose(buf[0].values, [-0.14726788999999998, 0.24403578, 0.16579130500000003], rel: 1e-14, "momentum_buffer")

        let f = SGD<Float>(count: 3, lr: 0.1, momentum: 0.9, weightDecay: 0.01)
        var pf = p0.map { Float($0) }
        let tf = runSteps(f, params: &pf, gradients: grads)
        for s in 0..<3 { assertClose(tf[s], expected[s], rel: 1e-6, "SGD<Float> step \(s + 1)") }
    }

    func testPlainSGD() {
        // No momentum, no decay: p -= lr * g.
        let opt = SGD<Double>(count: 3, lr: 0.5, momentum: 0, weightDecay: 0)
        var p = p0
        _ = runSteps(opt, params: &p, gradients: [grads[0]])
        assertClose(p, [0.95, -1.9, 0.35], rel: 1e-15, "plain SGD")
        XCTAssertTrue(opt.stateBuffers().isEmpty)
    }

    func testSaveRestoreContinuesIdentically() throws {
        var rng = SeededRandom(seed: 11)
        let n = 40
        let gs = (0..<5).map { _ in (0..<n).map { _ in rng.nextUnit() - 0.5 } }
        var pa = (0..<n).map { _ in Float(rng.nextUnit()) }
        let a = SGD<Float>(count: n, lr: 0.05, momentum: 0.9, weightDecay: 0.001)
        _ = runSteps(a, params: &pa, gradients: Array(gs[0..<2]))
        let saved = Dictionary(uniqueKeysWithValues: a.stateBuffers().map { ($0.name, $0.values) })
        var pb = pa
        let b = SGD<Float>(count: n, lr: 0.05, momentum: 0.9, weightDecay: 0.001)
        try b.restore(stepCount: a.stepCount, buffers: saved)
        _ = runSteps(a, params: &pa, gradients: Array(gs[2...]))
        _ = runSteps(b, params: &pb, gradients: Array(gs[2...]))
        XCTAssertEqual(pa, pb)
        XCTAssertThrowsError(try b.restore(stepCount: 2, buffers: [:]))
        XCTAssertThrowsError(try b.restore(stepCount: 2, buffers: ["momentum_buffer": [1]]))
    }
}
