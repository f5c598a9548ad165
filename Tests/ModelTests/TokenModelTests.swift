import XCTest
import Foundation
import GrokCore
import Model
import Tensors

/// The token model's layers and the whole model against central finite differences of their
/// own forward passes (in Double), and its forward against a textbook loop.
final class TokenModelTests: XCTestCase {
    /// Central difference of f at x along coordinate i, step h.
    private func numeric(_ x: inout [Double], _ i: Int, h: Double = 1e-5, _ f: ([Double]) -> Double) -> Double {
        let saved = x[i]
        x[i] = saved + h; let up = f(x)
        x[i] = saved - h; let down = f(x)
        x[i] = saved
        return (up - down) / (2 * h)
    }

    private func assertClose(_ analytic: Double, _ numeric: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(analytic, numeric, accuracy: 1e-6 * max(1, abs(numeric)), what, file: file, line: line)
    }

    func testGELUMatchesItsDefinitionAndItsFiniteDifferences() {
        let z: [Double] = [-3, -1.2, -0.3, 0, 0.4, 1, 2.5]
        var a = [Double](repeating: 0, count: z.count), phi = a
        GELULayer.forward(z, count: z.count, out: &a, cdf: &phi)
        // gelu(1) = Phi(1) = 0.8413447460685429; gelu(-1.2) = -1.2 * Phi(-1.2) = -1.2 * 0.11506967022170822.
        XCTAssertEqual(a[5], 0.8413447460685429, accuracy: 1e-14)
        XCTAssertEqual(a[1], -1.2 * 0.11506967022170822, accuracy: 1e-14)
        XCTAssertEqual(a[3], 0)
        XCTAssertEqual(phi[3], 0.5)
        // Float (erff) agrees with Double to float rounding.
        var af = [Float](repeating: 0, count: z.count), pf = af
        GELULayer.forward(z.map { Float($0) }, count: z.count, out: &af, cdf: &pf)
        for i in z.indices { XCTAssertEqual(Double(af[i]), a[i], accuracy: 1e-6) }
        var d = [Double](repeating: 1, count: z.count)
        GELULayer.backward(z, cdf: phi, count: z.count, gradient: &d)
        for i in z.indices {
            var x = z
            let n = numeric(&x, i) { x in
                var out = [Double](repeating: 0, count: x.count), c = out
                GELULayer.forward(x, count: x.count, out: &out, cdf: &c); return out[i]
            }
            assertClose(d[i], n, "gelu'(\(z[i]))")
        }
    }

    func testEmbeddingGathersRowsAndScattersGradients() {
        let vocab = 5, dim = 3, rows = 4
        var rng = SeededRandom(seed: 1, stream: "t")
        let table = (0..<(vocab * dim)).map { _ in rng.nextUnit() - 0.5 }
        let tokens: [Double] = [0, 4, 2, 2, 4, 1, 3, 0]   // repeats: (2, 2), and 0, 4 twice
        var out = [Double](repeating: 0, count: rows * 2 * dim)
        EmbeddingLayer.forward(tokens: tokens, rows: rows, slots: 2, table: table, dim: dim, out: &out)
        XCTAssertEqual(Array(out[3..<6]), Array(table[12..<15]))    // row 0, slot 1 = E[4]
        XCTAssertEqual(Array(out[6..<9]), Array(out[9..<12]))        // row 1 = E[2] ++ E[2]
        // L = sum of out * weights: dL/dE by finite differences.
        let weights = (0..<out.count).map { _ in rng.nextUnit() - 0.5 }
        var dE = [Double](repeating: 7, count: vocab * dim)   // overwritten, not accumulated
        EmbeddingLayer.backward(tokens: tokens, rows: rows, slots: 2, dim: dim, vocab: vocab, dOut: weights, tableGradient: &dE)
        for i in 0..<(vocab * dim) {
            var e = table
            let n = numeric(&e, i) { e in
                var o = [Double](repeating: 0, count: rows * 2 * dim)
                EmbeddingLayer.forward(tokens: tokens, rows: rows, slots: 2, table: e, dim: dim, out: &o)
                return zip(o, weights).map(*).reduce(0, +)
            }
            assertClose(dE[i], n, "dE[\(i)]")
        }
    }

    func testCrossEntropyGradientIsItsFiniteDifference() {
        let rows = 3, classes = 4
        var logits: [Double] = [0.3, -1, 2, 0.5, 1, 1, 1, 1, -2, 0.1, 0.2, 3]
        let labels: [Int32] = [2, 0, 1]
        // Row 1 has equal logits: its loss is log 4; the mean is checked by hand below.
        let expected = ((log(exp(0.3) + exp(-1) + exp(2) + exp(0.5)) - 2) + log(4) + (log(exp(-2) + exp(0.1) + exp(0.2) + exp(3)) - 0.1)) / 3
        XCTAssertEqual(LossLayer.forward(.ce, logits: logits, labels: labels, rows: rows, classes: classes), expected, accuracy: 1e-14)
        var g = [Double](repeating: 0, count: logits.count)
        let value = LossLayer.backward(.ce, logits: logits, labels: labels, rows: rows, classes: classes, gradient: &g)
        XCTAssertEqual(value, expected, accuracy: 1e-14)
        for i in logits.indices {
            let n = numeric(&logits, i) { LossLayer.forward(.ce, logits: $0, labels: labels, rows: rows, classes: classes) }
            assertClose(g[i], n, "dCE/dz[\(i)]")
        }
    }

