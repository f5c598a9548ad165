import GrokCore
import Foundation
import Charts
import Phases
import RunFiles

/// One figure of the report: its number and file name, the chart, and a sentence saying
/// what it shows.
public struct ReportFigure: Sendable {
    public var number: Int
    public var name: String
    public var title: String
    public var caption: String
    public var chart: Chart

    public var fileStem: String { "\(number)-\(name)" }
}

/// The colours of the phases: light fills behind the curves, the same everywhere.
enum PhaseStyle {
    static func color(_ phase: String) -> Color {
        switch phase {
        case "memorizing": return Color(r: 0x99, g: 0x99, b: 0x99)
        case "pre-grokking": return Palette.skyBlue
        case "grokking": return Palette.bluishGreen
        case "grokked": return Palette.orange
        case "anti-grokking": return Palette.vermillion
        default: return Palette.reddishPurple
        }
    }

    /// Bands for a list of spans: each reaches to the next span's start so no gaps show; a
    /// start at step 0 (not drawable on a log axis) begins at `firstStep`.
    static func bands(_ spans: [PhaseSpan], firstStep: Double, labels: Bool = true) -> [Band] {
        var out: [Band] = []
        for (i, s) in spans.enumerated() {
            let start = max(s.startStep, firstStep)
            let end = i + 1 < spans.count ? spans[i + 1].startStep : s.endStep
            guard end > start else { continue }
            out.append(Band(x0: start, x1: end, label: labels ? s.phase : nil, color: color(s.phase), opacity: 0.16))
        }
        return out
    }

    /// Dashed vertical lines where one accuracy phase gives way to the next.
    static func boundaries(_ spans: [PhaseSpan]) -> [ReferenceLine] {
        spans.dropFirst().map { ReferenceLine(.vertical, at: $0.startStep, color: Color(r: 0x77, g: 0x77, b: 0x77), dash: .dashed, width: 1.2) }
    }
}

/// Colours and dashes of the three layers, the same in every figure.
enum LayerStyle {
    static let names = ["fc1", "fc2", "fc3"]
    static func color(_ layer: String) -> Color {
        switch layer {
        case "fc1": return Palette.blue
        case "fc2": return Palette.vermillion
        case "fc3": return Palette.bluishGreen
        default: return Palette.reddishPurple
        }
    }
    static func label(_ layer: String) -> String { layer.uppercased() }
}

/// Builds the figures that need only the CSV files and phases.json.
struct CSVFigures {
    let run: RunData

    var steps: [Double] { run.metrics?.numbers("step") ?? [] }
    var firstPositiveStep: Double { steps.first { $0 > 0 } ?? 1 }
    var accuracyBands: [Band] { PhaseStyle.bands(run.phases?.accuracySpans ?? [], firstStep: firstPositiveStep) }
    var accuracySpans: [PhaseSpan] { run.phases?.accuracySpans ?? [] }

    let stepAxis = AxisSpec("step", scale: .log10)

    /// Train and test accuracy against log step (the panel under figures 2 and 3 as well).
    func accuracyPanel(bands: [Band], title: String? = nil, withNorm: Bool = false, weight: Double = 1) -> Panel {
        var items: [PlotItem] = []
        var note: String? = nil
        if let m = run.metrics, let s = m.numbers("step") {
            if let a = m.numbers("train_acc") { items.append(.line(LineSeries(label: "train accuracy", x: s, y: a, color: Palette.blue, dash: .dashed))) }
            if let a = m.numbers("test_acc") { items.append(.line(LineSeries(label: "test accuracy", x: s, y: a, color: Palette.vermillion))) }
            if withNorm, let n = m.numbers("l2_norm") {
                items.append(.line(LineSeries(label: "L2 norm (right)", x: s, y: n, color: .ink, dash: .dotted, width: 2, side: .right)))
            }
        }
        if items.isEmpty { note = run.metrics == nil ? "metrics.csv not written yet" : "no accuracy columns in metrics.csv" }
        let hasNorm = items.contains { $0.side == .right }
        return Panel(title: title, x: stepAxis, y: AxisSpec("accuracy", min: 0, max: 1.02),
                     y2: hasNorm ? AxisSpec("total L2 norm", color: .ink) : nil,
                     items: items, bands: bands, note: note, weight: weight)
    }

