import Foundation
import Charts
import Phases
import RunFiles

/// Prakash & Martin's (arXiv 2506.04434) figures 1 and 2 over seeds: per group of runs that differ only in their seed,
/// the mean over seeds as a line and the range from the lowest to the highest seed as a shaded
/// band, the phases of the seed-mean accuracy shaded behind.
public struct SeedFigures: Sendable {
    public let groups: [SeedGroup]
    /// The layers whose alpha is drawn.
    public let layers: [String]
    let stepAxis = AxisSpec("step", scale: .log10)

    public init(groups: [SeedGroup], layers: [String] = ["fc1", "fc2"]) {
        self.groups = groups; self.layers = layers
    }

    /// A layer's alpha per run, as a causal median over 0.1 decades (WeightWatcher's alpha
    /// jumps between two near-equal KS minima from one snapshot to the next; a mean over three
    /// seeds of such jumps would be mostly noise).
    static let alphaWindow = 0.1

    static func steadyAlpha(_ run: SeedRun, _ layer: String, _ steps: [Double]) -> [Double?] {
        let all = (run.htsr[layer] ?? [:]).keys.sorted()
        let raw = all.map { run.htsr[layer]![$0]!.alpha }
        let steady = SteadyAlpha.causalMedian(steps: all, values: raw, decades: alphaWindow)
        var byStep: [Int: Double] = [:]
        for (s, v) in zip(all, steady) { if let v { byStep[s] = v } }
        return steps.map { byStep[Int($0)] }
    }

    func seedNote(_ g: SeedGroup) -> String {
        let seeds = g.runs.map { $0.seed.map(String.init) ?? "?" }.joined(separator: ", ")
        return "\(g.runs.count) run\(g.runs.count == 1 ? "" : "s") (seeds \(seeds))"
    }

    func accuracyItems(_ g: SeedGroup, steps: [Double], train: Bool = true, color: Color? = nil, label: String? = nil) -> [PlotItem] {
        var items: [PlotItem] = []
        let pairs: [(Bool, String, Color)] = (train ? [(false, "train accuracy", Palette.blue)] : []) + [(true, "test accuracy", Palette.vermillion)]
        for (test, name, c) in pairs {
            let b = g.band(steps) { SeedGroup.accuracy($0, $1, test: test) }
            let col = color ?? c
            if g.runs.count > 1 { items.append(.area(AreaSeries(x: b.x, lower: b.lower, upper: b.upper, color: col))) }
            items.append(.line(LineSeries(label: label ?? name, x: b.x, y: b.mean, color: col, dash: test ? .solid : .dashed)))
        }
        return items
    }

    func alphaItems(_ g: SeedGroup, steps: [Double], layer: String, color: Color, label: String) -> [PlotItem] {
        let b = g.band(steps) { Self.steadyAlpha($0, layer, $1) }
        var items: [PlotItem] = []
        if g.runs.count > 1 { items.append(.area(AreaSeries(x: b.x, lower: b.lower, upper: b.upper, color: color))) }
        items.append(.line(LineSeries(label: label, x: b.x, y: b.mean, color: color)))
        return items
    }

    var alphaLine: ReferenceLine {
        ReferenceLine(.horizontal, at: 2, label: "α = 2", color: Color(r: 0x44, g: 0x44, b: 0x44), dash: .dashed, width: 1.6)
    }

    public func build() -> [ReportFigure] {
        var figures: [ReportFigure] = []
        for (gi, g) in groups.enumerated() {
            let steps = g.commonSteps.filter { $0 > 0 }
            let phases = PhaseStyle.bands(g.meanPhases, firstStep: steps.first ?? 1)
            let acc = Panel(x: stepAxis, y: AxisSpec("accuracy", min: 0, max: 1.02), items: accuracyItems(g, steps: steps), bands: phases)
            let spread = g.runs.count > 1 ? "; the shaded band around each line runs from the lowest to the highest seed (min-max, not a standard deviation)" : ""
            figures.append(ReportFigure(number: 1, name: "\(g.slug)-three-phases", title: "\(g.label): accuracy over seeds",
                caption: "Train (dashed) and test (solid) accuracy against log10(step), the mean over \(seedNote(g))\(spread). Shaded behind: the accuracy phases of the seed-mean curves.",
                chart: Chart(title: "\(g.label): accuracy, mean over \(g.runs.count) seed\(g.runs.count == 1 ? "" : "s")", width: 800, height: 480,
                             panels: [acc], idPrefix: "g\(gi)a")))
            var alpha: [PlotItem] = []
            for l in layers { alpha += alphaItems(g, steps: steps, layer: l, color: LayerStyle.color(l), label: "α " + LayerStyle.label(l)) }
            let alphaPanel = Panel(title: "α of each hidden layer (steadier α: causal median over 0.1 decades)", x: stepAxis,
                                   y: AxisSpec("α", min: 0), items: alpha, bands: phases, referenceLines: [alphaLine], weight: 1.4)
            let testPanel = Panel(title: "Test accuracy", x: stepAxis, y: AxisSpec("accuracy", min: 0, max: 1.02),
                                  items: accuracyItems(g, steps: steps, train: false), bands: phases)
            figures.append(ReportFigure(number: 2, name: "\(g.slug)-alpha", title: "\(g.label): alpha over seeds",
                caption: "Top: the power-law exponent α of \(layers.map(LayerStyle.label).joined(separator: " and ")) against log10(step), each run's α a causal running median over the last 0.1 decades (WeightWatcher's α per snapshot switches between two near-equal fits), then the mean over \(seedNote(g))\(spread). Dashed: α = 2. Bottom: test accuracy. Shaded: the seed-mean accuracy phases.",
                chart: Chart(title: "\(g.label): α per layer, mean over \(g.runs.count) seed\(g.runs.count == 1 ? "" : "s")", width: 800, height: 720,
                             panels: [alphaPanel, testPanel], sharedX: true, idPrefix: "g\(gi)b")))
        }
        if groups.count > 1 { figures.append(comparison()) }
        return figures
    }

    /// The groups side by side: test accuracy and FC1's alpha, one colour per group.
    func comparison() -> ReportFigure {
        var test: [PlotItem] = [], alpha: [PlotItem] = []
        for (i, g) in groups.enumerated() {
            let steps = g.commonSteps.filter { $0 > 0 }
            let c = Palette.color(i)
            test += accuracyItems(g, steps: steps, train: false, color: c, label: g.label)
            if let l = layers.first { alpha += alphaItems(g, steps: steps, layer: l, color: c, label: g.label) }
        }
        let l = layers.first.map(LayerStyle.label) ?? ""
        return ReportFigure(number: 3, name: "groups", title: "The groups compared",
            caption: "Test accuracy (top) and \(l)'s steadier α (bottom) against log10(step) for each group: the mean over its seeds, the shaded band from the lowest to the highest seed. Dashed: α = 2.",
            chart: Chart(title: "Test accuracy and \(l) α by group", width: 800, height: 720,
                         panels: [Panel(title: "Test accuracy", x: stepAxis, y: AxisSpec("test accuracy", min: 0, max: 1.02), items: test),
                                  Panel(title: "α \(l)", x: stepAxis, y: AxisSpec("α", min: 0), items: alpha, referenceLines: [alphaLine])],
                         sharedX: true, idPrefix: "gc"))
    }
}
