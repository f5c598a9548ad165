import XCTest
import Foundation
import GrokCore
import Model

// MARK: an independent reference (plain loops over nested arrays, in Double)

/// Logits of one row by the textbook definition: h = relu(W h + b) per hidden layer.
private func referenceLogits<T: BLASScalar>(_ mlp: MLP<T>, row: [Double]) -> [Double] {
    let s = mlp.shape
    let p = mlp.fileParameters()   // PyTorch layout: W [out, in] row-major
    var h = row
    for l in 0..<s.layerCount {
        let nIn = s.widths[l], nOut = s.widths[l + 1]
        let w = s.weightRange(l).lowerBound, b = s.biasRange(l).lowerBound
        var out = [Double](repeating: 0, count: nOut)
        for o in 0..<nOut {
            var z = Double(p[b + o])
            for i in 0..<nIn { z += Double(p[w + o * nIn + i]) * h[i] }
            out[o] = l == s.layerCount - 1 ? z : max(0, z)
        }
        h = out
    }
    return h
}

/// Per-row loss by definition: CE = log(sum exp z) - z_y;  MSE = sum_j (z_j - [j == y])^2
/// (the caller divides by rows, or rows * classes for MSE).
private func referenceRowLoss(_ z: [Double], label: Int, loss: Loss) -> Double {
    switch loss {
    case .ce: return log(z.map { exp($0) }.reduce(0, +)) - z[label]
    case .mse: return z.indices.map { j in pow(z[j] - (j == label ? 1 : 0), 2) }.reduce(0, +)
    }
}

private func randomData<T: BLASScalar>(_: T.Type, rows: Int, cols: Int, classes: Int, seed: UInt64) -> ([T], [Int32]) {
    var rng = SeededRandom(seed: seed, stream: "data")
    let x = (0..<(rows * cols)).map { _ in T(rng.nextUnit() * 2 - 1) }
    let y = (0..<rows).map { _ in Int32(rng.nextInt(below: classes)) }
    return (x, y)
}

private func makeModel<T: BLASScalar>(_: T.Type, _ widths: [Int], maxBatch: Int, scale: Double = 1, seed: UInt64 = 1) throws -> MLP<T> {
    let mlp = MLP<T>(shape: try MLPShape(widths: widths), maxBatch: maxBatch)
    var rng = SeededRandom(seed: seed, stream: "init")
    mlp.initialize(scale: scale, rng: &rng)
    return mlp
}

// MARK: shape and layout

final class MLPShapeTests: XCTestCase {
    func testLayoutOfThePaperNetwork() throws {
        let s = try MLPShape(widths: [784, 200, 200, 10])
        XCTAssertEqual(s.layerCount, 3)
        XCTAssertEqual(s.parameterCount, 784 * 200 + 200 + 200 * 200 + 200 + 200 * 10 + 10)  // 199210
        XCTAssertEqual((0..<3).map(s.layerName), ["fc1", "fc2", "fc3"])
        XCTAssertEqual(s.weightRange(0), 0..<156_800)
        XCTAssertEqual(s.biasRange(0), 156_800..<157_000)
        XCTAssertEqual(s.weightRange(1), 157_000..<197_000)
        XCTAssertEqual(s.biasRange(1), 197_000..<197_200)
        XCTAssertEqual(s.weightRange(2), 197_200..<199_200)
        XCTAssertEqual(s.biasRange(2), 199_200..<199_210)
    }

    func testRejectsBadWidths() throws {
        for bad in [[], [5], [5, 0, 3], [4, -1]] {
            XCTAssertThrowsError(try MLPShape(widths: bad)) { XCTAssertTrue($0 is GrokError) }
        }
        XCTAssertThrowsError(try MLPShape(widths: [Int.max / 2, 4]))
    }

