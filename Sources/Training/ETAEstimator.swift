import Foundation

/// How long a run still needs, from what was measured about its parts: a training step, an
/// evaluation (metrics on the full sets, snapshot, checkpoint), and the analysis of each
/// snapshot that runs on another thread while training goes on.
///
/// Why a model and not a rate: early in a run the evaluations are dense (every step at first,
/// log-spaced after). Each one costs its own time, and hands a snapshot to the background
/// analysis, whose thread then competes with the training threads for the cores: the steps it
/// overlaps run slower. A steps-per-second rate taken then counts both as step time and
/// overestimates a long run many times over; the evaluations ahead are fewer and sparser.
///
/// The model: a stretch of n steps that the background work overlapped for o seconds takes
///
///     s n + k o
///
/// seconds, where s is the cost of a step on its own and k (0 <= k <= 0.99) the share of the
/// overlap the training loses to the contention (0 when the analysis has a core to itself, as
/// for a one-thread run on two cores; near 1 when every core is already training). s and k are
/// fitted by least squares over the recent stretches, weighted by recency with a time constant
/// that grows with the run (half the step time measured so far, at least
/// `minimumTimeConstant`), so the estimate follows a machine that becomes busier without
/// swinging with every stall. The time left is then played forward over the evaluation
/// schedule ahead: each stretch of steps at s, slowed by k while the analysis backlog lasts;
/// each evaluation at its measured cost, adding a snapshot's measured analysis time to the
/// backlog.
///
/// Pure and clock-free: `ProgressReporter` feeds it from the live run, tests replay a recorded
/// timing.csv through it.
public struct ETAEstimator: Sendable {
    public let totalSteps: Int
    /// The run's evaluation steps, sorted (from `EvaluationSchedule.steps`); empty when unknown,
    /// in which case evaluation time is simply part of the step cost.
    public let evaluationSteps: [Int]

    /// The recency weighting's time constant never goes below this (seconds of step time).
    public var minimumTimeConstant = 20.0
    /// The estimate is a guess (shown "ETA ~") until this fraction of the run's steps and
    /// `settledSeconds` of step time have been measured.
    public var settledFraction = 0.01
    public var settledSeconds = 5.0
    /// The contention share is kept below this: a fit on noise must not claim that the
    /// training stops whenever the analysis runs.
    public static let maximumContention = 0.99

    /// A measured stretch of steps: how many, how long, how much background work overlapped
    /// it, and where it ended on the clock of measured step time (for the recency weights).
    struct Stretch: Sendable {
        var steps: Double, seconds: Double, overlap: Double, end: Double
    }
    private var stretches: [Stretch] = []
    private(set) var measuredStepSeconds = 0.0
    private(set) var secondsPerEvaluation = Double.nan
    private(set) var evaluationsMeasured = 0
    /// Seconds of background analysis per snapshot, and the snapshots waiting now.
    private(set) var analysisSecondsPerSnapshot = 0.0
    private var analysesMeasured = 0
    private var lastBackground: BackgroundWork?
    private(set) var pending = 0
    /// Snapshots the analysis queue holds before an evaluation must wait (0: no limit).
    private(set) var capacity = 0
    /// The last step whose evaluation has been recorded (-1: none yet).
    private(set) var lastEvaluatedStep = -1

    public init(totalSteps: Int, evaluationSteps: [Int] = []) {
        self.totalSteps = totalSteps
        self.evaluationSteps = evaluationSteps.sorted()
    }

    /// `count` training steps took `seconds`, with no evaluation among them; background work
    /// ran for `overlap` of those seconds.
    public mutating func recordSteps(count: Int, seconds: Double, overlap: Double = 0) {
        guard count > 0, seconds.isFinite, seconds >= 0 else { return }
        measuredStepSeconds += seconds
        let o = overlap.isFinite ? min(max(overlap, 0), seconds) : 0
        stretches.append(Stretch(steps: Double(count), seconds: seconds, overlap: o, end: measuredStepSeconds))
        // Stretches older than ~10 time constants weigh nothing (e^-10): drop them.
        let horizon = measuredStepSeconds - 10 * timeConstant
        if let first = stretches.firstIndex(where: { $0.end >= horizon }), first > 0 { stretches.removeFirst(first) }
    }

