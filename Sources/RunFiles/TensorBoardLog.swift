import Foundation
import GrokCore
import TensorBoard

/// A run's TensorBoard event file (`RunFileName.tensorBoardEvents`, in the run directory, so
/// `tensorboard --logdir SWEEP` shows one run per cell), made from the run's own files:
/// - every numeric column of metrics.csv as a scalar: train/test loss and accuracy under
///   `loss/` and `accuracy/` (loss/train, accuracy/test, ...), the norms under `norm/`
///   (norm/l2_norm, norm/l2_fc1, ...), the progress measures under `measures/`;
/// - per layer, htsr.csv's `exportedHTSRColumns` as `<column>/<layer>` (alpha/fc1, ...);
/// - at each evaluated step the phase labels of phases.json as the text summary `phase`.
/// Non-finite cells are left out. Wall times are config.json's start plus timing.csv's seconds.
///
/// Written whole (`export`, atomically), or live by a training run: `startLive` writes what the
/// files hold up to a step, then `appendNew` adds the rows the files gained since and
/// `appendPhases` the labels once they are final. Appending never rewrites what a reader
/// (TensorBoard, which keeps the file open) has already read.
public final class TensorBoardLog {
    public static let exportedHTSRColumns = ["alpha", "D", "stable_rank", "num_traps", "num_traps_centered", "ks_stat", "ks_pvalue"]
    public static let phaseTag = "phase"

    public let run: RunDirectory
    var lastMetricsStep: Int
    var lastHTSRStep: Int

    init(run: RunDirectory, lastMetricsStep: Int, lastHTSRStep: Int) {
        self.run = run; self.lastMetricsStep = lastMetricsStep; self.lastHTSRStep = lastHTSRStep
    }

    /// The tag of a metrics.csv column.
    public static func tag(metricsColumn c: String) -> String {
        switch c {
        case "train_loss": return "loss/train"
        case "test_loss": return "loss/test"
        case "train_acc": return "accuracy/train"
        case "test_acc": return "accuracy/test"
        default: return c.hasPrefix("l2_") ? "norm/" + c : "measures/" + c
        }
    }

    /// The tag of an htsr.csv column of one layer.
    public static func tag(htsrColumn c: String, layer: String) -> String { c + "/" + layer }

    /// Writes the whole file from the run's files (phases included), replacing an earlier one.
    @discardableResult
    public static func export(run: RunDirectory) throws -> URL {
        guard run.isRunDirectory else { throw GrokError("\(run.url.path) is not a GrokLab run directory (no config.json)") }
        let clock = WallClock(run: run)
        let events = scalarEvents(run: run, clock: clock, after: (-1, -1), through: nil).events + phaseEvents(run: run, clock: clock)
        try EventFile.write(events, wallTime: clock.start, to: run.tensorBoardEventsURL)
        return run.tensorBoardEventsURL
    }

    /// The event files of a run directory, or of every run in a folder of runs or a sweep
    /// (DIR/<run> or DIR/runs/<cell>). Each run is locked while its file is written; a run that
    /// is training holds its lock and is skipped (grok-train --tensorboard logs it live).
    public static func exportAll(_ directory: URL) throws -> (written: [URL], skipped: [(run: URL, why: String)]) {
        let top = RunDirectory(directory)
        var runs: [RunDirectory] = []
        if top.isRunDirectory { runs = [top] } else {
            let fm = FileManager.default
            for folder in [directory, directory.appendingPathComponent("runs")] {
                let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
                runs += names.map { RunDirectory(folder.appendingPathComponent($0)) }.filter(\.isRunDirectory)
            }
        }
        guard !runs.isEmpty else {
            throw GrokError("\(directory.path) is neither a run directory (config.json) nor a folder or sweep of runs")
        }
        var written: [URL] = [], skipped: [(run: URL, why: String)] = []
        for run in runs {
            let lock: DirectoryLock
            do { lock = try run.lock() } catch let e as GrokError { skipped.append((run.url, e.message)); continue }
            defer { lock.release() }
            written.append(try export(run: run))
        }
        return (written, skipped)
    }

    /// Starts a live log: the file is rewritten with the files' rows up to `step` (all when
    /// nil); later rows are appended by `appendNew`.
    public static func startLive(run: RunDirectory, throughStep step: Int?) throws -> TensorBoardLog {
        let clock = WallClock(run: run)
        let (events, last) = scalarEvents(run: run, clock: clock, after: (-1, -1), through: step)
        try EventFile.write(events, wallTime: clock.start, to: run.tensorBoardEventsURL)
        return TensorBoardLog(run: run, lastMetricsStep: last.metrics, lastHTSRStep: last.htsr)
    }

    /// Appends the rows metrics.csv and htsr.csv gained since the last call.
    public func appendNew() throws {
        let (events, last) = Self.scalarEvents(run: run, clock: WallClock(run: run), after: (lastMetricsStep, lastHTSRStep), through: nil)
        try EventFile.append(events, to: run.tensorBoardEventsURL)
        (lastMetricsStep, lastHTSRStep) = (last.metrics, last.htsr)
    }

