import Foundation
import Phases
import GrokCore
import Report
import RunFiles

/// One run's numbers in summary.csv, from its run directory's files (read through Report's
/// RunData, the same reader the run report uses). Nil = not known (no file yet, never reached).
public struct SummaryRow: Sendable {
    public var cell: SweepCell
    public var status: RunStatus
    public var seed: String?
    public var stepsDone: Int?
    public var totalSteps: Int?
    /// First evaluation with train accuracy >= the run's fit threshold.
    public var tMem: Int?
    /// First evaluation with test accuracy >= the sweep's grok threshold.
    public var tGrok: Int?
    public var fitThreshold: Double
    public var grokThreshold: Double
    public var peakTestAccuracy: Double?
    public var peakTestStep: Int?
    public var finalTestAccuracy: Double?
    public var finalTrainAccuracy: Double?
    /// Nil when phases.json is missing.
    public var antiGrokking: Bool?
    public var collapseStep: Int?
    public var htsrCollapseStep: Int?
    public var leadSteps: Int?
    /// Per layer at the last htsr.csv step (status ok only).
    public var finalAlpha: [String: Double] = [:]
    public var finalTraps: [String: Double] = [:]
    public var finalL2Norm: Double?
    public var finalL2Weights: Double?
    public var wallSeconds: Double?
    /// The curves the figures need: (step, test accuracy) and, per layer, (step, alpha).
    public var testCurve: [(step: Double, value: Double)] = []
    public var alphaCurves: [String: [(step: Double, value: Double)]] = [:]

    public init(cell: SweepCell, status: RunStatus, run: URL, grokThreshold: Double) {
        self.cell = cell; self.status = status; self.grokThreshold = grokThreshold
        fitThreshold = 0.99
        seed = cell.values["seed"] ?? Self.flagValue("--seed", in: cell.arguments)
        guard let data = try? RunData.load(run) else { return }
        if let root = try? ConfigFile.read(RunDirectory(run).configURL) {
            if let f = root["diagnostics"]?["train_fit"]?.number { fitThreshold = f }
            totalSteps = root["steps"]?.number.map { saturatingInt($0) }
            if seed == nil, let s = root["seed"] { seed = s.display }
        }
        if let m = data.metrics, let steps = m.numbers("step") {
            let train = m.numbers("train_acc") ?? [], test = m.numbers("test_acc") ?? []
            stepsDone = steps.last(where: \.isFinite).map { saturatingInt($0) }
            tMem = MetricsFile.firstRow(reaching: fitThreshold, in: train, steps: steps).map { saturatingInt(steps[$0]) }
            tGrok = MetricsFile.firstRow(reaching: grokThreshold, in: test, steps: steps).map { saturatingInt(steps[$0]) }
            for i in steps.indices where steps[i].isFinite {
                if i < test.count, test[i].isFinite {
                    testCurve.append((steps[i], test[i]))
                    if peakTestAccuracy == nil || test[i] > peakTestAccuracy! { peakTestAccuracy = test[i]; peakTestStep = saturatingInt(steps[i]) }
                }
            }
            finalTestAccuracy = test.last(where: \.isFinite)
            finalTrainAccuracy = train.last(where: \.isFinite)
            finalL2Norm = m.numbers("l2_norm")?.last(where: \.isFinite)
            finalL2Weights = m.numbers("l2_weights")?.last(where: \.isFinite)
        }
        if let p = data.phases {
            antiGrokking = p.collapseStep != nil
            collapseStep = p.collapseStep
            htsrCollapseStep = p.htsrCollapseStep
            leadSteps = p.leadSteps
        }
        if let h = data.htsr, let s = h.numbers("step"), let layers = h.strings("layer") {
            let alpha = h.numbers("alpha") ?? [], traps = h.numbers("num_traps") ?? []
            let status = h.strings("status") ?? []
            let last = s.filter(\.isFinite).max()
            for i in s.indices where !layers[i].isEmpty {
                let ok = i >= status.count || status[i].isEmpty || status[i] == "ok"
                if ok, i < alpha.count, alpha[i].isFinite { alphaCurves[layers[i], default: []].append((s[i], alpha[i])) }
                guard s[i] == last, ok else { continue }
                if i < alpha.count, alpha[i].isFinite { finalAlpha[layers[i]] = alpha[i] }
                if i < traps.count, traps[i].isFinite { finalTraps[layers[i]] = traps[i] }
            }
        }
        wallSeconds = TimingFile.lastWallSeconds(RunDirectory(run).timingURL)
    }

    static func flagValue(_ flag: String, in args: [String]) -> String? {
        guard let i = args.firstIndex(of: flag), i + 1 < args.count else { return nil }
        return args[i + 1]
    }
}

/// summary.csv: one row per run, plain numbers and words, so `pandas.read_csv` needs nothing else.
public enum SummaryCSV {
    public static func columns(axes: [String], layers: [String]) -> [String] {
        ["run"] + axes.filter { $0 != "seed" } + ["seed", "status", "steps_done", "total_steps",
         "fit_threshold", "t_mem", "grok_threshold", "t_grok", "peak_test_acc", "peak_test_step",
         "final_test_acc", "final_train_acc", "anti_grokking", "collapse_step", "htsr_collapse_step",
         "htsr_lead_steps"] + layers.map { "final_alpha_" + $0 } + layers.map { "final_traps_" + $0 }
         + ["final_l2_norm", "final_l2_weights", "wall_s"]
    }

    public static func text(_ rows: [SummaryRow], axes: [String], layers: [String]) -> String {
        func n(_ v: Double?) -> String { v.map { $0.isFinite ? "\($0)" : "" } ?? "" }
        func i(_ v: Int?) -> String { v.map(String.init) ?? "" }
        func q(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        var lines = [columns(axes: axes, layers: layers).joined(separator: ",")]
        for r in rows {
            var f = [q(r.cell.name)] + axes.filter { $0 != "seed" }.map { q(r.cell.values[$0] ?? "") }
            f += [r.seed ?? "", r.status.rawValue, i(r.stepsDone), i(r.totalSteps), n(r.fitThreshold), i(r.tMem),
                  n(r.grokThreshold), i(r.tGrok), n(r.peakTestAccuracy), i(r.peakTestStep), n(r.finalTestAccuracy),
                  n(r.finalTrainAccuracy), r.antiGrokking.map { $0 ? "true" : "false" } ?? "", i(r.collapseStep),
                  i(r.htsrCollapseStep), i(r.leadSteps)]
            f += layers.map { n(r.finalAlpha[$0]) } + layers.map { n(r.finalTraps[$0]) }
            f += [n(r.finalL2Norm), n(r.finalL2Weights), n(r.wallSeconds)]
            lines.append(f.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