    var timeConstant: Double { max(minimumTimeConstant, 0.5 * measuredStepSeconds) }

    /// The evaluation at `step` took `seconds` on the training thread; `background` is the
    /// observers' work on other threads as it stood when the evaluation ended (nil: unknown).
    /// The evaluation's own cost leaves out its wait for room in a full analysis queue (the
    /// model plays that part forward from the backlog). It is a running mean over the first 20
    /// evaluations, then an exponential average over about the last 20; so is a snapshot's
    /// analysis time.
    public mutating func recordEvaluation(step: Int, seconds: Double, background: BackgroundWork? = nil) {
        lastEvaluatedStep = max(lastEvaluatedStep, step)
        var seconds = seconds
        if let b = background {
            seconds = max(0, seconds - (b.waitSeconds - (lastBackground?.waitSeconds ?? 0)))
            pending = b.pending
            capacity = b.capacity
            if let last = lastBackground, b.completed > last.completed {
                let perSnapshot = (b.completedSeconds - last.completedSeconds) / Double(b.completed - last.completed)
                if perSnapshot.isFinite, perSnapshot >= 0 {
                    analysesMeasured += 1
                    analysisSecondsPerSnapshot += (perSnapshot - analysisSecondsPerSnapshot) / Double(min(analysesMeasured, 20))
                }
            }
            lastBackground = b
        }
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
        evaluationSteps.count - firstEvaluationIndex(after: max(step - 1, lastEvaluatedStep))
    }