    /// Figure 1: the three phases.
    func threePhases() -> ReportFigure {
        let panel = accuracyPanel(bands: accuracyBands, withNorm: true)
        var caption = "Train and test accuracy against log10(step), shaded by the accuracy-based phase"
        caption += run.phases == nil ? " (phases.json not written yet: no shading)" : ""
        caption += "; the total L2 norm of all parameters on the right axis (dotted)."
        return ReportFigure(number: 1, name: "three-phases", title: "Accuracy, phases and weight norm", caption: caption,
                            chart: Chart(title: "\(run.name): accuracy, phases and L2 norm", width: 800, height: 500,
                                         panels: [panel], idPrefix: "f1"))
    }

    /// (steps, values) of one htsr.csv column for one layer, rows with status other than ok
    /// giving NaN (a gap, not a made-up value).
    func htsrSeries(_ column: String, layer: String) -> (x: [Double], y: [Double])? {
        guard let h = run.htsr, let s = h.numbers("step"), let l = h.strings("layer"), let v = h.numbers(column) else { return nil }
        let status = h.strings("status")
        var xs: [Double] = [], ys: [Double] = []
        for i in 0..<s.count where l[i] == layer {
            xs.append(s[i])
            let ok = status.map { $0[i].isEmpty || $0[i] == "ok" } ?? true
            ys.append(ok ? v[i] : .nan)
        }
        return xs.isEmpty ? nil : (xs, ys)
    }

    var htsrLayers: [String] {
        guard let l = run.htsr?.strings("layer") else { return [] }
        var seen: [String] = []
        for x in l where !x.isEmpty && !seen.contains(x) { seen.append(x) }
        return seen.sorted()
    }

    /// The phase rule's alpha window (phases.json's htsr_thresholds; the rule's default when
    /// the file has none yet).
    var alphaWindow: Double { run.phases?.htsrThresholds?.alphaWindowDecades ?? HTSRThresholds().alphaWindowDecades }

    /// Figure 2: alpha per layer over accuracy. WeightWatcher's raw alpha per snapshot (thin,
    /// parity) under the steadier alpha the phase rule reads (bold, FC1 and FC2), with the
    /// fit's standard error as an error bar at each layer's last point.
    func alphaFigure() -> ReportFigure {
        var items: [PlotItem] = []
        var maxAlpha = 0.0
        var steadyByLayer: [String: (x: [Double], y: [Double])] = [:]
        let window = alphaWindow
        for layer in htsrLayers {
            guard let (x, y) = htsrSeries("alpha", layer: layer) else { continue }
            let fc3 = layer == "fc3"
            let ruled = layer == "fc1" || layer == "fc2"
            let smooth = ruled && window > 0
            let rawLabel = LayerStyle.label(layer) + (fc3 ? " (10 eigenvalues: unreliable)" : (smooth ? " raw α" : ""))
            items.append(.line(LineSeries(label: rawLabel, x: x, y: y, color: LayerStyle.color(layer),
                                          dash: fc3 ? .dotted : (smooth ? .dotted : .solid), width: fc3 || smooth ? 1.3 : 2.2,
                                          marker: x.count <= 40 ? .circle : .none)))
            maxAlpha = max(maxAlpha, y.filter(\.isFinite).max() ?? 0)
            if ruled {
                // Steps from a damaged file may be anything: clamp before converting (no trap).
                let steps = x.map(saturatingInt)
                let steady = SteadyAlpha.causalMedian(steps: steps, values: y.map { $0.isFinite ? $0 : nil }, decades: window)
                    .map { $0 ?? .nan }
                steadyByLayer[layer] = (x, steady)
                if smooth {
                    items.append(.line(LineSeries(label: LayerStyle.label(layer) + " steadier α (rule)", x: x, y: steady,
                                                  color: LayerStyle.color(layer), width: 2.6)))
                }
                // The fit's standard error at the last point with a fit.
                if let sigma = htsrSeries("sigma", layer: layer)?.y, let i = y.indices.last(where: { y[$0].isFinite && sigma.indices.contains($0) && sigma[$0].isFinite }) {
                    items.append(.line(LineSeries(label: nil, x: [x[i], x[i]], y: [y[i] - sigma[i], y[i] + sigma[i]],
                                                  color: LayerStyle.color(layer), width: 1.6)))
                }
            }
        }
        if let a = steadyByLayer["fc1"], let b = steadyByLayer["fc2"], a.x == b.x {
            let mean = zip(a.y, b.y).map { ($0 + $1) / 2 }
            items.append(.line(LineSeries(label: "mean of FC1, FC2" + (window > 0 ? " (steadier α)" : ""), x: a.x, y: mean,
                                          color: .ink, dash: .dashDot, width: 1.8)))
        }
        let yMax: Double? = maxAlpha > 12 ? 12 : nil
        let note = run.htsr == nil ? "htsr.csv not written yet" : (items.isEmpty ? "no alpha values in htsr.csv" : nil)
        let alphaPanel = Panel(title: "Power-law exponent α of each layer's ESD", x: stepAxis,
                               y: AxisSpec("α", min: 0, max: yMax), items: items, bands: [],
                               referenceLines: [ReferenceLine(.horizontal, at: 2, label: "α = 2", color: Color(r: 0x44, g: 0x44, b: 0x44), dash: .dashed, width: 1.6)]
                                   + PhaseStyle.boundaries(accuracySpans),
                               note: note, weight: 1.35)
        let acc = accuracyPanel(bands: accuracyBands, title: "Accuracy (shaded by accuracy phase)")
        let rank = stableRankPanel()
        var caption = "Top: the fitted power-law exponent α of each layer's empirical spectral density against log10(step)"
        if window > 0 {
            caption += String(format: ": WeightWatcher's α per snapshot (thin, dotted) and, bold, the steadier α the phase rule reads, a causal running median over the evaluations of the last %.2g decades of step (the KS-optimal xmin can switch between two nearly equal minima from one snapshot to the next, making the raw α jump)", window)
        }
        caption += "; the vertical bar at each hidden layer's last point is ± the fit's standard error σ = (α − 1)/√(tail size). "
        caption += "The dashed horizontal line is α = 2 (below it a layer counts as over-trained), dashed verticals are the accuracy-phase boundaries. "
        caption += "FC3 (10 x 200) has only 10 eigenvalues, so its fit is unreliable and it is left out of the mean."
        if maxAlpha > 12 { caption += " The α axis is cut at 12." }
        caption += " Middle: each layer's stable rank (‖W‖²_F / ‖W‖²_2, no fit involved) over its value at the first analysed snapshot, shaded by the HTSR label; "
        caption += String(format: "under the stable-rank rule (the default) grokking starts where FC1 or FC2 falls below the dashed line at %.3g. ", rankThreshold)
        caption += "Bottom: train and test accuracy."
        return ReportFigure(number: 2, name: "alpha", title: "HTSR α and stable rank per layer", caption: caption,
                            chart: Chart(title: "\(run.name): α and stable rank per layer", width: 800, height: 900,
                                         panels: [alphaPanel, rank, acc], sharedX: true, idPrefix: "f2"))
    }

