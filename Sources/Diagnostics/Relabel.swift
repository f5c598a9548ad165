import Foundation
import GrokCore
import HTSR
import Model
import Phases
import RunFiles
import Training

/// Relabels an existing run from its files, without training again: optionally analyses every
/// snapshot again with this build's HTSR analyzer (new columns such as num_traps_centered), then
/// labels the phases with the given rule and rewrites phases.json. Evaluations whose snapshot
/// was pruned keep their htsr.csv rows as they were.
///
/// The analysis is the live run's exactly: the mode from config.json and the same per-step
/// shuffle seed (SeededRandom(run seed, "htsr-<step>")), so a relabelled htsr.csv equals the one
/// a run with this build would have written. The files a run had before its first relabel are
/// kept next to the new ones (htsr.before-relabel.csv, phases.before-relabel.json); later
/// relabels only rewrite what a relabel wrote. The run directory is locked meanwhile (a live
/// grok-train on it is refused).
public enum RunRelabel {
    public struct Options: Sendable {
        /// Analyse the snapshots again (false: phases only, from the existing htsr.csv).
        public var reanalyze = true
        /// Override the run's HTSR mode (needed when the run had --htsr off).
        public var htsrMode: HTSRMode?
        /// Override the rule's trap count and alpha window (nil: the run's settings).
        public var trapCount: TrapCount?
        public var alphaWindowDecades: Double?
        /// Override the rule and its stable-rank fall (nil: the run's settings).
        public var rule: HTSRRule?
        public var stableRankDrop: Double?
        /// Threads for the layers of one snapshot.
        public var threads = 1
        public init() {}
    }

    public struct Result: Sendable {
        public var report: PhasesReport
        public var analysedSnapshots: Int
        public var files: [URL]
    }

    public static func relabel(directory dir: URL, options: Options = Options(),
                               progress: (String) -> Void = { _ in }) throws -> Result {
        let run = RunDirectory(dir)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GrokError("\(dir.path) is not a directory")
        }
        guard FileManager.default.fileExists(atPath: run.configURL.path) else {
            throw GrokError("\(run.configURL.path) is missing: \(dir.path) is not a GrokLab run directory")
        }
        let config: TrainingConfig
        do { config = try TrainingConfig.read(from: run) } catch {
            throw GrokError("\(run.configURL.path) is not a valid GrokLab config")
        }
        var settings = try DiagnosticsSettings.read(configURL: run.configURL)
        if let v = options.htsrMode { settings.htsr = v }
        if let v = options.trapCount { settings.htsrTraps = v }
        if let v = options.alphaWindowDecades { settings.htsrAlphaWindow = v }
        if let v = options.rule { settings.htsrRule = v }
        if let v = options.stableRankDrop { settings.htsrStableRankDrop = v }
        try settings.validate()
        let lock = try DirectoryLock(directory: dir, holder: "process (a grok-train or a relabel)")
        defer { lock.release() }