    func testCodableRoundTripValidates() throws {
        let s = try MLPShape(widths: [3, 4, 2])
        let data = try JSONEncoder().encode(s)
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"{"widths":[3,4,2]}"#)
        XCTAssertEqual(try JSONDecoder().decode(MLPShape.self, from: data), s)
        XCTAssertThrowsError(try JSONDecoder().decode(MLPShape.self, from: Data(#"{"widths":[3]}"#.utf8)))
    }
}

// MARK: initialization and norms

final class InitializationTests: XCTestCase {
    func testBoundsMeanAndDrawOrder() throws {
        let scale = 3.0
        let mlp = try makeModel(Double.self, [20, 30, 7], maxBatch: 1, scale: scale, seed: 5)
        let s = mlp.shape
        for l in 0..<s.layerCount {
            let bound = scale / Double(s.widths[l]).squareRoot()
            let r = s.weightRange(l).lowerBound..<s.biasRange(l).upperBound
            for i in r { XCTAssertLessThanOrEqual(abs(mlp.parameters[i]), bound) }
            XCTAssertGreaterThan(r.map { abs(mlp.parameters[$0]) }.max()!, 0.9 * bound)  // really uses the range
        }
        // Draw order: fc1.weight row-major, fc1.bias, fc2.weight, ... each (2u-1)*bound*scale.
        var rng = SeededRandom(seed: 5, stream: "init")
        let file = mlp.fileParameters()
        for i in 0..<s.parameterCount {
            let l = (0..<s.layerCount).first { s.biasRange($0).upperBound > i }!
            let expected = (2 * rng.nextUnit() - 1) / Double(s.widths[l]).squareRoot() * scale
            XCTAssertEqual(file[i], expected, accuracy: 1e-15 * scale)
        }
    }

    /// E[w^2] for w ~ U(-a, a) is a^2/3 with a = scale/sqrt(fan_in), so a layer with fan_in n
    /// and n_out outputs contributes (n_out*n + n_out) * scale^2 / (3n) to the squared norm:
    ///   fc1: 200*785/(3*784) = 66.752,  fc2: 200*201/600 = 67.0,  fc3: 10*201/600 = 3.35
    ///   sum 137.102 -> norm = scale * sqrt(137.102) = 11.709 * scale: 93.67 at 8, 46.84 at 4.
    func testPaperNormsAtLargeInit() throws {
        for (scale, expected) in [(8.0, 93.67), (4.0, 46.84)] {
            for seed: UInt64 in [1, 2] {
                let mlp = try makeModel(Float.self, [784, 200, 200, 10], maxBatch: 1, scale: scale, seed: seed)
                let n = mlp.norms()
                XCTAssertEqual(n.total, expected, accuracy: 0.01 * expected, "scale \(scale)")
                let all = mlp.parameters.map { Double($0) }
                let mean = all.reduce(0, +) / Double(all.count)
                XCTAssertLessThan(abs(mean), 0.01 * scale / 28)  // mean of 199210 draws: sd ~ 0.0011*scale
            }
        }
    }

    func testSameSeedSameParameters() throws {
        let a = try makeModel(Float.self, [10, 8, 3], maxBatch: 1, seed: 9)
        let b = try makeModel(Float.self, [10, 8, 3], maxBatch: 1, seed: 9)
        let c = try makeModel(Float.self, [10, 8, 3], maxBatch: 1, seed: 10)
        XCTAssertEqual(Array(a.parameters), Array(b.parameters))
        XCTAssertNotEqual(Array(a.parameters), Array(c.parameters))
    }

    func testNormsMatchDefinition() throws {
        let mlp = try makeModel(Double.self, [5, 4, 3], maxBatch: 1, scale: 2)
        let s = mlp.shape
        func sq(_ r: Range<Int>) -> Double { r.map { mlp.parameters[$0] * mlp.parameters[$0] }.reduce(0, +) }
        let n = mlp.norms()
        XCTAssertEqual(n.perLayer.count, 2)
        for l in 0..<2 {
            XCTAssertEqual(n.perLayer[l], (sq(s.weightRange(l)) + sq(s.biasRange(l))).squareRoot(), accuracy: 1e-12)
        }
        XCTAssertEqual(n.weights, (sq(s.weightRange(0)) + sq(s.weightRange(1))).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(n.total, sq(0..<s.parameterCount).squareRoot(), accuracy: 1e-12)
    }
}

// MARK: forward and evaluation

final class ForwardTests: XCTestCase {
    func checkForward<T: BLASScalar>(_: T.Type, tolerance: Double) throws {
        let widths = [7, 6, 5, 4]
        let mlp = try makeModel(T.self, widths, maxBatch: 5, scale: 2)
        let (x, _) = randomData(T.self, rows: 3, cols: 7, classes: 4, seed: 2)
        let logits = Array(x.withUnsafeBufferPointer { mlp.forward(inputs: $0.baseAddress!, batch: 3) })
        XCTAssertEqual(logits.count, 12)
        var activeReLU = false
        for r in 0..<3 {
            let ref = referenceLogits(mlp, row: x[(r * 7)..<(r * 7 + 7)].map { Double($0) })
            for j in 0..<4 { XCTAssertEqual(Double(logits[r * 4 + j]), ref[j], accuracy: tolerance) }
            activeReLU = activeReLU || ref.contains { $0 != 0 }
        }
        XCTAssertTrue(activeReLU)
    }
    func testForwardDouble() throws { try checkForward(Double.self, tolerance: 1e-12) }
    func testForwardFloat() throws { try checkForward(Float.self, tolerance: 1e-5) }

    /// 2345 rows: two full chunks of evaluationChunk (1000) and a partial one.
    func checkEvaluate<T: BLASScalar>(_: T.Type, tolerance: Double) throws {
        let count = 2345
        XCTAssertNotEqual(count % MLP<T>.evaluationChunk, 0)
        XCTAssertGreaterThan(count, MLP<T>.evaluationChunk)
        let mlp = try makeModel(T.self, [6, 5, 3], maxBatch: 4, scale: 2)
        let (x, y) = randomData(T.self, rows: count, cols: 6, classes: 3, seed: 4)
        for loss in Loss.allCases {
            var sum = 0.0, correct = 0
            for r in 0..<count {
                let z = referenceLogits(mlp, row: x[(r * 6)..<(r * 6 + 6)].map { Double($0) })
                sum += referenceRowLoss(z, label: Int(y[r]), loss: loss)
                if z.firstIndex(of: z.max()!)! == Int(y[r]) { correct += 1 }
            }
            let refLoss = sum / Double(loss == .mse ? count * 3 : count)
            let got = x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { mlp.evaluate(inputs: xp.baseAddress!, labels: $0.baseAddress!, count: count, loss: loss) }
            }
            XCTAssertEqual(got.loss, refLoss, accuracy: tolerance * max(1, refLoss), "\(loss)")
            XCTAssertEqual(got.accuracy, Double(correct) / Double(count), "\(loss)")
            XCTAssertGreaterThan(got.accuracy, 0.05)
        }
    }
    func testEvaluateDouble() throws { try checkEvaluate(Double.self, tolerance: 1e-12) }
    func testEvaluateFloat() throws { try checkEvaluate(Float.self, tolerance: 1e-5) }

    func testTrainStepLossMatchesEvaluate() throws {
        let mlp = try makeModel(Double.self, [6, 5, 4, 3], maxBatch: 8)
        let (x, y) = randomData(Double.self, rows: 8, cols: 6, classes: 3, seed: 6)
        for loss in Loss.allCases {
            x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in
                let e = mlp.evaluate(inputs: xp.baseAddress!, labels: yp.baseAddress!, count: 8, loss: loss)
                let t = mlp.trainStep(inputs: xp.baseAddress!, labels: yp.baseAddress!, batch: 8, loss: loss)
                XCTAssertEqual(t, e.loss, accuracy: 1e-14)
            }}
        }
    }
}

// MARK: gradients against central finite differences

final class GradientTests: XCTestCase {
    /// Analytic gradient of trainStep vs (L(p + h) - L(p - h)) / 2h with L from evaluate()
    /// (a separate code path: no gradient buffers), on the given coordinates.
    /// Passes when |a - n| <= 1e-6 * max(|a|, |n|) + floor, where the floor is the rounding
    /// error of the difference quotient itself (~ulp(L)/h, 10x margin) and covers exact zeros.
    func checkGradients(widths: [Int], batch: Int, loss: Loss, coordinates: [Int]?, seed: UInt64) throws {
        let mlp = try makeModel(Double.self, widths, maxBatch: batch, scale: 1, seed: seed)
        let (x, y) = randomData(Double.self, rows: batch, cols: widths[0], classes: widths.last!, seed: seed)
        try x.withUnsafeBufferPointer { xp in try y.withUnsafeBufferPointer { yp in
            _ = mlp.trainStep(inputs: xp.baseAddress!, labels: yp.baseAddress!, batch: batch, loss: loss)
            let analytic = Array(mlp.gradients)
            func lossAt() -> Double {
                mlp.evaluate(inputs: xp.baseAddress!, labels: yp.baseAddress!, count: batch, loss: loss).loss
            }
            let h = 1e-6
            let floor = 10 * Double.ulpOfOne * abs(lossAt()) / h
            var nonzero = 0
            for i in coordinates ?? Array(0..<mlp.shape.parameterCount) {
                let p = mlp.parameters[i]
                mlp.parameters[i] = p + h; let up = lossAt()
                mlp.parameters[i] = p - h; let down = lossAt()
                mlp.parameters[i] = p
                let numeric = (up - down) / (2 * h)
                let a = analytic[i]
                if abs(a) > 1e-8 { nonzero += 1 }
                XCTAssertLessThanOrEqual(abs(a - numeric), 1e-6 * max(abs(a), abs(numeric)) + floor,
                                         "\(loss) param \(i): analytic \(a) numeric \(numeric)")
            }
            // The check means something only if most gradients are not zero.
            XCTAssertGreaterThan(nonzero, (coordinates?.count ?? mlp.shape.parameterCount) / 2)
            if nonzero == 0 { throw GrokError("all gradients zero") }
        }}
    }

