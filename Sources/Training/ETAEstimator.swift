/// How long a run still needs, from two separately measured costs: a training step, and an
/// evaluation (metrics on the full sets, diagnostics, snapshot, checkpoint).
///
/// Why two: early in a run the evaluations are dense (every step at first, log-spaced after),
/// so a plain steps-per-second rate taken then counts evaluation time as step time and
/// overestimates a long run many times over. Here the remaining time is
///
///     (steps left) x (smoothed seconds per step) + (evaluations left) x (seconds per evaluation)
///
/// and each cost is learned only from its own measurements. The step cost is an exponential
/// average weighted by measured time, with a time constant that grows with the run (half
/// of the step time measured so far, at least `minimumTimeConstant`), so the estimate follows
/// a machine that becomes busier without swinging with every short stall.
///
/// Pure and clock-free: `ProgressReporter` feeds it from the live run, tests replay a recorded
/// timing.csv through it.
public struct ETAEstimator: Sendable {
    public let totalSteps: Int
    /// The run's evaluation steps, sorted (from `EvaluationSchedule.steps`); empty when unknown,
    /// in which case evaluation time is simply part of the step cost.
    public let evaluationSteps: [Int]

    /// The smoothing time constant never goes below this (seconds of measured step time).
    public var minimumTimeConstant = 20.0
    /// The estimate is a guess (shown "ETA ~") until this fraction of the run's steps and
    /// `settledSeconds` of step time have been measured.
    public var settledFraction = 0.01
    public var settledSeconds = 5.0

    private(set) var secondsPerStep = Double.nan
    private(set) var measuredStepSeconds = 0.0
    private(set) var measuredSteps = 0
    private(set) var secondsPerEvaluation = Double.nan
    private(set) var evaluationsMeasured = 0
    /// The last step whose evaluation has been recorded (-1: none yet).
    private(set) var lastEvaluatedStep = -1

    public init(totalSteps: Int, evaluationSteps: [Int] = []) {
        self.totalSteps = totalSteps
        self.evaluationSteps = evaluationSteps.sorted()
    }

    /// `count` training steps took `seconds`, with no evaluation among them.
    public mutating func recordSteps(count: Int, seconds: Double) {
        guard count > 0, seconds.isFinite, seconds >= 0 else { return }
        let cost = seconds / Double(count)
        if secondsPerStep.isNaN {
            secondsPerStep = cost
        } else {
            let tau = max(minimumTimeConstant, 0.5 * measuredStepSeconds)
            let w = 1 - exp(-seconds / tau)
            secondsPerStep += w * (cost - secondsPerStep)
        }
        measuredStepSeconds += seconds
        measuredSteps += count
    }

    /// The evaluation at `step` took `seconds`. The cost is a running mean over the first 20
    /// evaluations, then an exponential average over about the last 20.
    public mutating func recordEvaluation(step: Int, seconds: Double) {
        lastEvaluatedStep = max(lastEvaluatedStep, step)
        guard seconds.isFinite, seconds >= 0 else { return }
        evaluationsMeasured += 1
        if secondsPerEvaluation.isNaN {
            secondsPerEvaluation = seconds
        } else {
            secondsPerEvaluation += (seconds - secondsPerEvaluation) / Double(min(evaluationsMeasured, 20))
        }
    }

    /// Evaluations still to come when training stands at `step` (an evaluation scheduled at
    /// `step` itself counts until it has been recorded).
    public func remainingEvaluations(atStep step: Int) -> Int {
        let after = max(step - 1, lastEvaluatedStep)
        // First index whose step is > after (binary search; the list can hold 10^4 entries).
        var lo = 0, hi = evaluationSteps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if evaluationSteps[mid] > after { hi = mid } else { lo = mid + 1 }
        }
        return evaluationSteps.count - lo
    }

    public struct Estimate: Sendable, Equatable {
        /// Seconds until the last step's evaluation is done.
        public var seconds: Double
        /// True while too little has been measured for the number to be trusted.
        public var isGuess: Bool
        public var secondsPerStep: Double
        public var secondsPerEvaluation: Double
        public var remainingEvaluations: Int

        public init(seconds: Double, isGuess: Bool, secondsPerStep: Double, secondsPerEvaluation: Double,
                    remainingEvaluations: Int) {
            self.seconds = seconds; self.isGuess = isGuess; self.secondsPerStep = secondsPerStep
            self.secondsPerEvaluation = secondsPerEvaluation; self.remainingEvaluations = remainingEvaluations
        }
    }

    /// The estimate when training stands at `step`; nil before any step has been timed.
    public func estimate(atStep step: Int) -> Estimate? {
        guard !secondsPerStep.isNaN else { return nil }
        let stepsLeft = Double(max(totalSteps - step, 0))
        let evaluations = evaluationSteps.isEmpty ? 0 : remainingEvaluations(atStep: step)
        // Before any evaluation was timed, assume one costs nothing beyond its steps: the
        // guess flag stays on then anyway.
        let perEvaluation = secondsPerEvaluation.isNaN ? 0 : secondsPerEvaluation
        let seconds = stepsLeft * secondsPerStep + Double(evaluations) * perEvaluation
        let settled = Double(step) >= settledFraction * Double(totalSteps)
            && measuredStepSeconds >= settledSeconds
            && (evaluationSteps.isEmpty || evaluationsMeasured >= 3)
        return Estimate(seconds: seconds, isGuess: !settled, secondsPerStep: secondsPerStep,
                        secondsPerEvaluation: perEvaluation, remainingEvaluations: evaluations)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