        // Read everything needed before rewriting anything, and refuse files that lost rows:
        // labels from them would silently leave those evaluations out.
        let accuracy = try MetricsFile.readAccuracy(run.metricsURL)
        try checkMetricsHistory(run, config: config, steps: accuracy.map(\.step), progress: progress)
        let htsrURL = run.htsrURL
        var written: [URL] = []
        var analysed = 0
        var rows: [HTSRRow]
        if options.reanalyze {
            guard settings.htsr != .off else {
                throw GrokError("\(dir.path) was trained with --htsr off: pass --htsr plain or paper to analyse its snapshots")
            }
            let layout = try config.networkLayout().layout
            let analyzer = HTSRLayerAnalyzer(mode: settings.htsr, threads: options.threads)
            let snapshots = run.snapshots()
            guard !snapshots.isEmpty else { throw GrokError("\(run.snapshotsURL.path): no step-*.safetensors snapshots to analyse") }
            // Steps whose snapshot was pruned (--keep-snapshots) keep their rows as they are:
            // a relabel adds what it can compute and never loses an evaluation.
            let analysedSteps = Set(snapshots.map(\.step))
            let kept = FileManager.default.fileExists(atPath: htsrURL.path)
                ? try HTSRFile.read(htsrURL).filter { !analysedSteps.contains($0.step) } : []
            rows = []
            for (k, (step, url)) in snapshots.enumerated() {
                let layers: [LayerInput]
                do {
                    layers = try SnapshotFile.weights(SnapshotFile.read(url), layout: layout)
                        .map { LayerInput(name: $0.name, shape: .dense(rows: $0.rows, cols: $0.cols), values: $0.values) }
                } catch { throw GrokError("\(url.path): \(error)") }
                var stepRandom = SeededRandom(seed: config.seed, stream: "htsr-\(step)")
                rows += analyzer.analyze(layers, step: step, seed: stepRandom.next()).map { var r = $0; r.step = step; return r }
                analysed += 1
                if (k + 1) % 20 == 0 || k + 1 == snapshots.count { progress("analysed \(k + 1)/\(snapshots.count) snapshots") }
            }
            if !kept.isEmpty {
                let steps = Set(kept.map(\.step)).count
                progress("kept htsr.csv's rows of \(steps) evaluations without a snapshot (pruned): their newer columns stay empty")
                // Stable: the rows of one step stay in their layer order.
                rows = (rows + kept).enumerated().sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }.map(\.element)
            }
            try backUp(htsrURL, as: RunFileName.htsrBeforeRelabel)
            try HTSRFile.write(rows, to: htsrURL)
            written.append(htsrURL)
        } else {
            guard FileManager.default.fileExists(atPath: htsrURL.path) else {
                throw GrokError("\(htsrURL.path) is missing: relabel without --phases-only to analyse the snapshots")
            }
            rows = try HTSRFile.read(htsrURL)
            try checkHTSRRows(htsrURL, rows: rows, evaluations: accuracy.map(\.step), progress: progress)
        }

        let config2 = settings.configuration
        let report = PhasesReport(accuracy: accuracy, htsr: rows.map(\.phasePoint),
                                  thresholds: config2.thresholds, htsrThresholds: config2.htsrThresholds)
        let phasesURL = run.phasesURL
        try backUp(phasesURL, as: RunFileName.phasesBeforeRelabel)
        try report.write(to: phasesURL)
        written.append(phasesURL)
        // A completed run's metrics.csv ends with the accuracy labels: keep them in step.
        if try MetricsFile.relabelPhaseColumn(run.metricsURL, segments: report.accuracy) { written.append(run.metricsURL) }
        return Result(report: report, analysedSnapshots: analysed, files: written)
    }

    /// Every evaluation the schedule made up to the run's last checkpoint or snapshot must be
    /// in metrics.csv; a tolerated partial last line is said.
    static func checkMetricsHistory(_ run: RunDirectory, config: TrainingConfig, steps: [Int], progress: (String) -> Void) throws {
        if let notes = try? CSVTable.read(run.metricsURL).notes, !notes.isEmpty {
            progress("note: " + notes.joined(separator: "; "))
        }
        let reached = max((try? run.checkpointStep()) ?? nil ?? -1, run.snapshots().map(\.step).max() ?? -1)
        let expected = config.schedule.steps(total: config.steps, snapshots: config.snapshots).filter { $0 <= reached }
        let present = Set(steps)
        let missing = expected.filter { !present.contains($0) }
        guard let first = missing.first else { return }
        throw GrokError("cannot relabel \(run.url.path): \(run.metricsURL.lastPathComponent) lacks \(missing.count) of the \(expected.count) evaluations up to step \(reached) (the first at step \(first); \(steps.max().map { "its last row is step \($0)" } ?? "it has no rows")), so the labels would leave them out; restore the file (relabel keeps it as it is)")
    }

    /// With --phases-only the labels come from htsr.csv: every evaluation needs its rows there.
    static func checkHTSRRows(_ url: URL, rows: [HTSRRow], evaluations: [Int], progress: (String) -> Void) throws {
        if let notes = try? CSVTable.read(url).notes, !notes.isEmpty {
            progress("note: " + notes.joined(separator: "; "))
        }
        // Each evaluation has one row per layer: a step with fewer was cut off.
        let perStep = Dictionary(grouping: rows, by: \.step).mapValues(\.count)
        let layers = perStep.values.max() ?? 0
        let missing = evaluations.filter { (perStep[$0] ?? 0) < layers || layers == 0 }
        guard let first = missing.first else { return }
        throw GrokError("cannot relabel from \(url.path): it has no HTSR rows for \(missing.count) of the \(evaluations.count) evaluations in metrics.csv (the first at step \(first)); relabel without --phases-only to analyse the snapshots again")
    }

    /// Copies `url` to `name` beside it, unless that backup exists already (the first relabel
    /// keeps what training wrote; later ones rewrite only relabel output).
    static func backUp(_ url: URL, as name: String) throws {
        let fm = FileManager.default
        let backup = url.deletingLastPathComponent().appendingPathComponent(name)
        guard fm.fileExists(atPath: url.path), !fm.fileExists(atPath: backup.path) else { return }
        do { try fm.copyItem(at: url, to: backup) } catch {
            throw GrokError("cannot keep a copy of \(url.path) as \(backup.path): \(error.localizedDescription)")
        }
    }
}
