import Foundation

/// Tells the user where a long run is: on a terminal a single line redrawn in place (step,
/// steps/s, ETA, last accuracies); otherwise (a log file, CI) one plain line per evaluation.
/// The ETA comes from `ETAEstimator`, fed here with the measured time of step-only stretches
/// and of each evaluation; it reads "ETA ~" while it is still a guess.
public final class ProgressReporter {
    public let isTerminal: Bool
    public let quiet: Bool
    private var lastDraw = 0.0
    private var lastTrainAcc = Double.nan, lastTestAcc = Double.nan
    private let total: Int
    private var estimator: ETAEstimator
    private let evaluationSteps: [Int]
    private var nextEvaluation = 0
    /// Start (step, time, background seconds) of the stretch of plain training steps being
    /// timed; nil while an evaluation runs or before the first tick.
    private var segment: (step: Int, time: Double, busy: Double)?
    /// The observers' background work so far, in seconds (the trainer sets it): the ETA
    /// learns how much the steps it overlaps are slowed.
    public var backgroundBusySeconds: () -> Double = { 0 }
    /// When the step that is about to be evaluated finished training.
    private var evaluationStart: (step: Int, time: Double)?

    /// `evaluationSteps`: the run's schedule (`EvaluationSchedule.steps`), so the ETA can cost
    /// the remaining evaluations separately from the steps; without it evaluations are lumped
    /// into the step rate.
    public init(totalSteps: Int, quiet: Bool = false, evaluationSteps: [Int] = []) {
        total = totalSteps
        isTerminal = isatty(STDERR_FILENO) == 1
        self.quiet = quiet
        self.evaluationSteps = evaluationSteps.sorted()
        estimator = ETAEstimator(totalSteps: totalSteps, evaluationSteps: evaluationSteps)
    }

    static func now() -> Double {
        var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Human duration: 42s, 3m05s, 2h07m.
    public static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        let t = Int(s.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60)
    }

    /// "ETA 12m05s", "ETA ~2h35m" while a guess, "ETA ?" before anything was timed.
    public static func etaText(_ e: ETAEstimator.Estimate?) -> String {
        guard let e else { return "ETA ?" }
        return "ETA " + (e.isGuess ? "~" : "") + duration(e.seconds)
    }

    /// Steps per second on their own (evaluations and background work aside).
    private func stepsPerSecond(_ e: ETAEstimator.Estimate?) -> Double {
        guard let e, e.secondsPerStep > 0 else { return 0 }
        return 1 / e.secondsPerStep
    }

    private func line(step: Int) -> String {
        let e = estimator.estimate(atStep: step)
        let pct = 100 * Double(step) / Double(max(total, 1))
        let acc = lastTrainAcc.isNaN ? "" : String(format: "  train %.3f  test %.3f", lastTrainAcc, lastTestAcc)
        return String(format: "step %d/%d (%.1f%%)  %.0f steps/s  ", step, total, pct, stepsPerSecond(e))
            + ProgressReporter.etaText(e) + acc
    }

    /// Called after every training step: reads the clock every 64 steps (and at a step about
    /// to be evaluated) to time the steps; redraws at most 4 times a second on a terminal.
    @inline(__always)
    public func tick(step: Int) {
        while nextEvaluation < evaluationSteps.count && evaluationSteps[nextEvaluation] < step { nextEvaluation += 1 }
        let evaluating = nextEvaluation < evaluationSteps.count && evaluationSteps[nextEvaluation] == step
        guard evaluating || step & 63 == 0 else { return }
        let t = ProgressReporter.now()
        if let s = segment {
            if evaluating || t - s.time >= 1 {
                let busy = backgroundBusySeconds()
                estimator.recordSteps(count: step - s.step, seconds: t - s.time, overlap: busy - s.busy)
                segment = (step, t, busy)
            }
        } else {
            segment = (step, t, backgroundBusySeconds())
        }
        if evaluating { evaluationStart = (step, t); segment = nil }
        guard isTerminal, !quiet, t - lastDraw >= 0.25 else { return }
        draw(step: step, time: t)
    }

    private func draw(step: Int, time: Double) {
        lastDraw = time
        writeStderr("\r\u{1B}[K" + line(step: step))
    }

    /// Called at every evaluation, when it is done.
    /// `background`: the observers' work on other threads as it stands now.
    public func evaluated(step: Int, trainAccuracy: Double, testAccuracy: Double, trainLoss: Double, testLoss: Double,
                          background: BackgroundWork? = nil) {
        let t = ProgressReporter.now()
        if !evaluationSteps.isEmpty {   // without a schedule the evaluation stays in the step time
            if let s = evaluationStart, s.step == step {
                estimator.recordEvaluation(step: step, seconds: t - s.time, background: background)
            } else {   // step 0, or a resumed run's first
                estimator.recordEvaluation(step: step, seconds: .nan, background: background)
            }
            evaluationStart = nil
            segment = (step, t, backgroundBusySeconds())
        }
        lastTrainAcc = trainAccuracy; lastTestAcc = testAccuracy
        guard !quiet else { return }
        if isTerminal {
            draw(step: step, time: t)
        } else {
            let e = estimator.estimate(atStep: step)
            writeStderr(String(format: "step %d/%d  train loss %.4g acc %.4f  test loss %.4g acc %.4f  %.0f steps/s  ",
                               step, total, trainLoss, trainAccuracy, testLoss, testAccuracy, stepsPerSecond(e))
                        + ProgressReporter.etaText(e) + "\n")
        }
    }

    /// Prints a message on its own line (clearing the progress line first on a terminal).
    public func message(_ text: String) {
        writeStderr((isTerminal && !quiet ? "\r\u{1B}[K" : "") + text + "\n")
    }

    public func finish() {
        if isTerminal && !quiet { writeStderr("\r\u{1B}[K") }
    }
}

/// Unbuffered write to standard error (progress must appear now, not at exit).
func writeStderr(_ s: String) {
    var bytes = Array(s.utf8)
    bytes.withUnsafeMutableBytes { raw in
        var off = 0
        while off < raw.count {
            let n = write(STDERR_FILENO, raw.baseAddress! + off, raw.count - off)
            if n <= 0 { if errno == EINTR { continue }; return }
            off += n
        }
    }
}

/// SIGINT, SIGTERM and SIGHUP (a closed terminal or ssh session) ask the loop to stop at the
/// next step boundary (it then writes a checkpoint); a second SIGINT while stopping exits at once.
public enum StopSignal {
    nonisolated(unsafe) static var requested: sig_atomic_t = 0

    public static var isRequested: Bool { requested != 0 }

    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { sig in
            if StopSignal.requested != 0 && sig == SIGINT { _exit(130) }
            StopSignal.requested = sig
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        signal(SIGHUP, handler)
    }

    public static func reset() { requested = 0 }

    /// Asks the loop to stop as a signal would (for embedding programs and tests).
    public static func request() { requested = SIGINT }
}
