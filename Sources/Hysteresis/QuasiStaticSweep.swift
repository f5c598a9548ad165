import Foundation
import GrokCore

/// When a stage at one beta counts as re-converged: SGD runs in windows of `window` epochs
/// (evaluated every `evalEvery`); a window's mean full-train objective and mean sigma values are
/// compared with the previous window's. Converged when the objective moved less than
/// `tolerance` (relative, floor 1) and every singular value less than `sigmaTolerance`, after at
/// least two windows; a stage that reaches `maxEpochs` is recorded as not converged.
public struct ConvergenceCriterion: Sendable, Equatable {
    public var window: Int
    public var evalEvery: Int
    public var tolerance: Double
    public var sigmaTolerance: Double
    public var maxEpochs: Int

    public init(window: Int = 200, evalEvery: Int = 10, tolerance: Double = 1e-5,
                sigmaTolerance: Double = 1e-4, maxEpochs: Int = 20000) throws {
        guard window >= evalEvery, evalEvery >= 1, window % evalEvery == 0 else {
            throw GrokError("convergence window (\(window)) must be a positive multiple of the evaluation interval (\(evalEvery))")
        }
        guard tolerance > 0, sigmaTolerance > 0, maxEpochs >= window else {
            throw GrokError("convergence tolerances must be > 0 and --max-epochs at least one window (\(window))")
        }
        self.window = window; self.evalEvery = evalEvery; self.tolerance = tolerance
        self.sigmaTolerance = sigmaTolerance; self.maxEpochs = maxEpochs
    }

    /// Runs SGD until converged or out of epochs. Returns the last record, epochs run, converged.
    /// A stage whose objective becomes infinite or NaN is an error naming its beta.
    public func converge(_ net: inout DeepLinearNetwork, on task: TeacherTask, settings: SGDSettings) throws
        -> (record: EpochRecord, epochs: Int, converged: Bool) {
        let stage = try SGDStage(settings: settings, maxEpochs: maxEpochs, evalEvery: evalEvery)
        let perWindow = window / evalEvery
        var buffer: [EpochRecord] = []
        var previous: (objective: Double, sigma: [Double])?
        var converged = false
        let (records, reason) = stage.run(&net, on: task) { r in
            guard r.epoch > 0 else { return false }
            buffer.append(r)
            guard buffer.count == perWindow else { return false }
            let n = Double(perWindow)
            let objective = buffer.reduce(0) { $0 + $1.objective } / n
            let sigma = (0..<r.singularValues.count).map { i in buffer.reduce(0) { $0 + $1.singularValues[i] } / n }
            buffer.removeAll(keepingCapacity: true)
            defer { previous = (objective, sigma) }
            guard let p = previous else { return false }
            converged = abs(objective - p.objective) < tolerance * max(1, abs(objective))
                && zip(sigma, p.sigma).allSatisfy { abs($0 - $1) < sigmaTolerance }
            return converged
        }
        if reason == .diverged {
            throw HysteresisDivergence.error(at: records.last!.epoch, what: "beta \(settings.beta)", advice: "lower --lr")
        }
        return (records.last!, records.last!.epoch, converged)
    }
}

public enum SweepDirection: String, Sendable, CaseIterable {
    case down, up
}

public struct SweepPoint: Sendable {
    public var direction: SweepDirection
    public var beta: Double
    public var epochs: Int
    public var converged: Bool
    public var record: EpochRecord
}

/// The quasi-static sweep: down from the largest beta (fresh init there) and up from the
/// smallest (fresh init there, same seed), each later beta warm-started from the previous one's
/// converged weights.
public struct QuasiStaticSweep {
    public var betas: [Double]
    public var lr: Double
    public var batch: Int
    public var seed: UInt64
    public var criterion: ConvergenceCriterion

    public init(betas: [Double], lr: Double, batch: Int, seed: UInt64, criterion: ConvergenceCriterion) throws {
        guard !betas.isEmpty else { throw GrokError("the sweep's beta schedule is empty") }
        _ = try betas.map { try SGDSettings(beta: $0, lr: lr, batch: batch) }
        self.betas = betas.sorted(); self.lr = lr; self.batch = batch; self.seed = seed; self.criterion = criterion
    }

    /// Evenly spaced betas from `min` to `max` (both included) by `step`.
    public static func grid(min: Double, max: Double, step: Double) throws -> [Double] {
        guard min >= 0, max >= min, step > 0, min.isFinite, max.isFinite else {
            throw GrokError("the beta schedule is empty or invalid: need 0 <= --beta-min <= --beta-max and --beta-step > 0 (got \(min), \(max), \(step))")
        }
        // Counted in floating point first: a tiny step must be an error, not a trap or a crash.
        let count = ((max - min) / step + 1e-9).rounded(.down) + 1
        // Each beta is converged twice (down and up) and keeps a point of a few hundred bytes.
        try MachineInfo.checkMemory(count * 2 * 512, for: "--beta-step \(step) (\(String(format: "%.3g", count)) betas from \(min) to \(max))")
        let n = Int(count) - 1
        return (0...n).map { min + Double($0) * step }
    }

    public func run(shape: LinearShape, task: TeacherTask, progress: (SweepPoint) -> Void = { _ in }) throws -> [SweepPoint] {
        var points: [SweepPoint] = []
        for direction in SweepDirection.allCases {
            let schedule = direction == .down ? Array(betas.reversed()) : betas
            var net = DeepLinearNetwork(shape: shape, seed: seed)
            for beta in schedule {
                let settings = try SGDSettings(beta: beta, lr: lr, batch: batch, seed: seed)
                let (record, epochs, converged) = try criterion.converge(&net, on: task, settings: settings)
                let p = SweepPoint(direction: direction, beta: beta, epochs: epochs, converged: converged, record: record)
                points.append(p)
                progress(p)
            }
        }
        return points
    }

    public static let csvHeader = "direction,beta,epochs,converged,train_mse,test_mse,objective,sigma1,sigma2,rank,effective_rank"

    public static func csv(_ points: [SweepPoint]) -> String {
        ([csvHeader] + points.map { p in
            let r = p.record
            return "\(p.direction.rawValue),\(p.beta),\(p.epochs),\(p.converged),\(r.trainMSE),\(r.testMSE),\(r.objective),\(r.singularValues.first ?? 0),\(r.sigma2),\(r.rank()),\(r.effectiveRank)"
        }).joined(separator: "\n") + "\n"
    }
}
