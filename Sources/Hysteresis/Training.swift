import Foundation
import GrokCore

/// Train and test sets of one teacher, with their full moments precomputed (evaluation of a
/// linear network needs nothing else).
public struct TeacherTask: Sendable {
    public let teacher: GaussianTeacher
    public let train: Samples
    public let test: Samples
    public let trainMoments: Moments
    public let testMoments: Moments

    public init(teacher: GaussianTeacher, trainCount: Int = 512, testCount: Int = 512, dataSeed: UInt64 = 0) throws {
        guard trainCount >= 1, testCount >= 1 else { throw GrokError("train and test sets need at least one sample") }
        // x and y of every sample, plus the shuffled order and a batch's copies.
        let values = (Double(trainCount) + Double(testCount)) * Double(teacher.inputs + teacher.outputs)
        try MachineInfo.checkMemory(values * 8 * 2, for: "--train-samples \(trainCount) --test-samples \(testCount)")
        self.teacher = teacher
        train = try teacher.sample(count: trainCount, seed: dataSeed, stream: "teacher-train")
        test = try teacher.sample(count: testCount, seed: dataSeed, stream: "teacher-test")
        trainMoments = train.allMoments
        testMoments = test.allMoments
    }
}

/// Minibatch SGD settings for one stage: plain, or with injected noise (see Noise.swift).
public struct SGDSettings: Sendable, Equatable {
    public var beta: Double
    public var lr: Double
    public var batch: Int
    /// Seeds the batch order (stream "batches"), independent of the init seed, and the injected
    /// noise (streams "langevin" and "label-noise").
    public var seed: UInt64
    /// Langevin temperature T: N(0, 2 lr T) added to every weight after every update (0 = none).
    public var temperature: Double
    /// Standard deviation of the Gaussian noise added to every target of every batch (0 = none).
    public var labelNoise: Double

    public init(beta: Double, lr: Double, batch: Int, seed: UInt64 = 0, temperature: Double = 0, labelNoise: Double = 0) throws {
        guard beta >= 0, beta.isFinite else { throw GrokError("--beta must be a finite number >= 0 (got \(beta))") }
        guard lr > 0, lr.isFinite else { throw GrokError("--lr must be a finite number > 0 (got \(lr))") }
        guard batch >= 1 else { throw GrokError("--batch must be at least 1 (got \(batch))") }
        guard temperature >= 0, temperature.isFinite else { throw GrokError("--noise-temperature must be a finite number >= 0 (got \(temperature))") }
        guard labelNoise >= 0, labelNoise.isFinite else { throw GrokError("--label-noise must be a finite number >= 0 (got \(labelNoise))") }
        self.beta = beta; self.lr = lr; self.batch = batch; self.seed = seed
        self.temperature = temperature; self.labelNoise = labelNoise
    }
}

/// One evaluation: full-set losses and the end-to-end product's singular values.
public struct EpochRecord: Sendable, Equatable {
    public var epoch: Int
    public var trainMSE: Double
    public var testMSE: Double
    /// Train MSE + beta * sum w^2: the objective SGD descends.
    public var objective: Double
    /// Descending singular values of the product.
    public var singularValues: [Double]
    public init(epoch: Int, trainMSE: Double, testMSE: Double, objective: Double, singularValues: [Double]) {
        self.epoch = epoch; self.trainMSE = trainMSE; self.testMSE = testMSE
        self.objective = objective; self.singularValues = singularValues
    }

    public var sigma2: Double { singularValues.count > 1 ? singularValues[1] : 0 }

    /// Number of singular values above `threshold` (1e-3: the escape criterion's).
    public func rank(threshold: Double = 1e-3) -> Int { singularValues.filter { $0 > threshold }.count }

    /// exp(entropy) of the normalized singular values (1 for rank one, 2 for two equal modes).
    public var effectiveRank: Double {
        let total = singularValues.reduce(0, +)
        guard total > 0 else { return 0 }
        let h = singularValues.reduce(0.0) { acc, s in
            let p = s / total
            return p > 0 ? acc - p * log(p) : acc
        }
        return exp(h)
    }
}

public func evaluate(_ net: DeepLinearNetwork, on task: TeacherTask, beta: Double, epoch: Int) -> EpochRecord {
    let p = net.product
    let train = task.trainMoments.squaredError(p)
    let s = (try? Spectral.svd(Matrix(rows: p.rows, cols: p.cols, values: p.values)).s) ?? []
    return EpochRecord(epoch: epoch, trainMSE: train, testMSE: task.testMoments.squaredError(p),
                       objective: train + beta * net.squaredWeightNorm, singularValues: s)
}

