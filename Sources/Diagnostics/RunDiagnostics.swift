import Foundation
import GrokCore
import HTSR
import Model
import Phases
import RunFiles
import Training
import Tensors

/// The diagnostics of a training run: the competing progress measures (metrics.csv columns),
/// the HTSR analysis of every snapshot (htsr.csv) and the phase labels (phases.json).
///
/// Threads: every `TrainingObserver` call comes from the training thread. `observe` computes
/// the measures there (milliseconds) and hands the snapshot to a serial background queue,
/// which runs the HTSR analyzer, appends the rows to htsr.csv in step order and rewrites
/// phases.json. All file writing happens on that queue. At most
/// `maxPendingSnapshots` snapshots wait for it; beyond that `observe` blocks (bounded memory).
public final class RunDiagnostics: TrainingObserver {
    public struct Configuration: Sendable {
        public var htsrMode: HTSRMode = .paper
        public var measures = MeasureOptions()
        public var thresholds = PhaseThresholds()
        public var htsrThresholds = HTSRThresholds()
        /// Threads the HTSR analyzer may use for the layers of one snapshot.
        public var htsrThreads = 1
        public var maxPendingSnapshots = 16
        public var onWarning: WarningAction = .continue
        public init() {}
    }

    /// The run's tensors; `shape` is the MLP's widths, nil for the token model (modular
    /// addition), whose runs get the HTSR rows and phases but not the MLP's progress measures.
    public let layout: ParameterLayout
    public let shape: MLPShape?
    public let configuration: Configuration
    let analyzer: LayerAnalyzer

    // Training-thread state.
    var meter: ProgressMeter?
    var started = false
    var runSeed: UInt64 = 0
    var phasesURL: URL?
    var accuracy: [AccuracyPoint] = []
    var observeSeconds = 0.0
    var startTime = 0.0

    // Background state: touched only on `queue`.
    let queue = DispatchQueue(label: "groklab.diagnostics")
    let slots: DispatchSemaphore
    let background = BackgroundState()
    /// The HTSR queue's work, for timing.csv and the ETA.
    let analysisMeter: BackgroundMeter
    public var backgroundWork: BackgroundWork { analysisMeter.work }

    /// `shape` must be the run's (the metrics.csv columns are fixed before the run starts).
    /// `analyzer` nil = the built-in HTSR analyzer configured by `configuration.htsrMode`.
    public convenience init(shape: MLPShape, configuration: Configuration = Configuration(), analyzer: LayerAnalyzer? = nil) {
        self.init(layout: shape.layout, shape: shape, configuration: configuration, analyzer: analyzer)
    }

    public init(layout: ParameterLayout, shape: MLPShape?, configuration: Configuration = Configuration(), analyzer: LayerAnalyzer? = nil) {
        self.layout = layout
        self.shape = shape
        self.configuration = configuration
        self.analyzer = analyzer ?? defaultAnalyzer(mode: configuration.htsrMode, threads: configuration.htsrThreads)
        slots = DispatchSemaphore(value: max(1, configuration.maxPendingSnapshots))
        analysisMeter = BackgroundMeter(capacity: max(1, configuration.maxPendingSnapshots))
    }

    public var extraMetricColumns: [String] {
        guard let shape else { return [] }
        return ["sparsity", "sparsity_smooth"] + (0..<shape.layerCount).map { "entropy_" + shape.layerName($0) }
            + ["lcc_paper", "lcc_code"]
    }

    public func runStarted(_ context: RunContext) throws {
        startTime = now()
        guard context.layout == layout else {
            throw GrokError("diagnostics were set up for tensors \(layout.tensors.map(\.name)) but the run has \(context.layout.tensors.map(\.name))")
        }
        if let shape {
            meter = try ProgressMeter(shape: shape, probeInputs: context.probeInputs, seed: context.seed,
                                      options: configuration.measures)
        }
        started = true
        runSeed = context.seed
        let run = RunDirectory(context.directory)
        let phases = run.phasesURL
        phasesURL = phases
        accuracy = []
        if let resumed = context.resumedFromStep, FileManager.default.fileExists(atPath: run.metricsURL.path) {
            accuracy = try MetricsFile.readAccuracy(run.metricsURL).filter { $0.step <= resumed }
        }
        let log = configuration.htsrMode == .off ? nil
            : try HTSRLog(url: run.htsrURL, keepThroughStep: context.resumedFromStep)
        let (points, background, thresholds, htsrThresholds) = (accuracy, background, configuration.thresholds, configuration.htsrThresholds)
        try queue.sync {
            background.log = log
            let report = try background.writePhases(points: points, to: phases, thresholds, htsrThresholds)
            // A resumed run whose warning already fired does not act on it again.
            background.warningHandled = report.warningStep != nil
        }
        if let resumed = context.resumedFromStep {
            try backfillHTSR(directory: context.directory, through: resumed)
        }
    }

