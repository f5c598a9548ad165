import Foundation
import Training
import Report

/// Keeps a training run's report.html current while it trains (`LiveReportBuilder`: on a
/// background queue, at most once a minute and under 1% of the run). The final page, without
/// the live banner, is the caller's usual build after the run has ended.
public final class LiveReportObserver: TrainingObserver {
    public let builder: LiveReportBuilder
    private var started = Date()

    public init(runDirectory: URL, seed: UInt64) {
        var options = ReportOptions()
        options.seed = seed
        builder = LiveReportBuilder(runDirectory: runDirectory, options: options)
    }

    public var extraMetricColumns: [String] { [] }

    /// The live builds' time (no snapshots of their own to count).
    public var backgroundWork: BackgroundWork { BackgroundWork(busySeconds: builder.busySeconds) }

    public func runStarted(_ context: RunContext) throws { started = Date() }

    public func observe(_ snapshot: WeightSnapshot, metrics: EvaluationMetrics) throws -> [Double] {
        builder.evaluationDone()
        return []
    }

    /// Waits for a live build still running, so the final build never races it.
    public func runEnded(_ outcome: RunOutcome) throws -> [String] {
        builder.waitForBuild()
        return [builder.summary(runSeconds: Date().timeIntervalSince(started))]
    }
}
