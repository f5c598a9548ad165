import Foundation
import GrokCore
import RunFiles
import Training

/// Keeps a training run's TensorBoard event file current (grok-train --tensorboard): at every
/// evaluation it appends the rows metrics.csv and htsr.csv gained since the previous one (the
/// current evaluation's row is written right after the observers run, so it follows at the
/// next evaluation or at the end); at the end the rest, and the phase labels once they are
/// final. Run it after the diagnostics observer: their files are its input.
public final class TensorBoardObserver: TrainingObserver {
    let run: RunDirectory
    var log: TensorBoardLog?

    public init(runDirectory: URL) { run = RunDirectory(runDirectory) }

    public var extraMetricColumns: [String] { [] }

    /// A resumed run's file is rewritten up to the checkpoint's step (the killed process may
    /// have logged later steps, which this run repeats).
    public func runStarted(_ context: RunContext) throws {
        log = try TensorBoardLog.startLive(run: run, throughStep: context.resumedFromStep ?? -1)
    }

    public func observe(_ snapshot: WeightSnapshot, metrics: EvaluationMetrics) throws -> [Double] {
        try log?.appendNew()
        return []
    }

    public func runEnded(_ outcome: RunOutcome) throws -> [String] {
        guard let log else { return [] }
        try log.appendNew()
        if case .interrupted = outcome { return [] }
        try log.appendPhases()
        return ["tensorboard: \(run.tensorBoardEventsURL.path) (tensorboard --logdir \(run.url.path))"]
    }
}
