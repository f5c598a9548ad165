import Foundation
import Charts

/// A summary figure: file stem, title and caption, the chart.
public struct SummaryFigure: Sendable {
    public var stem: String
    public var title: String
    public var caption: String
    public var chart: Chart
}

/// The sweep's figures over the swept flag x (the first swept flag other than the seed), drawn
/// with the run reports' chart code. Only finished runs are drawn; each group of runs that share
/// every swept value but the seed is one colour, its mean a line, each seed a point (or, for
/// curves, the min-max range over seeds as a shaded band).
public struct SummaryFigures: Sendable {
    public let rows: [SummaryRow]
    public let xFlag: String?
    public let otherFlags: [String]
    public let layers: [String]

    public init(rows: [SummaryRow], axes: [SweepAxis], layers: [String]) {
        self.rows = rows.filter { $0.status == .done }
        let swept = axes.map(\.flag).filter { $0 != "seed" }
        let x = swept.first
        xFlag = x
        xValues = axes.first { $0.flag == x }?.values ?? []
        otherFlags = Array(swept.dropFirst())
        self.layers = layers
    }

    public let xValues: [String]

    /// Runs grouped by every swept value but the seed: (label, x value, runs), in grid order.
    public var groups: [(label: String, x: String?, runs: [SummaryRow])] {
        var order: [String] = [], byKey: [String: (String?, [SummaryRow])] = [:]
        for r in rows {
            let parts = ([xFlag].compactMap { $0 } + otherFlags).map { "\($0)=\(r.cell.values[$0] ?? "")" }
            let key = parts.isEmpty ? "all runs" : parts.joined(separator: ", ")
            if byKey[key] == nil { order.append(key); byKey[key] = (xFlag.flatMap { r.cell.values[$0] }, []) }
            byKey[key]!.1.append(r)
        }
        return order.map { ($0, byKey[$0]!.0, byKey[$0]!.1) }
    }

    /// Numeric x positions: the values themselves, on a log axis when they span two decades or
    /// more (a zero is then drawn a decade below the smallest nonzero value, and said so); a
    /// non-numeric flag gets positions 1, 2, 3 in grid order.
    public var xAxis: (scale: ScaleKind, position: [String: Double], note: String) {
        let nums = xValues.compactMap { Double($0) }
        guard nums.count == xValues.count, !nums.isEmpty else {
            var p: [String: Double] = [:]
            for (i, v) in xValues.enumerated() { p[v] = Double(i + 1) }
            return (.linear, p, " x positions 1, 2, 3 stand for " + xValues.joined(separator: ", ") + ".")
        }
        let positive = nums.filter { $0 > 0 }
        if let lo = positive.min(), let hi = positive.max(), hi / lo >= 100, nums.allSatisfy({ $0 >= 0 }) {
            let zeroAt = lo / 10
            var p: [String: Double] = [:]
            for v in xValues { p[v] = Double(v)! == 0 ? zeroAt : Double(v)! }
            let note = nums.contains(0) ? " On the log axis \(xFlag ?? "x") = 0 is drawn at \(zeroAt)." : ""
            return (.log10, p, note)
        }
        var p: [String: Double] = [:]
        for v in xValues { p[v] = Double(v)! }
        return (.linear, p, "")
    }

    func color(_ i: Int) -> Color { Palette.color(i) }

