import Foundation
import RunFiles
import GrokCore
import Charts
import Report

extension DelayLaw {
    /// Figure 8: T_grok (log axis) against rho, one panel per task: each run a point, censored
    /// runs as triangles at their last step (a lower bound, not in the fit), the fitted line
    /// exp(a rho + b), and arXiv 2606.13753's slope a = 7.5 through the fit's centre for comparison.
    public static func figure(_ tasks: [(Task, [Run], Fit?)]) -> Chart {
        let panels = tasks.enumerated().map { (k, item) -> Panel in
            let (t, runs, f) = item
            let grokked = runs.filter { !$0.censored }, censored = runs.filter(\.censored)
            var items: [PlotItem] = [
                .scatter(ScatterSeries(label: "T_grok (a run)", x: grokked.map(\.rho), y: grokked.map { Double($0.tGrok!) },
                                       color: Palette.color(k))),
            ]
            if !censored.isEmpty {
                items.append(.scatter(ScatterSeries(label: "censored: no T_grok by its last step", x: censored.map(\.rho),
                                                    y: censored.map { Double($0.lastStep) }, color: Palette.vermillion,
                                                    marker: .triangle, size: 5)))
            }
            let rhos = runs.map(\.rho)
            if let f, let lo = rhos.min(), let hi = rhos.max() {
                let xs = stride(from: lo, through: hi, by: (hi - lo) / 20).map { $0 }
                items.append(.line(LineSeries(label: String(format: "fit: a = %.2f ± %.2f, R² = %.2f", f.a, f.aError, f.r2),
                                              x: xs, y: xs.map { exp(f.a * $0 + f.b) }, color: Palette.color(k))))
                let mid = (lo + hi) / 2, centre = f.a * mid + f.b
                items.append(.line(LineSeries(label: "slope 7.5 (the paper)", x: xs, y: xs.map { exp(centre + 7.5 * ($0 - mid)) },
                                              color: .gray, dash: .dashed, width: 1.5)))
            }
            return Panel(title: "\(t.name): T_grok = first test acc ≥ \(t.threshold)", x: AxisSpec("rho (clamped weight norm / W_C)"),
                         y: AxisSpec("T_grok (steps)", scale: .log10), items: items, legend: .top)
        }
        return Chart(title: "Figure 8: the grokking delay against the clamped weight norm", width: 520 * Double(max(panels.count, 1)),
                     height: 460, panels: panels, columns: max(panels.count, 1), idPrefix: "d8")
    }

    /// The clamped runs' curves: weight norm and test accuracy against step, one colour per
    /// rho (every seed drawn), the free run W_C was read from (the first seed's) in black; a
    /// column per task.
    public static func curvesFigure(_ tasks: [(Task, [Run], Fit?)]) -> Chart {
        var panels: [Panel] = []
        for (t, runs, _) in tasks {
            let rhos = Array(Set(runs.map(\.rho))).sorted()
            var norm: [PlotItem] = [], acc: [PlotItem] = []
            let reference = runs.first { $0.referenceRun != nil }
            if let reference, let free = try? DelayLaw.freeCurve(URL(fileURLWithPath: reference.referenceRun!)), !free.isEmpty {
                let label = "free run (seed \(reference.seed))"
                norm.append(.line(LineSeries(label: label, x: free.map(\.step), y: free.map(\.weightNorm), color: .black, width: 1.5)))
                acc.append(.line(LineSeries(label: label, x: free.map(\.step), y: free.map(\.testAccuracy), color: .black, width: 1.5)))
            }
            for (i, rho) in rhos.enumerated() {
                for (j, r) in runs.filter({ $0.rho == rho }).enumerated() {
                    let c = r.curve.filter { $0.step > 0 }
                    let label = j == 0 ? String(format: "rho %.2f", rho) : nil
                    norm.append(.line(LineSeries(label: label, x: c.map(\.step), y: c.map(\.weightNorm), color: Palette.color(i + 1), width: 1.2)))
                    acc.append(.line(LineSeries(label: label, x: c.map(\.step), y: c.map(\.testAccuracy), color: Palette.color(i + 1), width: 1.2)))
                }
            }
            panels.append(Panel(title: "\(t.name): weight norm (weight matrices)", x: AxisSpec("step", scale: .log10),
                                y: AxisSpec("weight norm"), items: norm, legend: .top))
            panels.append(Panel(title: "\(t.name): test accuracy", x: AxisSpec("step", scale: .log10),
                                y: AxisSpec("test accuracy", min: 0, max: 1.02), items: acc,
                                referenceLines: [ReferenceLine(.horizontal, at: t.threshold, label: "T_grok threshold", color: .gray)],
                                legend: .hidden))
        }
        // Column-major by task: the grid fills rows, so interleave (norm row, then accuracy row).
        let n = tasks.count
        let ordered = (0..<n).map { panels[2 * $0] } + (0..<n).map { panels[2 * $0 + 1] }
        return Chart(title: "Clamped runs: weight norm and test accuracy", width: 560 * Double(max(n, 1)), height: 760,
                     panels: ordered, columns: max(n, 1), idPrefix: "d8b")
    }

    /// The free run's (step, test accuracy, weight norm) for the curves figure.
    static func freeCurve(_ dir: URL) throws -> [(step: Double, testAccuracy: Double, weightNorm: Double)] {
        let table = try CSVTable.read(RunDirectory(dir).metricsURL)
        guard let s = table.numbers("step"), let a = table.numbers("test_acc"), let w = table.numbers("l2_weights") else { return [] }
        return s.indices.filter { s[$0] > 0 }.map { (s[$0], a[$0], w[$0]) }
    }

    /// The files `write` puts into its folder, relative to it.
    public static let outputNames = ["delay-law.csv", "delay-law-fit.csv"]
        + ["8-delay-law", "8b-clamped-curves"].flatMap { ["figures/\($0).svg", "figures/\($0).png"] }

    /// Writes delay-law.csv, delay-law-fit.csv and figures/8-delay-law, 8b-clamped-curves (SVG,
    /// and PNG when a converter is installed) into `out`. Returns the summary lines. Files of an
    /// earlier fit in `out` are replaced only with `force` (checked before anything is read).
    public static func write(_ tasks: [Task], to out: URL, force: Bool = false) throws -> [String] {
        if !force, let clash = outputNames.first(where: { FileManager.default.fileExists(atPath: out.appendingPathComponent($0).path) }) {
            throw GrokError("\(out.appendingPathComponent(clash).path) exists (an earlier delay-law fit); pass --force to replace its files, or choose another --out")
        }
        let measured = try tasks.map { t -> (Task, [Run], Fit?) in let r = try runs(t); return (t, r, fit(r)) }
        let figures = out.appendingPathComponent("figures")
        try Directories.create(figures, what: "figure folder")
        try AtomicFile.write(runsCSV(measured.map { ($0.0, $0.1) }), to: out.appendingPathComponent("delay-law.csv"))
        try AtomicFile.write(fitCSV(measured), to: out.appendingPathComponent("delay-law-fit.csv"))
        var lines = measured.map { summaryLine($0.0, $0.1, $0.2) }
        for (stem, chart) in [("8-delay-law", figure(measured)), ("8b-clamped-curves", curvesFigure(measured))] {
            let svg = figures.appendingPathComponent(stem + ".svg")
            if case .skipped(let why) = try chart.write(svg: svg, png: figures.appendingPathComponent(stem + ".png")) {
                lines.append("note: \(stem).png not written: \(why)")
            }
        }
        return lines
    }
}