    /// Appends the phase labels of every evaluated step (once phases.json is final).
    public func appendPhases() throws {
        try EventFile.append(Self.phaseEvents(run: run, clock: WallClock(run: run)), to: run.tensorBoardEventsURL)
    }

    /// Scalar events for the rows with a step in (after, through], one event per step and file;
    /// and the last step of each file included.
    static func scalarEvents(run: RunDirectory, clock: WallClock, after: (metrics: Int, htsr: Int),
                             through: Int?) -> (events: [TensorBoardEvent], last: (metrics: Int, htsr: Int)) {
        var events: [TensorBoardEvent] = [], last = after
        func inRange(_ step: Int, after a: Int) -> Bool { step > a && (through.map { step <= $0 } ?? true) }
        if let table = try? CSVTable.read(run.metricsURL), let steps = table.strings("step") {
            let columns = table.header.filter { $0 != "step" && $0 != MetricsFile.phaseColumn }
            let values = columns.map { table.numbers($0) ?? [] }
            for (row, text) in steps.enumerated() {
                guard let step = Int(text), inRange(step, after: after.metrics) else { continue }
                let scalars = columns.indices.compactMap { c -> TensorBoardEvent.Scalar? in
                    let v = row < values[c].count ? values[c][row] : .nan
                    return v.isFinite ? .init(tag: tag(metricsColumn: columns[c]), value: Float(v)) : nil
                }
                events.append(TensorBoardEvent(wallTime: clock.time(step: step), step: step, payload: .scalars(scalars)))
                last.metrics = max(last.metrics, step)
            }
        }
        if let table = try? CSVTable.read(run.htsrURL), let steps = table.strings("step"), let layers = table.strings("layer") {
            let columns = exportedHTSRColumns.filter(table.has)
            let values = columns.map { table.numbers($0)! }
            var byStep: [(step: Int, scalars: [TensorBoardEvent.Scalar])] = []
            for (row, text) in steps.enumerated() {
                guard let step = Int(text), inRange(step, after: after.htsr) else { continue }
                let scalars = columns.indices.compactMap { c -> TensorBoardEvent.Scalar? in
                    values[c][row].isFinite ? .init(tag: tag(htsrColumn: columns[c], layer: layers[row]), value: Float(values[c][row])) : nil
                }
                if byStep.last?.step == step { byStep[byStep.count - 1].scalars += scalars } else { byStep.append((step, scalars)) }
                last.htsr = max(last.htsr, step)
            }
            events += byStep.map { TensorBoardEvent(wallTime: clock.time(step: $0.step), step: $0.step, payload: .scalars($0.scalars)) }
        }
        return (events, last)
    }

    /// One text event per evaluated step: "accuracy: <phase>" and, when the run has HTSR
    /// phases, "; HTSR: <phase>" (none without phases.json).
    static func phaseEvents(run: RunDirectory, clock: WallClock) -> [TensorBoardEvent] {
        guard let report = try? PhasesReport.read(from: run.phasesURL),
              let steps = (try? CSVTable.read(run.metricsURL))?.strings("step")?.compactMap({ Int($0) }) else { return [] }
        return steps.compactMap { step in
            guard let text = phaseText(step: step, report: report) else { return nil }
            return TensorBoardEvent(wallTime: clock.time(step: step), step: step, payload: .text(tag: phaseTag, text: text))
        }
    }

    /// The labels of `step` (nil when no accuracy segment covers it).
    public static func phaseText(step: Int, report: PhasesReport) -> String? {
        func label(_ segments: [PhaseSegment]) -> String? {
            segments.first { $0.startStep <= step && step <= $0.endStep }?.phase.rawValue
        }
        guard let accuracy = label(report.accuracy) else { return nil }
        return "accuracy: " + accuracy + (label(report.htsr).map { "; HTSR: " + $0 } ?? "")
    }

    /// Event wall times: config.json's "started" plus timing.csv's wall seconds at the step
    /// (the start alone where timing.csv has no row for it; the file's time without a start).
    struct WallClock {
        let start: Double
        let seconds: [Int: Double]

        init(run: RunDirectory) {
            let started = (try? ConfigFile.read(run.configURL))?["started"]?.string
                .flatMap { ISO8601DateFormatter().date(from: $0) }
            start = started?.timeIntervalSince1970 ?? Date().timeIntervalSince1970
            var s: [Int: Double] = [:]
            if let t = try? CSVTable.read(run.timingURL), let steps = t.strings("step"), let wall = t.numbers("wall_s") {
                for (step, w) in zip(steps, wall) where w.isFinite { if let k = Int(step) { s[k] = w } }
            }
            seconds = s
        }

        func time(step: Int) -> Double { start + (seconds[step] ?? 0) }
    }
}