/// Why a stage stopped.
public enum StopReason: String, Sendable {
    case epochs, converged, escaped, diverged
}

/// SGD that blew up (an infinite or NaN objective): an error, since nothing measured after it
/// means anything and its weights cannot be saved.
public enum HysteresisDivergence {
    public static func error(at epoch: Int, what: String, advice: String) -> GrokError {
        GrokError("\(what) diverged at epoch \(epoch) (the objective became infinite or NaN); \(advice)")
    }
}

/// Runs SGD epochs (a fresh shuffle each epoch, the last short batch kept; the injected noise
/// of the settings, if any) and evaluates after each; `stop` sees every record and may end the stage early.
public struct SGDStage {
    public var settings: SGDSettings
    public var maxEpochs: Int
    /// Evaluate every `evalEvery` epochs (and at the last one).
    public var evalEvery: Int

    public init(settings: SGDSettings, maxEpochs: Int, evalEvery: Int = 1) throws {
        guard maxEpochs >= 0 else { throw GrokError("--epochs must be >= 0 (got \(maxEpochs))") }
        guard evalEvery >= 1 else { throw GrokError("--eval-every must be at least 1") }
        // One record (losses, singular values) per evaluation is kept.
        try MachineInfo.checkMemory((Double(maxEpochs) / Double(evalEvery) + 2) * 256,
                                    for: "--epochs \(maxEpochs) evaluated every \(evalEvery)")
        self.settings = settings; self.maxEpochs = maxEpochs; self.evalEvery = evalEvery
    }

    public func run(_ net: inout DeepLinearNetwork, on task: TeacherTask,
                    stop: (EpochRecord) -> Bool = { _ in false }) -> (records: [EpochRecord], reason: StopReason) {
        var rng = SeededRandom(seed: settings.seed, stream: "batches")
        var langevin = SeededRandom(seed: settings.seed, stream: "langevin")
        var labels = SeededRandom(seed: settings.seed, stream: "label-noise")
        let noiseStd = (2 * settings.lr * settings.temperature).squareRoot()
        var order = Array(0..<task.train.count)
        var records = [evaluate(net, on: task, beta: settings.beta, epoch: 0)]
        if stop(records[0]) { return (records, .converged) }
        guard maxEpochs > 0 else { return (records, .epochs) }
        for epoch in 1...maxEpochs {
            order.seededShuffle(using: &rng)
            var start = 0
            while start < order.count {
                let end = min(start + settings.batch, order.count)
                let m = settings.labelNoise > 0
                    ? task.train.moments(order[start..<end], labelNoise: settings.labelNoise, rng: &labels)
                    : task.train.moments(order[start..<end])
                let g = net.lossAndGradient(m, beta: settings.beta).gradients
                net.step(g, lr: settings.lr)
                if noiseStd > 0 { net.addGaussianNoise(std: noiseStd, rng: &langevin) }
                start = end
            }
            if epoch % evalEvery == 0 || epoch == maxEpochs {
                let r = evaluate(net, on: task, beta: settings.beta, epoch: epoch)
                records.append(r)
                if !r.objective.isFinite { return (records, .diverged) }
                if stop(r) { return (records, .escaped) }
            }
        }
        return (records, .epochs)
    }
}

extension TeacherTask {
    /// The training set's own mode strengths: singular values of Syx Sxx^(-1/2) (computed as
    /// Syx C^(-T) with Sxx = C C^T, which has the same singular values). The theory's beta_c
    /// for this finite draw uses these, not the population's 0.9 and 0.8.
    public func sampleEtas() throws -> [Double] {
        let c = try cholesky(trainMoments.xx)
        let n = c.rows
        // Solve M C^T = Syx for M, row by row (C^T upper triangular: back substitution).
        var m = SmallMatrix(rows: trainMoments.yx.rows, cols: n)
        for r in 0..<m.rows {
            for j in stride(from: n - 1, through: 0, by: -1) {
                var s = trainMoments.yx[r, j]
                for k in (j + 1)..<n { s -= m[r, k] * c[k, j] }
                m[r, j] = s / c[j, j]
            }
        }
        return try Spectral.svd(Matrix(rows: m.rows, cols: m.cols, values: m.values)).s
    }
}
