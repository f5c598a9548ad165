import Charts
import Foundation

/// The figures of the three protocols, as Charts values (the tool writes them as SVG + PNG).
public enum HysteresisFigures {
    private static func style(_ d: SweepDirection) -> (Color, Marker, String) {
        d == .down ? (Palette.blue, .circle, "down from high beta") : (Palette.vermillion, .square, "up from beta = 0")
    }

    /// Test MSE and the product's singular values against beta, both sweep directions.
    public static func sweep(_ points: [SweepPoint], theoryBetaC: [Double]) -> Chart {
        var mse: [PlotItem] = [], sigma: [PlotItem] = []
        for d in SweepDirection.allCases {
            let pts = points.filter { $0.direction == d }.sorted { $0.beta < $1.beta }
            let (color, marker, label) = style(d)
            let x = pts.map(\.beta)
            mse.append(.line(LineSeries(label: label, x: x, y: pts.map(\.record.testMSE), color: color, marker: marker)))
            sigma.append(.line(LineSeries(label: "sigma1, " + label, x: x, y: pts.map { $0.record.singularValues.first ?? 0 },
                                          color: color, marker: marker)))
            sigma.append(.line(LineSeries(label: "sigma2, " + label, x: x, y: pts.map(\.record.sigma2),
                                          color: color, dash: .dashed, marker: marker)))
        }
        // Unlabeled lines (two close betas' labels collide); the values go in the title.
        let refs = theoryBetaC.map { ReferenceLine(.vertical, at: $0) }
        let unlabeled = refs
        let values = theoryBetaC.map { String(format: "%.3f", $0) }.joined(separator: ", ")
        return Chart(title: "Quasi-static beta sweep (plain SGD; dashed: theory beta_c " + values + ")", width: 900, height: 700, panels: [
            Panel(title: "test MSE", x: AxisSpec("beta"), y: AxisSpec("test MSE"), items: mse, referenceLines: refs),
            Panel(title: "singular values of the end-to-end product", x: AxisSpec("beta"), y: AxisSpec("singular value"),
                  items: sigma, referenceLines: unlabeled, legend: .top),
        ], sharedX: true, idPrefix: "sweep")
    }

    /// Test MSE and sigma2 against epoch for the fresh and the warm-started (trapped) run.
    public static func trap(fresh: [EpochRecord], trapped: [EpochRecord], criteria: EscapeCriteria, beta: Double) -> Chart {
        func x(_ r: [EpochRecord]) -> [Double] { r.map { Double($0.epoch) + 1 } }
        let floor = 1e-20
        let mse: [PlotItem] = [
            .line(LineSeries(label: "fresh init", x: x(fresh), y: fresh.map(\.testMSE), color: Palette.bluishGreen)),
            .line(LineSeries(label: "warm start from the trap", x: x(trapped), y: trapped.map(\.testMSE), color: Palette.vermillion)),
        ]
        let sigma: [PlotItem] = [
            .line(LineSeries(label: "fresh init", x: x(fresh), y: fresh.map { max($0.sigma2, floor) }, color: Palette.bluishGreen)),
            .line(LineSeries(label: "warm start from the trap", x: x(trapped), y: trapped.map { max($0.sigma2, floor) }, color: Palette.vermillion)),
        ]
        return Chart(title: String(format: "Trapping at beta = %.3f", beta), width: 900, height: 700, panels: [
            Panel(title: "test MSE", x: AxisSpec("epoch + 1", scale: .log10), y: AxisSpec("test MSE"), items: mse,
                  referenceLines: [
                    ReferenceLine(.horizontal, at: criteria.plateau, label: "trapped plateau", color: Palette.vermillion),
                    ReferenceLine(.horizontal, at: criteria.globalMinimum, label: "global minimum", color: Palette.bluishGreen),
                    ReferenceLine(.horizontal, at: criteria.midpoint, label: "escape threshold", color: .gray, dash: .dotted),
                  ]),
            Panel(title: "second singular value of the product (floored at 1e-20)", x: AxisSpec("epoch + 1", scale: .log10),
                  y: AxisSpec("sigma2", scale: .log10), items: sigma,
                  referenceLines: [ReferenceLine(.horizontal, at: criteria.sigma2Threshold, label: "1e-3")]),
        ], sharedX: true, idPrefix: "trap")
    }

    /// ln(mean escape epoch) against batch/lr; censored points (a lower bound) drawn hollow-coloured.
    public static func arrhenius(_ points: [ArrheniusPoint], fit: LineFit?) -> Chart {
        let full = points.filter { $0.censored == 0 }, partial = points.filter { $0.censored > 0 }
        var items: [PlotItem] = []
        if !full.isEmpty {
            items.append(.scatter(ScatterSeries(label: "all runs escaped", x: full.map(\.noiseInverse),
                                                y: full.map { log($0.meanEscapeLowerBound) }, color: Palette.blue)))
        }
        if !partial.isEmpty {
            items.append(.scatter(ScatterSeries(label: "with censored runs (counted at the budget: a lower bound)", x: partial.map(\.noiseInverse),
                                                y: partial.map { log($0.meanEscapeLowerBound) }, color: Palette.orange, marker: .triangle)))
        }
        if let fit, let lo = full.map(\.noiseInverse).min(), let hi = full.map(\.noiseInverse).max() {
            items.append(.line(LineSeries(label: String(format: "fit: slope %.3g, R^2 %.3f", fit.slope, fit.rSquared),
                                          x: [lo, hi], y: [fit.intercept + fit.slope * lo, fit.intercept + fit.slope * hi],
                                          color: .gray, dash: .dashed)))
        }
        let note = items.isEmpty ? "no runs" : nil
        return Chart(title: "Escape time against inverse SGD temperature", width: 800, height: 500, panels: [
            Panel(x: AxisSpec("batch / lr"), y: AxisSpec("ln(mean escape epoch)"), items: items, note: note),
        ], idPrefix: "arrhenius")
    }
}
