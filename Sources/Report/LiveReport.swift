import Foundation
import GrokCore

/// What a live report says at its top: "live, step N of M, updated HH:MM". Only a page built
/// while the run is still training carries it; the final build drops it (and with it the
/// page's once-a-minute reload).
public struct LiveStatus: Sendable, Equatable {
    /// The last step in metrics.csv when the page was built (what the figures show).
    public var step: Int
    /// The run's total steps (config.json "steps"); nil when config.json is unreadable.
    public var totalSteps: Int?
    /// When the page was built.
    public var updated: Date

    public init(step: Int, totalSteps: Int?, updated: Date) {
        self.step = step; self.totalSteps = totalSteps; self.updated = updated
    }

    /// "live, step 1,234 of 100,000, updated 14:05" (local time of the machine that built it).
    public var text: String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm"
        f.locale = Locale(identifier: "en_US_POSIX")
        let of = totalSteps.map { " of " + Format.step(Double($0)) } ?? ""
        return "live, step \(Format.step(Double(step)))\(of), updated \(f.string(from: updated))"
    }
}

/// Rebuilds a run's report while it trains, on a background queue, often enough to watch and
/// rarely enough to cost under 1% of the run: a rebuild starts only when at least
/// `costFactor` times the previous build's duration (and at least `minimumInterval`) has passed
/// since the previous one ended. Measured in time rather than as a fixed "every K
/// evaluations", because the evaluations are dense early and sparse late: K evaluations are a
/// second at step 50 and an hour at step 10^7. Live pages skip PNGs (the page draws inline SVG).
///
/// Thread-safe: `evaluationDone` may be called from the training thread; the build itself runs
/// on this object's serial queue and never overlaps another.
public final class LiveReportBuilder: @unchecked Sendable {
    public let runDirectory: URL
    public var options: ReportOptions
    /// Never rebuild more often than this (the page reloads once a minute).
    public var minimumInterval: Double
    /// Idle time between builds as a multiple of a build's duration (99 -> under 1% busy).
    public var costFactor = 99.0

    private let queue = DispatchQueue(label: "groklab.live-report", qos: .utility)
    private let lock = NSLock()
    private var building = false
    private var lastEnd: Double
    private var lastDuration = 0.0
    private var builds = 0, buildSeconds = 0.0
    private var buildStart: Double?
    private var failures: [String] = []

    public init(runDirectory: URL, options: ReportOptions = ReportOptions(), minimumInterval: Double = 60) {
        self.runDirectory = runDirectory
        var o = options
        o.png = false
        self.options = o
        self.minimumInterval = minimumInterval
        lastEnd = LiveReportBuilder.now()
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Seconds to wait after a build of `duration` seconds before the next may start.
    public static func interval(afterBuildOf duration: Double, minimum: Double, costFactor: Double) -> Double {
        max(minimum, costFactor * duration)
    }

    /// True when a rebuild is due now (none running, and the interval since the last one passed).
    public var isDue: Bool {
        lock.lock(); defer { lock.unlock() }
        return !building && LiveReportBuilder.now() - lastEnd
            >= LiveReportBuilder.interval(afterBuildOf: lastDuration, minimum: minimumInterval, costFactor: costFactor)
    }

    /// Called after each evaluation: starts a background rebuild when one is due.
    public func evaluationDone() {
        guard isDue else { return }
        lock.lock(); building = true; lock.unlock()
        queue.async { [self] in _ = buildNow() }
    }

    /// Builds the live page now, on the calling thread. Returns the build's result (nil when it
    /// failed; the reason is kept for `summary`).
    @discardableResult
    public func buildNow() -> ReportResult? {
        let t0 = LiveReportBuilder.now()
        lock.lock(); buildStart = t0; lock.unlock()
        var o = options
        o.live = true
        let result: ReportResult?
        do { result = try RunReport.build(runDirectory: runDirectory, options: o) } catch {
            result = nil
            lock.lock(); failures.append("\(error)"); lock.unlock()
        }
        let t1 = LiveReportBuilder.now()
        lock.lock()
        building = false
        buildStart = nil
        lastEnd = t1
        lastDuration = t1 - t0
        builds += 1
        buildSeconds += t1 - t0
        lock.unlock()
        return result
    }

    /// Seconds spent building so far, a build in progress included (work that competes with
    /// the training threads for the cores).
    public var busySeconds: Double {
        lock.lock(); defer { lock.unlock() }
        return buildSeconds + (buildStart.map { LiveReportBuilder.now() - $0 } ?? 0)
    }

    /// Waits for a rebuild in flight (call before the final build, so the two never race).
    public func waitForBuild() { queue.sync {} }

    /// One line for the run summary: how many live builds, and what they cost.
    public func summary(runSeconds: Double) -> String {
        lock.lock(); defer { lock.unlock() }
        var s = String(format: "live report: rebuilt %d times, %.1f s in all", builds, buildSeconds)
        if runSeconds > 0 { s += String(format: " (%.2f%% of the run)", 100 * buildSeconds / runSeconds) }
        if let f = failures.last { s += "; last failure: \(f)" }
        return s
    }
}