    func testEveryParameterTinyMSE() throws { try checkGradients(widths: [6, 5, 4, 3], batch: 4, loss: .mse, coordinates: nil, seed: 1) }
    func testEveryParameterTinyCE() throws { try checkGradients(widths: [6, 5, 4, 3], batch: 4, loss: .ce, coordinates: nil, seed: 2) }

    /// The real layout, a few coordinates in every tensor (first, last and random entries).
    func testPaperSizeRandomCoordinates() throws {
        let s = try MLPShape(widths: [784, 200, 200, 10])
        var rng = SeededRandom(seed: 3)
        var coords: [Int] = []
        for l in 0..<s.layerCount {
            for r in [s.weightRange(l), s.biasRange(l)] {
                coords += [r.lowerBound, r.upperBound - 1]
                coords += (0..<3).map { _ in r.lowerBound + rng.nextInt(below: r.count) }
            }
        }
        for loss in Loss.allCases {
            try checkGradients(widths: s.widths, batch: 6, loss: loss, coordinates: coords, seed: 4)
        }
    }

    /// Float computes the same gradient as Double up to Float rounding.
    func testFloatGradientsMatchDouble() throws {
        let widths = [8, 7, 6, 4]
        let d = try makeModel(Double.self, widths, maxBatch: 5, seed: 8)
        let f = try makeModel(Float.self, widths, maxBatch: 5, seed: 8)
        let (xd, y) = randomData(Double.self, rows: 5, cols: 8, classes: 4, seed: 8)
        let xf = xd.map { Float($0) }
        for loss in Loss.allCases {
            let ld = xd.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { d.trainStep(inputs: xp.baseAddress!, labels: $0.baseAddress!, batch: 5, loss: loss) } }
            let lf = xf.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { f.trainStep(inputs: xp.baseAddress!, labels: $0.baseAddress!, batch: 5, loss: loss) } }
            XCTAssertEqual(lf, ld, accuracy: 1e-5 * max(1, ld))
            let scale = d.gradients.map(abs).max()!
            XCTAssertGreaterThan(scale, 0)
            for i in 0..<d.shape.parameterCount {
                XCTAssertEqual(Double(f.gradients[i]), d.gradients[i], accuracy: 1e-5 * scale, "\(loss) param \(i)")
            }
        }
    }

    /// A smaller batch after a larger one uses only its own rows (no stale workspace rows).
    func testBatchSmallerThanMaxBatch() throws {
        let widths = [5, 4, 3]
        let a = try makeModel(Double.self, widths, maxBatch: 10)
        let b = try makeModel(Double.self, widths, maxBatch: 3)
        let (x, y) = randomData(Double.self, rows: 10, cols: 5, classes: 3, seed: 12)
        x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in
            _ = a.trainStep(inputs: xp.baseAddress!, labels: yp.baseAddress!, batch: 10, loss: .ce)
            let la = a.trainStep(inputs: xp.baseAddress!, labels: yp.baseAddress!, batch: 3, loss: .ce)
            let lb = b.trainStep(inputs: xp.baseAddress!, labels: yp.baseAddress!, batch: 3, loss: .ce)
            XCTAssertEqual(la, lb)
            XCTAssertEqual(Array(a.gradients), Array(b.gradients))
        }}
    }
}

// MARK: storage layout

final class StorageLayoutTests: XCTestCase {
    /// Weights are stored input-major (W^T); files see PyTorch's [out, in]. Round trip, and
    /// the index map agrees with the bulk conversion.
    func testFileLayoutRoundTrip() throws {
        let s = try MLPShape(widths: [5, 4, 3])
        let file = (0..<s.parameterCount).map { Double($0) }
        var storage = [Double](repeating: -1, count: s.parameterCount)
        file.withUnsafeBufferPointer { f in storage.withUnsafeMutableBufferPointer { s.storageLayout(fromFile: f, into: $0) } }
        // fc1.weight[o=1, i=2] is file index 1*5+2 = 7; stored at i*nOut+o = 2*4+1 = 9.
        XCTAssertEqual(storage[9], 7)
        XCTAssertEqual(s.storageIndex(ofFileIndex: 7), 9)
        for i in 0..<s.parameterCount { XCTAssertEqual(storage[s.storageIndex(ofFileIndex: i)], file[i]) }
        let back = storage.withUnsafeBufferPointer { s.fileLayout(fromStorage: $0) { $0 } }
        XCTAssertEqual(back, file)
        XCTAssertNotEqual(storage, file)
    }
}
