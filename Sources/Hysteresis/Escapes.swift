import Foundation
import GrokCore

/// The trapping protocol of the paper's Fig. 1 and the escape-time runs built on it.
public struct TrapProtocol: Sendable {
    /// Where the trap is made: fresh init converged at `trapBeta` for `trapEpochs` epochs
    /// (lr `trapLR`, batch `batch`).
    public var trapBeta: Double
    public var trapEpochs: Int
    public var trapLR: Double
    /// Where it is continued.
    public var beta: Double
    public var batch: Int
    public var seed: UInt64

    public init(trapBeta: Double, trapEpochs: Int, trapLR: Double, beta: Double, batch: Int, seed: UInt64) throws {
        // Each value checked under its own flag's name.
        guard trapBeta >= 0, trapBeta.isFinite else { throw GrokError("--trap-beta must be a finite number >= 0 (got \(trapBeta))") }
        guard trapLR > 0, trapLR.isFinite else { throw GrokError("--trap-lr must be a finite number > 0 (got \(trapLR))") }
        _ = try SGDSettings(beta: beta, lr: trapLR, batch: batch)
        guard trapEpochs >= 0 else { throw GrokError("--trap-epochs must be >= 0") }
        self.trapBeta = trapBeta; self.trapEpochs = trapEpochs; self.trapLR = trapLR
        self.beta = beta; self.batch = batch; self.seed = seed
    }

    /// The trapped state (or the state of an --init-from file when given by the caller instead).
    public func makeTrap(shape: LinearShape, task: TeacherTask) throws -> DeepLinearNetwork {
        var net = DeepLinearNetwork(shape: shape, seed: seed)
        let (records, reason) = try SGDStage(settings: SGDSettings(beta: trapBeta, lr: trapLR, batch: batch, seed: seed),
                                             maxEpochs: trapEpochs, evalEvery: max(trapEpochs, 1)).run(&net, on: task)
        if reason == .diverged {
            throw HysteresisDivergence.error(at: records.last!.epoch, what: "the trap at --trap-beta \(trapBeta)", advice: "lower --trap-lr")
        }
        return net
    }

    /// Reference levels at `beta` without minibatch noise: the trap relaxed by full-batch GD
    /// (the plateau) and a fresh init relaxed the same way (the global minimum).
    public func criteria(trap: DeepLinearNetwork, task: TeacherTask, steps: Int = 20000, lr: Double = 0.02) -> EscapeCriteria {
        var plateau = trap
        relaxWithoutNoise(&plateau, on: task, beta: beta, lr: lr, steps: steps)
        var fresh = DeepLinearNetwork(shape: trap.shape, seed: seed)
        relaxWithoutNoise(&fresh, on: task, beta: beta, lr: lr, steps: steps)
        return EscapeCriteria(plateau: evaluate(plateau, on: task, beta: beta, epoch: 0).testMSE,
                              globalMinimum: evaluate(fresh, on: task, beta: beta, epoch: 0).testMSE)
    }
}

/// One continuation run from the trap: its escape epochs (nil = censored at `budget`).
public struct EscapeRun: Sendable {
    public var lr: Double
    public var batch: Int
    public var seed: UInt64
    public var budget: Int
    public var escape: EscapeEpochs
    public var final: EpochRecord
    /// The injected noise (0 = none): Langevin temperature and label-noise standard deviation.
    public var temperature: Double = 0
    public var labelNoise: Double = 0

    public init(lr: Double, batch: Int, seed: UInt64, budget: Int, escape: EscapeEpochs, final: EpochRecord,
                temperature: Double = 0, labelNoise: Double = 0) {
        self.lr = lr; self.batch = batch; self.seed = seed; self.budget = budget; self.escape = escape
        self.final = final; self.temperature = temperature; self.labelNoise = labelNoise
    }
}

/// Continues `trap` at `beta` with SGD(lr, batch, seed), plus the injected noise asked for,
/// until both escape criteria fired or the budget ran out.
public func escapeRun(from trap: DeepLinearNetwork, task: TeacherTask, beta: Double, lr: Double, batch: Int,
                      seed: UInt64, budget: Int, evalEvery: Int, criteria: EscapeCriteria,
                      temperature: Double = 0, labelNoise: Double = 0) throws -> (EscapeRun, [EpochRecord]) {
    var net = trap
    var mse: Int?, sigma: Int?
    let stage = try SGDStage(settings: SGDSettings(beta: beta, lr: lr, batch: batch, seed: seed,
                                                   temperature: temperature, labelNoise: labelNoise),
                             maxEpochs: budget, evalEvery: evalEvery)
    let (records, reason) = stage.run(&net, on: task) { r in
        if mse == nil, criteria.crossedMidpoint(r) { mse = r.epoch }
        if sigma == nil, r.sigma2 > criteria.sigma2Threshold { sigma = r.epoch }
        return mse != nil && sigma != nil
    }
    if reason == .diverged {
        throw HysteresisDivergence.error(at: records.last!.epoch, what: "the run at lr \(lr) (seed \(seed))", advice: "lower the learning rate")
    }
    return (EscapeRun(lr: lr, batch: batch, seed: seed, budget: budget,
                      escape: EscapeEpochs(byMSE: mse, bySigma2: sigma), final: records.last!,
                      temperature: temperature, labelNoise: labelNoise), records)
}

