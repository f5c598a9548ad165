import Foundation
import GrokCore
import Datasets
import Model
import RunFiles
import Training
import Diagnostics
import Report

/// One training run from start (or resume) to report: the orchestration grok-train's command
/// line drives, here so that grok-sweep and the tests run exactly the same code. It owns the
/// safety rules of a run directory: the directory is locked for the whole run, nothing is
/// written before the data loaded, --force replaces only a run, and --resume continues only
/// when the data and the history match the checkpoint.
public struct TrainingRun {
    /// What to do with the run directory.
    public enum Start {
        /// A new run with these settings; `force` replaces an existing run directory.
        case fresh(TrainingConfig, DiagnosticsSettings, force: Bool)
        /// Continue the run in the directory under its config.json; `threads` may change.
        /// `force`: a run whose checkpoint is gone may start again from step 0, replacing the
        /// results it still holds (without it, that is refused).
        case resume(threads: Int?, force: Bool = false)
    }

    public var directory: RunDirectory
    public var start: Start
    /// No progress line or log lines.
    public var quiet = false
    /// Build figures/ and report.html when training ends.
    public var buildReport = true
    /// Seconds of wall time between checkpoints (`CheckpointPolicy`; 0: at every evaluation).
    public var checkpointInterval = CheckpointPolicy.defaultInterval
    /// Recorded in config.json as "command_line" (e.g. grok-train's arguments, shell-quoted).
    public var commandLine = ""
    /// Where notes (one line each, on stderr for the CLI) and results (stdout) go.
    public var note: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    public var output: (String) -> Void = { print($0) }

    public init(directory: URL, start: Start) {
        self.directory = RunDirectory(directory)
        self.start = start
    }

    /// Trains, then builds the report. Returns how training ended; `conclusion(of:)` words it.
    @discardableResult
    public func run() throws -> RunResult {
        var config: TrainingConfig
        let diagnostics: DiagnosticsSettings
        var lock: DirectoryLock?
        defer { lock?.release() }
        switch start {
        case .fresh(let c, let d, _):
            config = c; diagnostics = d
        case .resume(let threads, _):
            _ = try TrainingConfig.read(from: directory)   // a clear error first when there is no run here
            lock = try directory.lock()
            config = try TrainingConfig.read(from: directory)
            diagnostics = try DiagnosticsSettings.read(configURL: directory.configURL)
            if let threads { config.threads = threads }
        }

        // Data first: a bad data folder must fail before any file is written.
        let data = try TrainingData.load(config)
        let evaluationSteps = config.schedule.steps(total: config.steps, snapshots: config.snapshots)

        var fromCheckpoint = false
        switch start {
        case .resume(_, let force):
            if let n = try directory.verifyDataChecksum(data.checksum) { note(n) }
            if let step = try directory.checkpointStep() {
                // A run killed hard may have evaluated past its last checkpoint (written on an
                // interval): those rows are dropped and come back identical. Say so.
                let after = try directory.verifyMetricsHistory(throughStep: step, evaluationSteps: evaluationSteps)
                fromCheckpoint = true
                if let last = after.last {
                    note("note: the checkpoint is at step \(step); the \(after.count) evaluation\(after.count == 1 ? "" : "s") after it (to step \(last)) will be recomputed, identically")
                }
            } else {
                // No checkpoint: either the run stopped before its first one (nothing beyond
                // step 0 to lose), or the file was deleted and the results are still here.
                let kept = directory.resultsBeyondStart()
                if kept.evaluations + kept.snapshots > 0 {
                    guard force else {
                        throw GrokError("cannot resume \(directory.url.path): \(RunFileName.checkpoint) is missing, and starting again from step 0 would replace its \(kept.evaluations) evaluations in \(RunFileName.metrics) and \(kept.snapshots) snapshots; restore the checkpoint, or add --force to start it again from step 0")
                    }
                    note("note: \(directory.url.path) has no checkpoint: starting it again from step 0 with its config.json (--force), replacing its \(kept.evaluations) evaluations and \(kept.snapshots) snapshots")
                } else {
                    note("note: \(directory.url.path) has no checkpoint yet (stopped before its first one): starting it again from step 0 with its config.json")
                }
                try directory.removeOutputsKeepingConfig()
            }
        case .fresh(_, _, let force):
            lock = try directory.create(force: force)
            try config.write(to: directory, extra: [
                "train_size": data.trainCount,
                "test_size": data.testCount,
                "data_source": data.sourceDescription,
                "data_path": data.sourcePath,
                "data_checksum": data.checksum,
                "command_line": commandLine,
                "version": GrokLabVersion.string,
                "blas_core": BLASRuntime.coreName,
                "started": ISO8601DateFormatter().string(from: Date()),
                "evaluation_steps": evaluationSteps.count,
                "diagnostics": diagnostics.jsonObject,
            ])
        }

        let progress = ProgressReporter(totalSteps: config.steps, quiet: quiet, evaluationSteps: evaluationSteps)
        progress.message("\(fromCheckpoint ? "resuming" : "training") \(directory.url.path): \(config.widths.map(String.init).joined(separator: "-")) \(config.dtype.rawValue) \(config.optimizer.rawValue) lr \(config.lr) wd \(config.wd), \(config.steps) steps; \(data.sourceDescription); BLAS \(BLASRuntime.coreName) x\(config.threads)")
        StopSignal.install()
        let network = try config.networkLayout()
        let observer = RunDiagnostics(layout: network.layout, shape: network.shape, configuration: diagnostics.configuration)
        // While it trains, report.html is kept current in the background (a live page).
        let live: [TrainingObserver] = buildReport ? [LiveReportObserver(runDirectory: directory.url, seed: config.seed)] : []
        // The TensorBoard log reads the diagnostics' files: it comes after them.
        let tensorBoard: [TrainingObserver] = diagnostics.tensorboard == true ? [TensorBoardObserver(runDirectory: directory.url)] : []
        let result = try Trainer.run(config: config, data: data, directory: directory, resume: fromCheckpoint,
                                     observers: [observer] + snapshotPruner(config: config, diagnostics: diagnostics) + live + tensorBoard,
                                     progress: progress, checkpointInterval: checkpointInterval)
        for line in result.summary { output(line) }
        if buildReport { report(seed: config.seed) }
        return result
    }