    /// (steps, mean, min, max) over runs of curves evaluated at the same steps (the steps of the
    /// first run that every run has).
    public static func band(_ curves: [[(step: Double, value: Double)]]) -> (x: [Double], mean: [Double], lo: [Double], hi: [Double]) {
        guard let first = curves.first else { return ([], [], [], []) }
        let maps = curves.map { Dictionary($0.map { ($0.step, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        var x: [Double] = [], mean: [Double] = [], lo: [Double] = [], hi: [Double] = []
        for (s, _) in first where s > 0 {
            let vs = maps.compactMap { $0[s] }
            guard vs.count == maps.count else { continue }
            x.append(s); mean.append(vs.reduce(0, +) / Double(vs.count)); lo.append(vs.min()!); hi.append(vs.max()!)
        }
        return (x, mean, lo, hi)
    }

    func curveItems(_ pick: (SummaryRow) -> [(step: Double, value: Double)]) -> [PlotItem] {
        var items: [PlotItem] = []
        for (i, g) in groups.enumerated() {
            let b = Self.band(g.runs.map(pick))
            guard !b.x.isEmpty else { continue }
            let seeds = g.runs.count
            if seeds > 1 { items.append(.area(AreaSeries(x: b.x, lower: b.lo, upper: b.hi, color: color(i)))) }
            items.append(.line(LineSeries(label: g.label + (seeds > 1 ? " (\(seeds) seeds)" : ""), x: b.x, y: b.mean, color: color(i))))
        }
        return items
    }

    /// One value per run against x: each run a point, each group's mean over seeds a line.
    func perRunItems(_ value: (SummaryRow) -> Double?, label: String, colorIndex: Int = 0,
                     marker: Marker = .circle) -> [PlotItem] {
        let pos = xAxis.position
        var others: [String: [SummaryRow]] = [:], order: [String] = []
        for r in rows {
            let k = otherFlags.map { "\($0)=\(r.cell.values[$0] ?? "")" }.joined(separator: ", ")
            if others[k] == nil { order.append(k) }
            others[k, default: []].append(r)
        }
        var items: [PlotItem] = []
        for (j, k) in order.enumerated() {
            let c = color(colorIndex + j)
            var px: [Double] = [], py: [Double] = [], mx: [Double] = [], my: [Double] = []
            for v in xValues {
                let ys = others[k]!.filter { $0.cell.values[xFlag ?? ""] == v }.compactMap(value).filter(\.isFinite)
                guard let x = pos[v], !ys.isEmpty else { continue }
                px += ys.map { _ in x }; py += ys
                mx.append(x); my.append(ys.reduce(0, +) / Double(ys.count))
            }
            guard !mx.isEmpty else { continue }
            let name = k.isEmpty ? label : "\(label), \(k)"
            items.append(.line(LineSeries(label: name + " (mean)", x: mx, y: my, color: c, marker: .none)))
            items.append(.scatter(ScatterSeries(label: nil, x: px, y: py, color: c, marker: marker)))
        }
        return items
    }

    public func build() -> [SummaryFigure] {
        var figs: [SummaryFigure] = []
        let stepAxis = AxisSpec("step", scale: .log10)
        figs.append(SummaryFigure(stem: "1-test-accuracy", title: "Test accuracy against step",
            caption: "Test accuracy against log10(step) for each value of the swept flags: the mean over seeds (line) and the range from the lowest to the highest seed (shaded band).",
            chart: Chart(title: "Test accuracy", width: 800, height: 500,
                         panels: [Panel(x: stepAxis, y: AxisSpec("test accuracy", min: 0, max: 1.02), items: curveItems { $0.testCurve })],
                         idPrefix: "s1")))
        guard let xFlag else { return figs }
        let ax = xAxis
        let xSpec = AxisSpec(xFlag, scale: ax.scale)
        let never = rows.filter { $0.tGrok == nil }
        var tItems = perRunItems({ $0.tGrok.map(Double.init) }, label: "T_grok")
        let pos = ax.position
        let neverX = never.compactMap { pos[$0.cell.values[xFlag] ?? ""] }
        let neverY = never.map { Double($0.stepsDone ?? $0.totalSteps ?? 1) }
        if !never.isEmpty {
            tItems.append(.scatter(ScatterSeries(label: "never grokked (at its last step)", x: neverX, y: neverY,
                                                 color: Palette.vermillion, marker: .triangle, size: 5)))
        }
        let grokT = rows.first?.grokThreshold ?? 0.8
        figs.append(SummaryFigure(stem: "2-t-grok", title: "Time to grok",
            caption: "T_grok, the first evaluation with test accuracy >= \(grokT), against \(xFlag): each run a point, the mean over seeds a line. Runs that never reached it are triangles at their last step, not dropped (\(never.count) such run(s)).\(ax.note)",
            chart: Chart(title: "T_grok against \(xFlag)", width: 800, height: 500,
                         panels: [Panel(x: xSpec, y: AxisSpec("T_grok (steps)", scale: .log10), items: tItems)], idPrefix: "s2")))
        let accItems = perRunItems({ $0.finalTestAccuracy }, label: "final test accuracy")
            + perRunItems({ $0.peakTestAccuracy }, label: "peak test accuracy", colorIndex: 1, marker: .square)
        figs.append(SummaryFigure(stem: "3-accuracy", title: "Final and peak test accuracy",
            caption: "Final and peak test accuracy against \(xFlag): each run a point, the mean over seeds a line.\(ax.note)",
            chart: Chart(title: "Test accuracy against \(xFlag)", width: 800, height: 500,
                         panels: [Panel(x: xSpec, y: AxisSpec("test accuracy", min: 0, max: 1.02), items: accItems)], idPrefix: "s3")))
        var alphaItems: [PlotItem] = [], trapItems: [PlotItem] = []
        for (i, l) in layers.enumerated() {
            alphaItems += perRunItems({ $0.finalAlpha[l] }, label: "alpha " + l.uppercased(), colorIndex: i)
            trapItems += perRunItems({ $0.finalTraps[l] }, label: "traps " + l.uppercased(), colorIndex: i)
        }
        figs.append(SummaryFigure(stem: "4-final-alpha", title: "Final alpha per layer",
            caption: "The HTSR alpha of each layer at the last snapshot against \(xFlag); the dashed line is alpha = 2 (below it: over-fit, the paper's anti-grokking signal).\(ax.note)",
            chart: Chart(title: "Final alpha against \(xFlag)", width: 800, height: 500,
                         panels: [Panel(x: xSpec, y: AxisSpec("alpha"), items: alphaItems,
                                        referenceLines: [ReferenceLine(.horizontal, at: 2, label: "alpha = 2", color: .gray)])], idPrefix: "s4")))
        figs.append(SummaryFigure(stem: "5-traps", title: "Correlation traps per layer",
            caption: "Correlation traps of each layer at the last snapshot against \(xFlag).\(ax.note)",
            chart: Chart(title: "Traps against \(xFlag)", width: 800, height: 500,
                         panels: [Panel(x: xSpec, y: AxisSpec("traps"), items: trapItems)], idPrefix: "s5")))
        let panels = layers.map { l in
            Panel(title: l.uppercased(), x: stepAxis, y: AxisSpec("alpha"), items: curveItems { $0.alphaCurves[l] ?? [] },
                  referenceLines: [ReferenceLine(.horizontal, at: 2, color: .gray)])
        }
        if !panels.isEmpty {
            figs.append(SummaryFigure(stem: "6-alpha-curves", title: "Alpha per layer against step (the paper's figure 2)",
                caption: "Alpha of each layer against log10(step) for each value of the swept flags: the mean over seeds (line), the range from the lowest to the highest seed (shaded band); dashed: alpha = 2.",
                chart: Chart(title: "Alpha per layer", width: 800, height: 300 * Double(panels.count), panels: panels,
                             sharedX: true, idPrefix: "s6")))
        }
        return figs
    }
}