    /// The stable-rank rule's threshold (phases.json's, else the default).
    var rankThreshold: Double { 1 - (run.phases?.htsrThresholds?.stableRankDrop ?? HTSRThresholds().stableRankDrop) }

    /// Figure 2's middle panel: stable rank over its first value per layer, shaded by the
    /// HTSR labels, with the stable-rank rule's threshold.
    func stableRankPanel() -> Panel {
        var items: [PlotItem] = []
        for layer in htsrLayers {
            guard let (x, y) = htsrSeries("stable_rank", layer: layer),
                  let first = y.first(where: { $0.isFinite && $0 > 0 }) else { continue }
            items.append(.line(LineSeries(label: LayerStyle.label(layer), x: x, y: y.map { $0 / first },
                                          color: LayerStyle.color(layer), dash: layer == "fc3" ? .dotted : .solid,
                                          width: layer == "fc3" ? 1.3 : 2.2)))
        }
        let bands = PhaseStyle.bands(run.phases?.htsrSpans ?? [], firstStep: firstPositiveStep)
        let note = run.htsr == nil ? "htsr.csv not written yet" : (items.isEmpty ? "no stable_rank values in htsr.csv" : nil)
        return Panel(title: "Stable rank / initial (shaded by HTSR label)", x: stepAxis, y: AxisSpec("ratio", min: 0),
                     items: items, bands: bands,
                     referenceLines: [ReferenceLine(.horizontal, at: rankThreshold, label: String(format: "%.3g", rankThreshold),
                                                    color: Color(r: 0x44, g: 0x44, b: 0x44), dash: .dashed, width: 1.4)],
                     note: note, weight: 0.9)
    }