    public func observe(_ snapshot: WeightSnapshot, metrics: EvaluationMetrics) throws -> [Double] {
        let t0 = now()
        defer { observeSeconds += now() - t0 }
        guard started, phasesURL != nil else { throw GrokError("diagnostics: observe() called before runStarted()") }
        guard snapshot.layout == layout else {
            throw GrokError("diagnostics: snapshot at step \(snapshot.step) has tensors \(snapshot.layout.tensors.map(\.name)), expected \(layout.tensors.map(\.name))")
        }
        if let e = background.failure { throw e }  // (not queue.sync: that would wait for HTSR)

        let measured = try meter?.measure(parameters: snapshot.parameters, step: snapshot.step)
        accuracy.append(AccuracyPoint(step: metrics.step, trainAccuracy: metrics.trainAccuracy,
                                      testAccuracy: metrics.testAccuracy))

        enqueueHTSR(snapshot, points: accuracy)
        guard let m = measured else { return [] }
        return [m.sparsity, m.sparsitySmooth] + m.entropy + [m.lccPaper, m.lccCode]
    }

    /// Hands one snapshot to the background queue: HTSR on every layer, rows appended to
    /// htsr.csv (in step order: the queue is serial), phases.json rewritten from `points`.
    func enqueueHTSR(_ snapshot: WeightSnapshot, points: [AccuracyPoint]) {
        guard let phasesURL else { return }
        let (background, analyzer, slots, meter) = (background, analyzer, slots, analysisMeter)
        let (thresholds, htsrThresholds) = (configuration.thresholds, configuration.htsrThresholds)
        let action = configuration.onWarning
        var stepRandom = SeededRandom(seed: runSeed, stream: "htsr-\(snapshot.step)")
        let seed = stepRandom.next()  // per step, so a resumed run draws the same shuffles
        let waitStart = now()
        slots.wait()
        analysisMeter.enqueued(waiting: now() - waitStart)
        queue.async {
            meter.begin()
            defer { slots.signal(); meter.end() }
            let t = now()
            defer { background.seconds += now() - t }
            guard background.failure == nil else { return }
            do {
                if let log = background.log {
                    let layers = snapshot.weightMatrices.map {
                        LayerInput(name: $0.name, shape: .dense(rows: $0.rows, cols: $0.cols), values: Array($0.values))
                    }
                    var rows = analyzer.analyze(layers, step: snapshot.step, seed: seed)
                    for i in rows.indices { rows[i].step = snapshot.step }
                    try log.append(rows)
                }
                let report = try background.writePhases(points: points, to: phasesURL, thresholds, htsrThresholds)
                if !background.warningHandled, let w = report.warningStep, w == snapshot.step {
                    background.warningHandled = true
                    try WarningResponse.act(action, snapshot: snapshot, report: report,
                                            directory: phasesURL.deletingLastPathComponent())
                }
            } catch {
                background.failure = error as? GrokError ?? GrokError("diagnostics: \(error)")
            }
        }
    }

    /// A process killed (SIGKILL) while snapshots waited for HTSR leaves htsr.csv short of the
    /// last few snapshots before the checkpoint. They are on disk: analyse them again, so the
    /// resumed run's htsr.csv equals an uninterrupted run's.
    func backfillHTSR(directory: URL, through resumed: Int) throws {
        let state = background
        guard let written = queue.sync(execute: { state.log.map { $0.rows.map(\.step) } }) else { return }
        let done = Set(written)
        let snapshots = RunDirectory(directory).snapshots()
            .filter { $0.step <= resumed && !done.contains($0.step) && $0.step > (written.last ?? -1) }
        for (step, url) in snapshots {
            let parameters: [Double]
            do { parameters = try SnapshotFile.parameters(SnapshotFile.read(url), layout: layout) } catch {
                throw GrokError("snapshot step \(step): \(error): cannot complete htsr.csv")
            }
            enqueueHTSR(WeightSnapshot(step: step, layout: layout, shape: shape, parameters: parameters),
                        points: accuracy.filter { $0.step <= step })
        }
    }

    public func runEnded(_ outcome: RunOutcome) throws -> [String] {
        guard let phasesURL else { return [] }
        let (points, background) = (accuracy, background)
        let (thresholds, htsrThresholds) = (configuration.thresholds, configuration.htsrThresholds)
        let (report, htsrSeconds, error) = try queue.sync { () throws -> (PhasesReport, Double, GrokError?) in
            if let e = background.failure { return (PhasesReport(accuracy: [], htsr: []), background.seconds, e) }
            let r = try background.writePhases(points: points, to: phasesURL, thresholds, htsrThresholds)
            return (r, background.seconds, nil)
        }
        if let error { throw error }
        let unfitted = queue.sync { () -> [HTSRRow] in
            guard let rows = background.log?.rows, let last = rows.map(\.step).max() else { return [] }
            return rows.filter { $0.step == last && !$0.status.isOK }
        }
        return summary(report, htsrSeconds: htsrSeconds, wall: now() - startTime) + Self.unfittedLine(unfitted)
    }