    /// The observer that deletes unkept snapshot files (none with --keep-snapshots all).
    func snapshotPruner(config: TrainingConfig, diagnostics: DiagnosticsSettings) -> [TrainingObserver] {
        guard let keep = diagnostics.keepSnapshots, keep != .all else { return [] }
        return [SnapshotPruner(retention: keep,
                               evaluationSteps: config.schedule.steps(total: config.steps, snapshots: config.snapshots),
                               waitsForHTSR: diagnostics.htsr != .off)]
    }

    /// figures/ and report.html; a failure is a note (the run itself is fine).
    func report(seed: UInt64) {
        let t0 = Date()
        var options = ReportOptions()
        options.seed = seed
        do {
            let report = try RunReport.build(runDirectory: directory.url, options: options)
            for w in report.warnings { note("report: \(w)") }
            if let r = report.report {
                output(String(format: "report: %@ (%d files, %.1f s)", r.path, report.files.count, Date().timeIntervalSince(t0)))
            }
        } catch {
            note("report: not built (\(error)); try grok-report \(directory.url.path)")
        }
    }

    /// What to tell the user about an outcome: a line for stdout, or the error that ends the
    /// process (a divergence says truthfully whether a checkpoint exists to go back to).
    public func conclusion(of result: RunResult) -> (line: String?, error: GrokError?) {
        let path = directory.url.path
        switch result.outcome {
        case .completed:
            return ("done: \(result.finalStep) steps; results in \(path)", nil)
        case .interrupted(let step):
            return ("interrupted at step \(step); resume with: grok-train --resume --out \(path)", nil)
        case .diverged(let step):
            if let kept = try? directory.checkpointStep() {
                return (nil, GrokError("training diverged at step \(step) (a NaN or infinite loss or weight); the last good checkpoint (step \(kept)) and snapshots are in \(path)"))
            }
            return (nil, GrokError("training diverged at step \(step) (a NaN or infinite loss or weight at initialization); no checkpoint or snapshot was written, so there is nothing to resume: change the settings (e.g. --init-scale, --lr)"))
        }
    }
}