/// Least-squares line y = a + b x with its R^2 (nil with fewer than two distinct x), and the
/// slope's standard error from the residuals (n - 2 degrees of freedom; nil with two points).
public struct LineFit: Sendable, Equatable {
    public var intercept: Double
    public var slope: Double
    public var rSquared: Double
    public var slopeStandardError: Double? = nil

    public static func fit(x: [Double], y: [Double]) -> LineFit? {
        precondition(x.count == y.count)
        let n = Double(x.count)
        guard x.count >= 2 else { return nil }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        guard sxx > 0 else { return nil }
        let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let slope = sxy / sxx, intercept = my - slope * mx
        let ssTot = y.reduce(0) { $0 + ($1 - my) * ($1 - my) }
        let ssRes = zip(x, y).reduce(0) { $0 + pow($1.1 - intercept - slope * $1.0, 2) }
        let se = x.count > 2 ? (ssRes / (n - 2) / sxx).squareRoot() : nil
        return LineFit(intercept: intercept, slope: slope, rSquared: ssTot > 0 ? 1 - ssRes / ssTot : 1,
                       slopeStandardError: se)
    }
}

/// What an Arrhenius experiment varies, and the inverse "temperature" its fit is against.
public enum NoiseAxis: String, Sendable, CaseIterable {
    /// Minibatch noise only: x = batch / lr (the paper's protocol).
    case batchOverLR = "batch/lr"
    /// Langevin noise: x = 1 / T; the slope of ln(escape time) is the barrier in loss units.
    case inverseTemperature = "1/T"
    /// Label noise: x = 1 / S^2.
    case inverseLabelNoiseVariance = "1/S^2"
}

/// The Arrhenius summary at one noise level: escape times of the runs that escaped, and how
/// many were censored (never escaped within the budget; kept, not dropped).
public struct ArrheniusPoint: Sendable {
    public var lr: Double
    public var batch: Int
    public var runs: [EscapeRun]
    public var axis: NoiseAxis
    public var temperature: Double
    public var labelNoise: Double
    public init(lr: Double, batch: Int, runs: [EscapeRun], axis: NoiseAxis = .batchOverLR,
                temperature: Double = 0, labelNoise: Double = 0) {
        self.lr = lr; self.batch = batch; self.runs = runs; self.axis = axis
        self.temperature = temperature; self.labelNoise = labelNoise
    }
    /// The fit's x: the inverse of the noise strength on this point's axis.
    public var noiseInverse: Double {
        switch axis {
        case .batchOverLR: return Double(batch) / lr
        case .inverseTemperature: return 1 / temperature
        case .inverseLabelNoiseVariance: return 1 / (labelNoise * labelNoise)
        }
    }
    public var escapeTimes: [Int] { runs.compactMap(\.escape.byMSE) }
    public var censored: Int { runs.count - escapeTimes.count }
    /// Mean escape epoch counting censored runs at their budget (a lower bound when any are).
    public var meanEscapeLowerBound: Double {
        Double(runs.reduce(0) { $0 + ($1.escape.byMSE ?? $1.budget) }) / Double(max(runs.count, 1))
    }
    /// The mean escape time of an exponential (memoryless, Arrhenius) escape with censoring: the
    /// time every run spent trapped (escaped runs up to their escape, censored ones up to their
    /// budget) divided by the escapes. The maximum-likelihood estimate; it uses the censored runs
    /// instead of dropping them. Nil when no run escaped.
    public var meanEscapeCensoredMLE: Double? {
        let escapes = escapeTimes.count
        guard escapes > 0 else { return nil }
        return Double(runs.reduce(0) { $0 + ($1.escape.byMSE ?? $1.budget) }) / Double(escapes)
    }

    public static let csvHeader = "lr,batch,batch_over_lr,seed,budget,escape_epoch_mse,escape_epoch_sigma2,censored,final_test_mse,final_sigma2,temperature,label_noise"

    public var csvRows: [String] {
        runs.map { r in
            "\(lr),\(batch),\(Double(batch) / lr),\(r.seed),\(r.budget),\(r.escape.byMSE.map(String.init) ?? ""),\(r.escape.bySigma2.map(String.init) ?? ""),\(r.escape.byMSE == nil),\(r.final.testMSE),\(r.final.sigma2),\(r.temperature),\(r.labelNoise)"
        }
    }
}
