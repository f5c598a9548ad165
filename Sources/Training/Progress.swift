import Foundation

/// Tells the user where a long run is: on a terminal a single line redrawn in place (step,
/// steps/s, ETA, last accuracies); otherwise (a log file, CI) one plain line per evaluation.
public final class ProgressReporter {
    public let isTerminal: Bool
    public let quiet: Bool
    private var lastDraw = 0.0
    private var lastTrainAcc = Double.nan, lastTestAcc = Double.nan
    private var rateStep = 0, rateTime = 0.0, rate = 0.0
    private let total: Int

    public init(totalSteps: Int, quiet: Bool = false) {
        total = totalSteps
        isTerminal = isatty(STDERR_FILENO) == 1
        self.quiet = quiet
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

    private func stepsPerSecond(step: Int, time: Double) -> Double {
        // A rate over the last few seconds, so the ETA follows the current speed.
        if rateTime == 0 { rateStep = step; rateTime = time; return rate }
        let dt = time - rateTime
        if dt >= 2 { rate = Double(step - rateStep) / dt; rateStep = step; rateTime = time }
        return rate
    }

    private func line(step: Int, time: Double) -> String {
        let r = stepsPerSecond(step: step, time: time)
        let eta = r > 0 ? ProgressReporter.duration(Double(total - step) / r) : "?"
        let pct = 100 * Double(step) / Double(max(total, 1))
        let acc = lastTrainAcc.isNaN ? "" : String(format: "  train %.3f  test %.3f", lastTrainAcc, lastTestAcc)
        return String(format: "step %d/%d (%.1f%%)  %.0f steps/s  ETA %@", step, total, pct, r, eta) + acc
    }

    /// Called often from the loop; redraws at most 4 times a second, only on a terminal.
    @inline(__always)
    public func tick(step: Int) {
        guard isTerminal, !quiet, step & 63 == 0 else { return }
        let t = ProgressReporter.now()
        guard t - lastDraw >= 0.25 else { return }
        draw(step: step, time: t)
    }

    private func draw(step: Int, time: Double) {
        lastDraw = time
        writeStderr("\r\u{1B}[K" + line(step: step, time: time))
    }

    /// Called at every evaluation.
    public func evaluated(step: Int, trainAccuracy: Double, testAccuracy: Double, trainLoss: Double, testLoss: Double) {
        lastTrainAcc = trainAccuracy; lastTestAcc = testAccuracy
        guard !quiet else { return }
        if isTerminal {
            draw(step: step, time: ProgressReporter.now())
        } else {
            let t = ProgressReporter.now()
            let r = stepsPerSecond(step: step, time: t)
            let eta = r > 0 ? ProgressReporter.duration(Double(total - step) / r) : "?"
            writeStderr(String(format: "step %d/%d  train loss %.4g acc %.4f  test loss %.4g acc %.4f  %.0f steps/s  ETA %@\n",
                               step, total, trainLoss, trainAccuracy, testLoss, testAccuracy, r, eta))
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