    /// Layers the analyzer could not fit at the last snapshot, and why: small matrices (the
    /// token model's E, W1, W2 at small P, d, H) are skipped or fail the power-law fit, which
    /// is a property of their size, not an error of the run.
    static func unfittedLine(_ rows: [HTSRRow]) -> [String] {
        guard let step = rows.first?.step else { return [] }
        let parts = rows.map { r -> String in
            let status = r.status.description
            let reason = status.count > 90 ? String(status.prefix(90)) + "..." : status
            return "\(r.layer) (\(r.N) x \(r.M)) \(reason)"
        }
        return ["HTSR: not fitted at step \(step) (see htsr.csv's status): " + parts.joined(separator: "; ")]
    }

    /// Seconds spent so far inside observe() (training thread) and in background HTSR and
    /// phases work. Waits for the background queue.
    public var timeSpent: (observe: Double, background: Double) {
        let state = background
        return (observeSeconds, queue.sync { state.seconds })
    }

    /// The confusion matrix as summary lines: one per accuracy phase, then the balanced
    /// recall next to the baseline's (Prakash & Martin's alpha rule, raw alpha, WeightWatcher's traps).
    public static func confusionLines(_ r: PhasesReport) -> [String] {
        guard let c = r.confusion else { return [] }
        var lines = ["HTSR labels per accuracy phase (evaluations, HTSR labels, recall):"]
        lines += c.lines.map { "  " + $0 }
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", 100 * $0) } ?? "n/a" }
        lines.append("  balanced recall \(pct(c.balancedRecall)); baseline (Prakash & Martin's rule with raw alpha and WeightWatcher's traps): \(pct(r.baselineConfusion?.balancedRecall))")
        if let t = r.htsrThresholds { lines.append("  rule: \(t.ruleDescription)") }
        return lines
    }

    func summary(_ r: PhasesReport, htsrSeconds: Double, wall: Double) -> [String] {
        var lines: [String] = []
        let segments = r.accuracy.map { "\($0.phase.rawValue) \($0.startStep)-\($0.endStep)" }
        lines.append("phases (accuracy): " + (segments.isEmpty ? "no evaluations" : segments.joined(separator: ", ")))
        if let peak = r.peakTestAccuracy, let step = r.peakStep {
            lines.append(String(format: "peak test accuracy %.4f at step %d", peak, step))
        }
        if !r.finalLayers.isEmpty {
            let layers = r.finalLayers.map { l in
                var alpha = l.alpha.map { String(format: "alpha %.2f", $0) } ?? "alpha n/a"
                if l.alpha != nil, let s = l.alphaSigma { alpha += String(format: " ± %.2f", s) }
                var traps = l.numTraps.map { "\($0) traps" } ?? "traps n/a"
                if let c = l.numTrapsCentered { traps += " (\(c) with the mean removed)" }
                return "\(l.layer) \(alpha), \(traps)"
            }
            lines.append("final HTSR (step \(r.finalLayers.map(\.step).max() ?? 0)): " + layers.joined(separator: "; "))
        }
        func step(_ s: Int?) -> String { s.map(String.init) ?? "none" }
        var collapse = "anti-grokking: collapse step by accuracy \(step(r.collapseStep)), by HTSR \(step(r.htsrCollapseStep))"
        if let lead = r.leadSteps { collapse += ", HTSR lead \(lead) steps" + (lead > 0 ? " (HTSR warned earlier)" : "") }
        lines.append(collapse)
        lines.append(WarningResponse.summaryLine(r))
        lines += Self.confusionLines(r)
        let w = max(wall, 1e-9)
        lines.append(String(format: "diagnostics time: %.2f s in observe() on the training thread (%.2f%% of %.1f s); HTSR and phases: %.2f s on a background thread, concurrent with training (%.2f s per snapshot)",
                            observeSeconds, 100 * observeSeconds / w, wall, htsrSeconds,
                            htsrSeconds / Double(max(accuracy.count, 1))))
        return lines
    }
}

/// The state the background queue owns.
/// @unchecked Sendable: `log` and `seconds` are read and written only on RunDiagnostics.queue
/// (a serial queue), or before the first block is enqueued; `failure` is behind a lock, so
/// the training thread can check it without waiting for the queue.
final class BackgroundState: @unchecked Sendable {
    var log: HTSRLog?
    var seconds = 0.0
    /// The early warning fired and was acted on (once per run).
    var warningHandled = false
    private var error: GrokError?
    private let lock = NSLock()

    /// The first error of the background work; once set, the rest of the work is skipped.
    var failure: GrokError? {
        get { lock.lock(); defer { lock.unlock() }; return error }
        set { lock.lock(); defer { lock.unlock() }; if error == nil { error = newValue } }
    }

    /// Labels the run so far and rewrites phases.json atomically.
    @discardableResult
    func writePhases(points: [AccuracyPoint], to url: URL, _ t: PhaseThresholds, _ h: HTSRThresholds) throws -> PhasesReport {
        let report = PhasesReport(accuracy: points, htsr: log?.rows.map(\.phasePoint) ?? [],
                                  thresholds: t, htsrThresholds: h)
        try report.write(to: url)
        return report
    }
}

@inline(__always)
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
}
