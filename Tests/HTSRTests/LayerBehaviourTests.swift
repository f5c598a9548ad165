import GrokCore
import HTSR
import XCTest

/// Failure paths, Conv2D, parallelism, the model summary.
final class LayerBehaviourTests: XCTestCase {
    func gaussian(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix<Double> {
        var rng = SeededRandom(seed: seed)
        var v = [Double](repeating: 0, count: rows * cols)
        for i in 0..<v.count {  // Box-Muller
            let u1 = max(rng.nextUnit(), 1e-300), u2 = rng.nextUnit()
            v[i] = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        return Matrix(rows: rows, cols: cols, values: v)
    }

    func testTooFewColumnsIsSkippedWithReason() {
        let r = HTSRAnalyzer.analyze(LayerInput(name: "thin", matrix: gaussian(50, 7, seed: 1)), options: HTSROptions())
        XCTAssertEqual(r.status, .skipped("M = 7 < 8: too few eigenvalues"))
        XCTAssertEqual(r.status.description, "skipped: M = 7 < 8: too few eigenvalues")
        XCTAssertNil(r.alpha); XCTAssertNil(r.logNorm)
        XCTAssertEqual(r.M, 7); XCTAssertEqual(r.N, 50)
        var o = HTSROptions()
        o.maxM = 9
        let big = HTSRAnalyzer.analyze(LayerInput(name: "big", matrix: gaussian(20, 10, seed: 1)), options: o)
        guard case .skipped(let why) = big.status else { return XCTFail("\(big.status)") }
        XCTAssertTrue(why.contains("M = 10 > 9"), why)
    }

    /// A rank-one matrix has one eigenvalue above 1e-5: the power-law fit fails and says so;
    /// no alpha, no label; the norm metrics still exist.
    func testRankOneMatrixFitFailsHonestly() {
        var w = Matrix<Double>(rows: 30, cols: 10)
        for r in 0..<30 { for c in 0..<10 { w[r, c] = Double(r + 1) * Double(c + 1) / 100 } }
        var o = HTSROptions()
        o.randomize = true
        let r = HTSRAnalyzer.analyze(LayerInput(name: "r1", matrix: w), options: o)
        guard case .fitFailed(let why) = r.status else { return XCTFail("\(r.status)") }
        XCTAssertTrue(why.contains("at least 2 eigenvalues"), why)
        XCTAssertNil(r.alpha); XCTAssertNil(r.warning); XCTAssertNil(r.alphaWeighted)
        XCTAssertEqual(r.matrixRank, 1)
        XCTAssertEqual(try XCTUnwrap(r.stableRank), 1, accuracy: 1e-9)
        XCTAssertNotNil(r.logNorm)
    }

    func testNaNAndZeroMatricesFailWithoutCrashing() {
        var w = gaussian(40, 20, seed: 2)
        w[3, 4] = .nan
        let r = HTSRAnalyzer.analyze(LayerInput(name: "nan", matrix: w), options: HTSROptions())
        guard case .fitFailed(let why) = r.status else { return XCTFail("\(r.status)") }
        XCTAssertTrue(why.contains("NaN"), why)
        XCTAssertNil(r.alpha); XCTAssertNil(r.norm)
        let z = HTSRAnalyzer.analyze(LayerInput(name: "zero", matrix: Matrix(rows: 40, cols: 20)), options: HTSROptions())
        XCTAssertEqual(z.status, .fitFailed("all eigenvalues are zero (W = 0)"))
        XCTAssertEqual(z.norm, 0)
        // Failed layers still encode to JSON (no NaN or infinity anywhere).
        XCTAssertNoThrow(try JSONEncoder().encode([r, z]))
    }

    /// A Conv2D kernel's ESD is the pool of its kh*kw slices' ESDs, each eigenvalue halved.
    func testConv2DPoolsHalvedSliceSpectra() throws {
        let (out, cin, kh, kw) = (16, 12, 3, 2)
        let flat = gaussian(1, out * cin * kh * kw, seed: 3).values
        var o = HTSROptions()
        o.keepEigenvalues = true
        let conv = HTSRAnalyzer.analyze(LayerInput(name: "conv", conv2d: flat, shape: (out, cin, kh, kw)), options: o)
        var pooled: [Double] = []
        for a in 0..<kh {
            for b in 0..<kw {
                var s = Matrix<Double>(rows: out, cols: cin)
                for i in 0..<out { for j in 0..<cin { s[i, j] = flat[((i * cin + j) * kh + a) * kw + b] } }
                let d = HTSRAnalyzer.analyze(LayerInput(name: "s", matrix: s), options: o)
                pooled += try XCTUnwrap(d.eigenvalues).map { $0 / 2 }
            }
        }
        pooled.sort()
        let got = try XCTUnwrap(conv.eigenvalues)
        XCTAssertEqual(got.count, kh * kw * cin)
        for (g, p) in zip(got, pooled) { XCTAssertEqual(g, p, accuracy: 1e-12 * max(1, p)) }
        XCTAssertEqual(conv.kind, "conv2d")
        XCTAssertEqual([conv.N, conv.M], [16, 12])
        XCTAssertEqual(conv.status, .ok)
    }

    /// Results do not depend on how many layers run at once.
    func testParallelAnalysisIsDeterministic() {
        let layers = (0..<4).map { LayerInput(name: "fc\($0)", matrix: gaussian(60 + 10 * $0, 30, seed: UInt64($0))) }
        var o = HTSROptions()
        o.randomize = true; o.seed = 11
        o.threads = 1
        let serial = HTSRAnalyzer.analyze(layers: layers, options: o)
        o.threads = 3
        let parallel = HTSRAnalyzer.analyze(layers: layers, options: o)
        XCTAssertEqual(serial, parallel)
        XCTAssertEqual(serial.map(\.name), ["fc0", "fc1", "fc2", "fc3"])
        XCTAssertEqual(serial[1], HTSRAnalyzer.analyze(layers[1], options: o))
    }

    func testSummaryExcludesFailedLayersAndSaysSo() throws {
        let layers = [
            LayerInput(name: "good1", matrix: gaussian(80, 40, seed: 5)),
            LayerInput(name: "good2", matrix: gaussian(90, 30, seed: 6)),
            LayerInput(name: "thin", matrix: gaussian(90, 3, seed: 7)),
        ]
        let r = HTSRAnalyzer.analyze(layers: layers, options: HTSROptions())
        let s = ModelSummary(r)
        XCTAssertEqual(s.analysedLayers, ["good1", "good2"])
        XCTAssertEqual(s.excludedLayers.map(\.name), ["thin"])
        XCTAssertTrue(s.excludedLayers[0].reason.hasPrefix("skipped: "))
        XCTAssertEqual(try XCTUnwrap(s.alpha), (r[0].alpha! + r[1].alpha!) / 2, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(s.mpSoftrank), (r[0].mpSoftrank! + r[1].mpSoftrank!) / 2, accuracy: 1e-12)
        // Round trip through JSON with WeightWatcher's names.
        let data = try JSONEncoder().encode(r)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"alpha_weighted\""))
        XCTAssertTrue(text.contains("\"log_spectral_norm\""))
        XCTAssertEqual(try JSONDecoder().decode([LayerAnalysis].self, from: data), r)
    }
}
