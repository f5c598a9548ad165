import Datasets
import Foundation
import GrokCore
import Model
import Training

/// What removing a layer's traps does to the model: accuracy and loss on the run's train and
/// test sets, and how far the softmax outputs move on probe inputs. The HTSR analyzer knows
/// nothing of models; this is the bridge (snapshot tensors in, MLP evaluations out).
public struct ModelMeasure: Sendable, Codable, Equatable {
    public var trainAccuracy: Double
    public var testAccuracy: Double
    public var trainLoss: Double
    public var testLoss: Double
    /// Test confusion matrix, [true class][predicted class].
    public var confusion: [[Int]]

    enum CodingKeys: String, CodingKey {
        case trainAccuracy = "train_accuracy", testAccuracy = "test_accuracy"
        case trainLoss = "train_loss", testLoss = "test_loss", confusion
    }
}

/// Inputs the softmax outputs are compared on.
public enum ProbeKind: String, Sendable, Codable, CaseIterable {
    /// Gaussian inputs with MNIST's per-pixel mean and standard deviation (of the run's training
    /// images): the anti-grokking paper's probes, which need no held-out data.
    case gaussian
    /// The run's test images.
    case test
}

/// Harmful / benign / useful: the change in test accuracy when the traps are removed,
/// against a threshold.
public enum TrapVerdict: String, Sendable, Codable {
    /// Removing the traps raises test accuracy by more than the threshold.
    case harmful
    /// Test accuracy moves by at most the threshold either way.
    case benign
    /// Removing the traps lowers test accuracy by more than the threshold.
    case useful

    public static func judge(before: Double, after: Double, threshold: Double) -> TrapVerdict {
        let delta = after - before
        return delta > threshold ? .harmful : (delta < -threshold ? .useful : .benign)
    }
}

/// A model evaluator for one run's data: built once, then asked about parameter sets.
public final class AblationEvaluator {
    public let config: TrainingConfig
    public let data: DataSplit
    let model: MLP<Double>
    let trainX: [Double], trainY: [Int32], testX: [Double], testY: [Int32]
    let probes: [Double]
    public let probeCount: Int
    public let probeKind: ProbeKind
    static let chunk = 500

    /// `config` gives the data (source, train size, subset, seed), widths and loss.
    public init(config: TrainingConfig, source: DataSource, probes: ProbeKind, probeCount: Int, seed: UInt64) throws {
        self.config = config
        data = try MNIST.load(source, trainSize: config.trainSize, subset: config.subsetMode, seed: config.seed)
        model = MLP<Double>(shape: try MLPShape(widths: config.widths), maxBatch: Self.chunk, kernels: .dense)
        trainX = data.train.normalizedPixels(as: Double.self); trainY = data.train.labelsAsInt32()
        testX = data.test.normalizedPixels(as: Double.self); testY = data.test.labelsAsInt32()
        probeKind = probes
        switch probes {
        case .test:
            self.probes = testX
            self.probeCount = data.test.count
        case .gaussian:
            self.probes = Self.gaussianProbes(like: trainX, features: data.train.features, count: probeCount, seed: seed)
            self.probeCount = probeCount
        }
    }

    /// Gaussian probes with the per-pixel mean and standard deviation of `images`.
    static func gaussianProbes(like images: [Double], features f: Int, count: Int, seed: UInt64) -> [Double] {
        let n = images.count / f
        var mean = [Double](repeating: 0, count: f), sd = [Double](repeating: 0, count: f)
        for i in 0..<n { for j in 0..<f { mean[j] += images[i * f + j] } }
        for j in 0..<f { mean[j] /= Double(n) }
        for i in 0..<n { for j in 0..<f { let d = images[i * f + j] - mean[j]; sd[j] += d * d } }
        for j in 0..<f { sd[j] = (sd[j] / Double(n)).squareRoot() }
        var rng = SeededRandom(seed: seed, stream: "probes")
        var out = [Double](repeating: 0, count: count * f)
        for i in 0..<count {
            for j in 0..<f {
                let a = max(rng.nextUnit(), 1e-300), b = rng.nextUnit()
                out[i * f + j] = mean[j] + sd[j] * (-2 * log(a)).squareRoot() * cos(2 * Double.pi * b)
            }
        }
        return out
    }

    /// Accuracy, loss and the test confusion matrix with these parameters (PyTorch file order).
    public func measure(_ parameters: [Double]) -> ModelMeasure {
        model.setFileParameters(parameters)
        let train = trainX.withUnsafeBufferPointer { x in trainY.withUnsafeBufferPointer { y in
            model.evaluate(inputs: x.baseAddress!, labels: y.baseAddress!, count: trainY.count, loss: config.loss) } }
        let test = testX.withUnsafeBufferPointer { x in testY.withUnsafeBufferPointer { y in
            model.evaluate(inputs: x.baseAddress!, labels: y.baseAddress!, count: testY.count, loss: config.loss) } }
        let classes = config.widths.last ?? 10
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        let logits = outputs(testX, count: testY.count, softmax: false)
        for i in 0..<testY.count {
            let row = logits[(i * classes)..<((i + 1) * classes)]
            let predicted = row.indices.max { row[$0] < row[$1] }! - i * classes
            confusion[Int(testY[i])][predicted] += 1
        }
        return ModelMeasure(trainAccuracy: train.accuracy, testAccuracy: test.accuracy,
                            trainLoss: train.loss, testLoss: test.loss, confusion: confusion)
    }

    /// Softmax (T = 1) outputs on the probes with these parameters.
    public func probeOutputs(_ parameters: [Double]) -> [Double] {
        model.setFileParameters(parameters)
        return outputs(probes, count: probeCount, softmax: true)
    }

    func outputs(_ x: [Double], count: Int, softmax: Bool) -> [Double] {
        let f = config.widths[0], classes = config.widths.last ?? 10
        var out = [Double](); out.reserveCapacity(count * classes)
        x.withUnsafeBufferPointer { p in
            var start = 0
            while start < count {
                let rows = min(Self.chunk, count - start)
                let logits = model.forward(inputs: p.baseAddress! + start * f, batch: rows)
                for r in 0..<rows {
                    let row = Array(logits[(r * classes)..<((r + 1) * classes)])
                    if softmax {
                        let m = row.max()!
                        let e = row.map { exp($0 - m) }
                        let s = e.reduce(0, +)
                        out.append(contentsOf: e.map { $0 / s })
                    } else {
                        out.append(contentsOf: row)
                    }
                }
                start += rows
            }
        }
        return out
    }

    /// Mean over probes of the Jensen-Shannon divergence (natural log, in [0, ln 2]) between
    /// two sets of softmax outputs, `classes` values per probe.
    public static func meanJensenShannon(_ p: [Double], _ q: [Double], classes: Int) -> Double {
        let n = p.count / classes
        guard n > 0 else { return 0 }
        var total = 0.0
        for i in 0..<n {
            var js = 0.0
            for c in 0..<classes {
                let a = p[i * classes + c], b = q[i * classes + c], m = (a + b) / 2
                if a > 0 { js += 0.5 * a * log(a / m) }
                if b > 0 { js += 0.5 * b * log(b / m) }
            }
            total += js
        }
        return total / Double(n)
    }
}
