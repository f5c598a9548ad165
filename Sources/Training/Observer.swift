import Foundation
import Model

/// The weights at one evaluation step, copied out of the trainer (in float64 whatever the
/// training precision), so an observer can analyse them on another thread while training goes on.
/// Layout: `layout`'s file layout (for the MLP: fc1.weight [out, in] row-major, fc1.bias, ...).
public struct WeightSnapshot: Sendable {
    public let step: Int
    public let layout: ParameterLayout
    /// The MLP's widths; nil for the token model (modular addition).
    public let shape: MLPShape?
    public let parameters: [Double]

    public init(step: Int, layout: ParameterLayout, shape: MLPShape?, parameters: [Double]) {
        self.step = step; self.layout = layout; self.shape = shape; self.parameters = parameters
    }

    /// An MLP's snapshot.
    public init(step: Int, shape: MLPShape, parameters: [Double]) {
        self.init(step: step, layout: shape.layout, shape: shape, parameters: parameters)
    }

    /// The l-th weight matrix (rows, cols, row-major values): for the MLP layer l's [out, in].
    public func weight(_ l: Int) -> (rows: Int, cols: Int, values: ArraySlice<Double>) {
        let t = layout.weights[l]
        return (t.dims[0], t.dims[1], parameters[t.range])
    }

    /// Every weight matrix with its layer name (the matrices HTSR analyses).
    public var weightMatrices: [(name: String, rows: Int, cols: Int, values: ArraySlice<Double>)] {
        layout.weights.map { ($0.layer, $0.dims[0], $0.dims[1], parameters[$0.range]) }
    }
}

/// What the trainer measured at one evaluation (the base columns of metrics.csv).
public struct EvaluationMetrics: Sendable {
    public let step: Int
    public let trainLoss: Double
    public let trainAccuracy: Double
    public let testLoss: Double
    public let testAccuracy: Double
    /// L2 norm of all parameters (biases too), of the weight matrices only, and per layer.
    public let normAll: Double
    public let normWeights: Double
    public let normPerLayer: [Double]
    /// Seconds since the run (or the resumed run) started, excluding nothing.
    public let wallSeconds: Double

    public init(step: Int, trainLoss: Double, trainAccuracy: Double, testLoss: Double,
                testAccuracy: Double, normAll: Double, normWeights: Double,
                normPerLayer: [Double], wallSeconds: Double) {
        self.step = step; self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss; self.testAccuracy = testAccuracy; self.normAll = normAll
        self.normWeights = normWeights; self.normPerLayer = normPerLayer; self.wallSeconds = wallSeconds
    }
}

/// What an observer is told when a run starts.
public struct RunContext: Sendable {
    /// The run directory (config.json, metrics.csv, snapshots/ ... live here).
    public let directory: URL
    public let layout: ParameterLayout
    /// The MLP's widths; nil for the token model.
    public let shape: MLPShape?
    /// The fixed probe batch (the first minibatch of the first epoch), pixels / 255, row-major
    /// count x 784, and its labels: the competing measures are computed on it.
    public let probeInputs: [Double]
    public let probeLabels: [Int32]
    public let seed: UInt64
    /// Non-nil when resuming: the step the run continues from. Rows an observer wrote for later
    /// steps (from the killed process) must be dropped so the result equals an uninterrupted run.
    public let resumedFromStep: Int?

    public init(directory: URL, layout: ParameterLayout, shape: MLPShape?, probeInputs: [Double], probeLabels: [Int32],
                seed: UInt64, resumedFromStep: Int?) {
        self.directory = directory; self.layout = layout; self.shape = shape; self.probeInputs = probeInputs
        self.probeLabels = probeLabels; self.seed = seed; self.resumedFromStep = resumedFromStep
    }

    /// An MLP run's context.
    public init(directory: URL, shape: MLPShape, probeInputs: [Double], probeLabels: [Int32],
                seed: UInt64, resumedFromStep: Int?) {
        self.init(directory: directory, layout: shape.layout, shape: shape, probeInputs: probeInputs,
                  probeLabels: probeLabels, seed: seed, resumedFromStep: resumedFromStep)
    }
}

/// How a run ended.
public enum RunOutcome: Sendable, Equatable {
    case completed
    case interrupted(step: Int)
    case diverged(step: Int)
}

/// Something that watches a run through its evaluations and snapshots (the diagnostics). The
/// trainer knows nothing else about it: the arrows point from diagnostics to training.
/// All calls come from the training thread, in step order.
public protocol TrainingObserver: AnyObject {
    /// Names of extra metrics.csv columns, appended after the trainer's own; fixed for the run.
    var extraMetricColumns: [String] { get }
    /// Called once before the first step (after the run directory and config exist).
    func runStarted(_ context: RunContext) throws
    /// Called at every evaluation/snapshot step with the weights and the trainer's metrics.
    /// Returns one value per `extraMetricColumns` (NaN where undefined). Keep it cheap: heavy
    /// work (HTSR) should be handed to a background queue.
    func observe(_ snapshot: WeightSnapshot, metrics: EvaluationMetrics) throws -> [Double]
    /// Called once when training stops (completed, interrupted, or diverged), before the
    /// process exits: wait for background work, write summaries. Returns lines for the
    /// run summary printed on exit.
    func runEnded(_ outcome: RunOutcome) throws -> [String]
    /// The observer's work on other threads so far (none by default).
    var backgroundWork: BackgroundWork { get }
}

extension TrainingObserver {
    public var backgroundWork: BackgroundWork { .idle }
}
