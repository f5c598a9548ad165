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

    /// ln(mean escape epoch) against the inverse noise strength. Levels where every run escaped,
    /// levels with censored runs (the censored maximum-likelihood mean), and levels where none
    /// escaped (their budget: a lower bound) are told apart; with `theoryBarrier` (1/T axis) a
    /// line of that slope through the fit's centre is drawn for comparison.
    public static func arrhenius(_ points: [ArrheniusPoint], fit: LineFit?, theoryBarrier: Double? = nil) -> Chart {
        let full = points.filter { $0.censored == 0 }
        let partial = points.filter { $0.censored > 0 && $0.meanEscapeCensoredMLE != nil }
        let none = points.filter { $0.meanEscapeCensoredMLE == nil }
        var items: [PlotItem] = []
        if !full.isEmpty {
            items.append(.scatter(ScatterSeries(label: "all runs escaped (mean)", x: full.map(\.noiseInverse),
                                                y: full.map { log($0.meanEscapeLowerBound) }, color: Palette.blue)))
        }
        if !partial.isEmpty {
            items.append(.scatter(ScatterSeries(label: "some runs censored (censored MLE of the mean)", x: partial.map(\.noiseInverse),
                                                y: partial.map { log($0.meanEscapeCensoredMLE!) }, color: Palette.orange, marker: .triangle)))
        }
        if !none.isEmpty {
            items.append(.scatter(ScatterSeries(label: "no run escaped (budget: a lower bound)", x: none.map(\.noiseInverse),
                                                y: none.map { log($0.meanEscapeLowerBound) }, color: .gray, marker: .square)))
        }
        let fitted = full + partial
        if let fit, let lo = fitted.map(\.noiseInverse).min(), let hi = fitted.map(\.noiseInverse).max() {
            let se = fit.slopeStandardError.map { String(format: " +- %.2g", $0) } ?? ""
            items.append(.line(LineSeries(label: String(format: "fit: slope %.3g%@, R^2 %.3f", fit.slope, se, fit.rSquared),
                                          x: [lo, hi], y: [fit.intercept + fit.slope * lo, fit.intercept + fit.slope * hi],
                                          color: .gray, dash: .dashed)))
            if let b = theoryBarrier {
                let cx = (lo + hi) / 2, cy = fit.intercept + fit.slope * cx
                items.append(.line(LineSeries(label: String(format: "theory: slope = barrier %.3g", b),
                                              x: [lo, hi], y: [cy + b * (lo - cx), cy + b * (hi - cx)],
                                              color: Palette.vermillion, dash: .dotted)))
            }
        }
        let note = items.isEmpty ? "no runs" : nil
        let axis = points.first?.axis ?? .batchOverLR
        let title: String
        switch axis {
        case .batchOverLR: title = "Escape time against inverse SGD temperature (minibatch noise)"
        case .inverseTemperature: title = "Escape time against inverse Langevin temperature"
        case .inverseLabelNoiseVariance: title = "Escape time against inverse label-noise variance"
        }
        let xLabel = axis == .batchOverLR ? "batch / lr" : axis.rawValue
        return Chart(title: title, width: 800, height: 500, panels: [
            Panel(x: AxisSpec(xLabel), y: AxisSpec("ln(mean escape epoch)"), items: items, note: note),
        ], idPrefix: "arrhenius")
    }
}