    /// Figure 3: correlation traps per layer over accuracy: WeightWatcher's count and the count
    /// with the weight mean removed (what the phase rule reads by default).
    func trapsFigure() -> ReportFigure {
        var items: [PlotItem] = []
        var maxTraps = 0.0
        var hasCentered = false
        for layer in htsrLayers {
            guard let (x, y) = htsrSeries("num_traps", layer: layer), y.contains(where: \.isFinite) else { continue }
            maxTraps = max(maxTraps, y.filter(\.isFinite).max() ?? 0)
            let centered = htsrSeries("num_traps_centered", layer: layer).flatMap { $0.y.contains(where: \.isFinite) ? $0 : nil }
            items.append(.line(LineSeries(label: LayerStyle.label(layer) + (centered != nil ? " (WeightWatcher)" : ""), x: x, y: y,
                                          color: LayerStyle.color(layer), dash: centered != nil ? .dashed : (layer == "fc3" ? .dotted : .solid),
                                          width: centered != nil ? 1.4 : 2, marker: x.count <= 40 ? .circle : .none)))
            if let c = centered {
                hasCentered = true
                maxTraps = max(maxTraps, c.y.filter(\.isFinite).max() ?? 0)
                items.append(.line(LineSeries(label: LayerStyle.label(layer) + " (mean removed)", x: c.x, y: c.y,
                                              color: LayerStyle.color(layer), dash: layer == "fc3" ? .dotted : .solid, width: 2.4,
                                              marker: x.count <= 40 ? .square : .none)))
            }
        }
        let note: String?
        if run.htsr == nil { note = "htsr.csv not written yet" }
        else if items.isEmpty { note = "no num_traps values (randomization off?)" }
        else { note = nil }
        let trapsPanel = Panel(title: "Correlation traps (randomized-ESD spikes) per layer", x: stepAxis,
                               y: AxisSpec("traps", min: -0.4, max: max(maxTraps, 3) + 0.4), items: items,
                               referenceLines: PhaseStyle.boundaries(accuracySpans), note: note, weight: 1.2)
        let acc = accuracyPanel(bands: accuracyBands, title: "Accuracy (shaded by accuracy phase)")
        var caption = "Top: the number of correlation traps per layer (eigenvalues of the element-shuffled weight matrix beyond the Marchenko-Pastur bulk edge plus the Tracy-Widom margin) against log10(step)."
        if hasCentered {
            caption += " Dashed: WeightWatcher's count. Solid: the count once the rank-one mean component is removed from the shuffled matrix (MP fit redone), which the phase rule reads: shuffling keeps the weights' mean, and a mean μ alone gives one eigenvalue near μ²NM, above the bulk once |μ|/std exceeds about (√N + √M)/√(NM), with no outlier entry behind it."
        }
        caption += " Bottom: train and test accuracy."
        return ReportFigure(number: 3, name: "traps", title: "Correlation traps", caption: caption,
                            chart: Chart(title: "\(run.name): correlation traps", width: 800, height: 640,
                                         panels: [trapsPanel, acc], sharedX: true, idPrefix: "f3"))
    }

    /// Figure 6: competing progress measures as small multiples.
    func measuresFigure() -> ReportFigure {
        let bands = PhaseStyle.bands(accuracySpans, firstStep: firstPositiveStep, labels: false)
        let m = run.metrics
        let s = m?.numbers("step") ?? []
        func panel(_ title: String, _ yLabel: String, _ columns: [(String, String, Dash)]) -> Panel {
            var items: [PlotItem] = []
            for (k, (col, label, dash)) in columns.enumerated() {
                guard let v = m?.numbers(col), v.contains(where: \.isFinite) else { continue }
                items.append(.line(LineSeries(label: label, x: s, y: v, color: Palette.color(k), dash: dash)))
            }
            let note = items.isEmpty ? (m == nil ? "metrics.csv not written yet" : "not recorded (diagnostics off?)") : nil
            return Panel(title: title, x: stepAxis, y: AxisSpec(yLabel), items: items, bands: bands, note: note)
        }
        let panels = [
            panel("Activation sparsity (FC1, τ = 1)", "fraction", [("sparsity", "sparsity", .solid), ("sparsity_smooth", "smooth", .dashed)]),
            panel("Absolute weight entropy", "−Σ|w| ln|w|", [("entropy_fc1", "FC1", .solid), ("entropy_fc2", "FC2", .dashed), ("entropy_fc3", "FC3", .dotted)]),
            panel("Local circuit complexity", "KL", [("lcc_paper", "paper", .solid), ("lcc_code", "code", .dashed)]),
            panel("L2 norm", "norm", [("l2_norm", "all parameters", .solid), ("l2_weights", "weights only", .dashed)]),
        ]
        let caption = "Competing progress measures against log10(step), shaded by accuracy phase: activation sparsity of the first ReLU, absolute weight entropy per layer, local circuit complexity (paper definition: 10% of weights zeroed; authors' code: dropout 0.5), and the L2 norm."
        return ReportFigure(number: 6, name: "measures", title: "Competing progress measures", caption: caption,
                            chart: Chart(title: "\(run.name): competing measures", width: 1000, height: 680,
                                         panels: panels, columns: 2, idPrefix: "f6"))
    }
}