    private func model(seed: UInt64) -> EmbeddingMLP<Double> {
        let m = EmbeddingMLP<Double>(vocab: 7, dim: 3, hidden: 5, classes: 7)
        var rng = SeededRandom(seed: seed, stream: "init")
        m.initialize(scale: 1, rng: &rng)
        // The paper's biases are ~1e-6: make them visible so their gradients are tested too.
        for t in m.layout.tensors where !t.isWeight { for i in t.range { m.parameters[i] = 0.3 * rng.nextUnit() - 0.15 } }
        return m
    }

    /// All 49 pairs mod 7 with their labels, as the model's input rows.
    private var pairs: (tokens: [Double], labels: [Int32]) {
        let p = 7
        return ((0..<(p * p)).flatMap { [Double($0 / p), Double($0 % p)] }, (0..<(p * p)).map { Int32(($0 / p + $0 % p) % p) })
    }

    func testForwardMatchesTextbookLoops() {
        let m = model(seed: 2), (tokens, _) = pairs
        let logits = Array(tokens.withUnsafeBufferPointer { m.forward(tokens: $0.baseAddress!, rows: 49) })
        let p = m.fileParameters(), t = m.layout.tensors
        for r in [0, 13, 48] {
            let a = Int(tokens[2 * r]), b = Int(tokens[2 * r + 1])
            let h0 = (0..<3).map { p[t[0].offset + a * 3 + $0] } + (0..<3).map { p[t[0].offset + b * 3 + $0] }
            let a1 = (0..<5).map { o -> Double in
                let z = p[t[2].offset + o] + (0..<6).map { p[t[1].offset + o * 6 + $0] * h0[$0] }.reduce(0, +)
                return z * 0.5 * (1 + erf(z / 2.0.squareRoot()))
            }
            for c in 0..<7 {
                let z = p[t[4].offset + c] + (0..<5).map { p[t[3].offset + c * 5 + $0] * a1[$0] }.reduce(0, +)
                XCTAssertEqual(logits[r * 7 + c], z, accuracy: 1e-12)
            }
        }
    }

    func testWholeModelGradientIsItsFiniteDifference() {
        let m = model(seed: 3), (tokens, labels) = pairs
        let loss = tokens.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in
            m.gradientStep(batch: LayerBatch(inputs: x.baseAddress!, labels: y.baseAddress!, count: 49), loss: .ce) } }
        let analytic = Array(m.gradients)
        func meanLoss() -> Double {
            tokens.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in
                m.evaluate(inputs: x.baseAddress!, labels: y.baseAddress!, count: 49, loss: .ce, rows: nil).loss } }
        }
        XCTAssertEqual(loss, meanLoss(), accuracy: 1e-14)
        var checked = 0
        for i in 0..<m.layout.parameterCount {   // every parameter: E, W1, b1, W2, b2
            let saved = m.parameters[i], h = 1e-5
            m.parameters[i] = saved + h; let up = meanLoss()
            m.parameters[i] = saved - h; let down = meanLoss()
            m.parameters[i] = saved
            assertClose(analytic[i], (up - down) / (2 * h), "dL/dparameter[\(i)]")
            checked += 1
        }
        XCTAssertEqual(checked, 7 * 3 + 5 * 6 + 5 + 7 * 5 + 7)
    }

    func testInitHasThePapersScales() {
        let m = EmbeddingMLP<Double>(vocab: 59, dim: 128, hidden: 256, classes: 59)
        var rng = SeededRandom(seed: 0, stream: "init")
        m.initialize(scale: 1, rng: &rng)
        func std(_ t: ParameterLayout.Tensor) -> Double {
            let v = Array(m.parameters[t.range]); let mean = v.reduce(0, +) / Double(v.count)
            return (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot()
        }
        let t = m.layout.tensors
        XCTAssertEqual(std(t[0]), 1 / 128.0.squareRoot(), accuracy: 0.03 / 128.0.squareRoot())   // 7552 draws
        XCTAssertEqual(std(t[1]), 1 / 256.0.squareRoot(), accuracy: 0.02 / 256.0.squareRoot())
        XCTAssertEqual(std(t[3]), 1 / 256.0.squareRoot(), accuracy: 0.03 / 256.0.squareRoot())
        XCTAssertLessThan(std(t[2]), 1e-5); XCTAssertGreaterThan(std(t[2]), 1e-7)
        XCTAssertEqual(m.layout.weights.map(\.name), ["embed.weight", "fc1.weight", "fc2.weight"])
        XCTAssertEqual(m.layout.layerNames, ["embed", "fc1", "fc2"])
    }
}