    /// The index of the first scheduled evaluation after `step` (binary search; the schedule
    /// can hold 10^4 entries).
    func firstEvaluationIndex(after step: Int) -> Int {
        var lo = 0, hi = evaluationSteps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if evaluationSteps[mid] > step { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The step cost on its own (s) and the contention share (k), fitted over the recent
    /// stretches; nil before any step has been timed.
    public var stepModel: (secondsPerStep: Double, contention: Double)? {
        guard !stretches.isEmpty else { return nil }
        let tau = timeConstant
        var snn = 0.0, sno = 0.0, soo = 0.0, snt = 0.0, sot = 0.0
        for r in stretches {
            let w = exp(-(measuredStepSeconds - r.end) / tau)
            snn += w * r.steps * r.steps; sno += w * r.steps * r.overlap; soo += w * r.overlap * r.overlap
            snt += w * r.steps * r.seconds; sot += w * r.overlap * r.seconds
        }
        guard snn > 0 else { return nil }
        // The least-squares solution, unless the overlaps cannot be told from the step counts
        // (too few stretches, or overlaps in proportion to the steps): then k is bounded and s
        // refitted with it.
        let det = snn * soo - sno * sno
        var k = det > 1e-9 * snn * soo && soo > 0 ? (snn * sot - sno * snt) / det : 0
        k = min(max(k, 0), Self.maximumContention)
        var s = (snt - k * sno) / snn
        if !(s > 0) { k = 0; s = snt / snn }
        guard s > 0, s.isFinite else { return nil }
        return (s, k)
    }

    /// True when the recent steps ran at least partly without background work. While the
    /// analyses overlap nearly all of them (a full queue early in a run), the step's own cost
    /// cannot be told from the slowdown, and the estimate stays a guess.
    var stepsSeenAlone: Bool {
        let tau = timeConstant
        var alone = 0.0, all = 0.0
        for r in stretches {
            let w = exp(-(measuredStepSeconds - r.end) / tau)
            alone += w * (r.seconds - r.overlap); all += w * r.seconds
        }
        return all > 0 && alone >= 0.05 * all
    }

    public struct Estimate: Sendable, Equatable {
        /// Seconds until the last step's evaluation is done.
        public var seconds: Double
        /// True while too little has been measured for the number to be trusted.
        public var isGuess: Bool
        /// The step cost on its own (the progress line's steps/s is its inverse).
        public var secondsPerStep: Double
        public var secondsPerEvaluation: Double
        public var remainingEvaluations: Int
        /// The share of overlapped time the steps lose to the background work (0 to 0.99).
        public var contention: Double
        /// Seconds of the estimate that are evaluations (their own time and the time their
        /// analyses take from the steps), the rest being steps at `secondsPerStep`.
        public var evaluationSeconds: Double

        public init(seconds: Double, isGuess: Bool, secondsPerStep: Double, secondsPerEvaluation: Double,
                    remainingEvaluations: Int, contention: Double = 0, evaluationSeconds: Double = 0) {
            self.seconds = seconds; self.isGuess = isGuess; self.secondsPerStep = secondsPerStep
            self.secondsPerEvaluation = secondsPerEvaluation; self.remainingEvaluations = remainingEvaluations
            self.contention = contention; self.evaluationSeconds = evaluationSeconds
        }
    }

    /// The estimate when training stands at `step`; nil before any step has been timed.
    public func estimate(atStep step: Int) -> Estimate? {
        guard let (s, k) = stepModel else { return nil }
        let stepsLeft = max(totalSteps - step, 0)
        // Before any evaluation was timed, assume one costs nothing beyond its steps: the
        // guess flag stays on then anyway.
        let e = secondsPerEvaluation.isNaN ? 0 : secondsPerEvaluation
        let evaluations = evaluationSteps.isEmpty ? 0 : remainingEvaluations(atStep: step)
        let seconds = evaluationSteps.isEmpty
            ? Double(stepsLeft) * s
            : playForward(from: step, secondsPerStep: s, contention: k, secondsPerEvaluation: e)
        let settled = Double(step) >= settledFraction * Double(totalSteps)
            && measuredStepSeconds >= settledSeconds
            && (evaluationSteps.isEmpty || evaluationsMeasured >= 3)
            && stepsSeenAlone
        return Estimate(seconds: seconds, isGuess: !settled, secondsPerStep: s, secondsPerEvaluation: e,
                        remainingEvaluations: evaluations, contention: k,
                        evaluationSeconds: max(0, seconds - Double(stepsLeft) * s))
    }

    /// The time left, stretch by stretch over the schedule ahead: the analysis backlog (the
    /// snapshots waiting, at the measured time each) slows the steps it overlaps by k, and
    /// shrinks as it is worked off (also during the evaluations); each evaluation adds its own
    /// time and a snapshot to analyse, after waiting for room when the queue is full. Once the
    /// backlog is cleared within a stretch it stays so (the stretches only grow in every
    /// schedule), and the rest adds up in closed form.
    func playForward(from step: Int, secondsPerStep s: Double, contention k: Double, secondsPerEvaluation e: Double) -> Double {
        let a = analysisSecondsPerSnapshot
        var backlog = Double(pending) * a
        var total = 0.0
        var position = step
        var index = firstEvaluationIndex(after: max(step - 1, lastEvaluatedStep))
        while index < evaluationSteps.count {
            let next = min(evaluationSteps[index], totalSteps)
            let pure = Double(max(next - position, 0)) * s
            if backlog > 0 && k > 0 {
                let slowed = pure / (1 - k)
                if backlog >= slowed {
                    total += slowed; backlog -= slowed
                } else {
                    total += pure + k * backlog; backlog = 0
                }
            } else {
                total += pure
                backlog = max(0, backlog - pure)
            }
            // The snapshot joins the queue; a full queue makes the evaluation wait for a slot,
            // while the analysis works alone.
            if capacity > 0 {
                let over = backlog + a - Double(capacity) * a
                if over > 0 { total += over; backlog -= over }
            }
            total += e
            backlog = max(0, backlog - e) + a
            position = next
            index += 1
            // From a stretch whose plain steps outlast a snapshot's analysis on, the backlog is
            // one snapshot at each evaluation, and it costs k a of the stretch after it.
            if backlog <= a, pure >= a {
                let evaluationsLeft = Double(evaluationSteps.count - index)
                return total + Double(max(totalSteps - position, 0)) * s + evaluationsLeft * (e + k * a)
            }
        }
        return total + Double(max(totalSteps - position, 0)) * s
    }
}
