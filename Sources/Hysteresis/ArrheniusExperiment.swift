import Foundation
import GrokCore

/// The escape-time experiment: many seeds at each noise level, all continuing one trap, and
/// the Arrhenius fit of ln(mean escape time) against the inverse noise strength.
public struct ArrheniusExperiment: Sendable {
    /// One noise level: the learning rate and the injected noise of its runs.
    public struct Level: Sendable, Equatable {
        public var lr: Double
        public var temperature: Double
        public var labelNoise: Double
        public init(lr: Double, temperature: Double = 0, labelNoise: Double = 0) {
            self.lr = lr; self.temperature = temperature; self.labelNoise = labelNoise
        }
    }

    public var axis: NoiseAxis
    public var levels: [Level]
    public var batch: Int
    /// Seeds per level: batch-order (and noise) seeds 1...seeds.
    public var seeds: Int
    public var budget: Int
    public var evalEvery: Int

    /// Exactly one of the three lists may hold several values: it is the axis. The others give
    /// one value each (an empty list: its default, lr 0.005 or no injected noise).
    public init(lrs: [Double], temperatures: [Double], labelNoises: [Double], batch: Int, seeds: Int,
                budget: Int, evalEvery: Int) throws {
        guard lrs.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw GrokError("--lrs: every learning rate must be > 0") }
        guard temperatures.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw GrokError("--noise-temperature: every temperature must be > 0") }
        guard labelNoises.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw GrokError("--label-noise: every value must be > 0") }
        guard seeds >= 1 else { throw GrokError("--seeds must be at least 1") }
        guard budget >= 1 else { throw GrokError("--budget must be at least 1") }
        guard evalEvery >= 1 else { throw GrokError("--eval-every must be at least 1") }
        let lists = [("--lrs", lrs.count), ("--noise-temperature", temperatures.count), ("--label-noise", labelNoises.count)]
        let varied = lists.filter { $0.1 > 1 }.map(\.0)
        guard varied.count <= 1 else {
            throw GrokError("list one noise axis at a time: \(varied.joined(separator: " and ")) both have several values")
        }
        guard varied.count == 1 else {
            throw GrokError("give several values to one of --lrs, --noise-temperature or --label-noise: the axis the escape times are fitted against")
        }
        let lr = lrs.first ?? 0.005, t = temperatures.first ?? 0, s = labelNoises.first ?? 0
        switch varied[0] {
        case "--lrs":
            axis = .batchOverLR; levels = lrs.map { Level(lr: $0, temperature: t, labelNoise: s) }
        case "--noise-temperature":
            axis = .inverseTemperature; levels = temperatures.map { Level(lr: lr, temperature: $0, labelNoise: s) }
        default:
            axis = .inverseLabelNoiseVariance; levels = labelNoises.map { Level(lr: lr, temperature: t, labelNoise: $0) }
        }
        self.batch = batch; self.seeds = seeds; self.budget = budget; self.evalEvery = evalEvery
    }

    /// Runs every level's seeds from `trap`; `progress` sees each finished level.
    public func run(trap: DeepLinearNetwork, task: TeacherTask, beta: Double, criteria: EscapeCriteria,
                    progress: (ArrheniusPoint) -> Void = { _ in }) throws -> [ArrheniusPoint] {
        try levels.map { level in
            let runs = try (1...seeds).map { s in
                try escapeRun(from: trap, task: task, beta: beta, lr: level.lr, batch: batch, seed: UInt64(s),
                              budget: budget, evalEvery: evalEvery, criteria: criteria,
                              temperature: level.temperature, labelNoise: level.labelNoise).0
            }
            let point = ArrheniusPoint(lr: level.lr, batch: batch, runs: runs, axis: axis,
                                       temperature: level.temperature, labelNoise: level.labelNoise)
            progress(point)
            return point
        }
    }
}

/// The two fits of ln(mean escape time) against the inverse noise strength.
public struct ArrheniusFits: Sendable {
    /// Over every level with at least one escape, the mean being the censored maximum-likelihood
    /// estimate (`ArrheniusPoint.meanEscapeCensoredMLE`): every run counts.
    public var censoredMLE: LineFit?
    public var censoredMLELevels: Int
    /// Over the levels where every run escaped, the plain mean (censored levels left out).
    public var fullyEscaped: LineFit?
    public var fullyEscapedLevels: Int

    public init(_ points: [ArrheniusPoint]) {
        let any = points.filter { $0.meanEscapeCensoredMLE != nil }
        censoredMLE = LineFit.fit(x: any.map(\.noiseInverse), y: any.map { log($0.meanEscapeCensoredMLE!) })
        censoredMLELevels = any.count
        let full = points.filter { $0.censored == 0 }
        fullyEscaped = LineFit.fit(x: full.map(\.noiseInverse), y: full.map { log($0.meanEscapeLowerBound) })
        fullyEscapedLevels = full.count
    }
}
