import Foundation
import Charts
import HTSR

/// What figures 4 and 5 need about one layer at one snapshot: plain numbers, so the same
/// builders serve a run report (eigenvalues computed from snapshots) and grok-analyze
/// (eigenvalues of any model's layers).
public struct LayerSpectrum: Sendable {
    public var layer: String
    /// The snapshot step, nil outside a run (grok-analyze).
    public var step: Int?
    /// Phase of that step (accuracy-based), for titles.
    public var phase: String?
    /// Eigenvalues of W^T W (squared singular values), any order.
    public var eigenvalues: [Double]
    /// Power-law fit: exponent, xmin, KS distance, and the scan (D for every xmin candidate).
    public var alpha: Double?
    public var xmin: Double?
    public var D: Double?
    public var xminCandidates: [Double]?
    public var dCurve: [Double]?
    /// Randomized ESD (element-shuffled W) and its Marchenko-Pastur fit.
    public var randEigenvalues: [Double]?
    public var Q: Double
    public var randSigmaMP: Double?
    /// sqrt(n / sum(lambda)) of the randomized ESD: lambda * randWScale^2 has unit mean.
    public var randWScale: Double?
    /// Randomized eigenvalues above this (original scale) are traps.
    public var randSpikeThreshold: Double?
    public var numTraps: Int?

    public init(layer: String, step: Int? = nil, phase: String? = nil, eigenvalues: [Double], Q: Double) {
        self.layer = layer; self.step = step; self.phase = phase; self.eigenvalues = eigenvalues; self.Q = Q
    }

    /// One analysed layer's spectrum and fits, as the analyzer returned them: the one place an
    /// analysis becomes a figure's record (a run's report and grok-analyze --charts).
    public init(_ a: LayerAnalysis, layer: String, step: Int?, phase: String? = nil) {
        self.init(layer: layer, step: step, phase: phase, eigenvalues: a.eigenvalues ?? [], Q: a.Q)
        alpha = a.alpha; xmin = a.xmin; D = a.D
        xminCandidates = a.xminCandidates; dCurve = a.dCurve
        randEigenvalues = a.randEigenvalues; randSigmaMP = a.randSigmaMP; randWScale = a.randWScale
        randSpikeThreshold = a.randSpikeThreshold; numTraps = a.numTraps
    }

    var heading: String {
        var s = LayerStyle.label(layer)
        if let step { s += " at step " + Format.step(Double(step)) }
        if let phase { s += " (\(phase))" }
        return s
    }
}

/// The top right singular vector of FC1 at one snapshot (figure 9).
public struct SingularVectorImage: Sendable {
    public var step: Int
    public var phase: String
    public var vector: [Double]   // 784 = 28 x 28
    public var singularValue: Double

    public init(step: Int, phase: String, vector: [Double], singularValue: Double) {
        self.step = step; self.phase = phase; self.vector = vector; self.singularValue = singularValue
    }
}

/// Figures 4, 5 and 9 from plain spectra and vectors.
public enum SpectralFigures {
    /// Figure 4: log-log ESD with the fitted power-law tail and xmin (top), KS distance D
    /// against the xmin candidate (bottom); one column per spectrum.
    public static func esdFigure(_ spectra: [LayerSpectrum], title: String, idPrefix: String = "f4") -> Chart {
        var top: [Panel] = [], bottom: [Panel] = []
        for s in spectra {
            let positive = s.eigenvalues.filter { $0 > 1e-5 && $0.isFinite }
            let hist = Histogram.binned(positive, bins: max(12, min(60, positive.count / 5)), log: true, density: true,
                                        label: "ESD", color: Palette.skyBlue, style: .bars)
            var items: [PlotItem] = [.histogram(hist)]
            var refs: [ReferenceLine] = []
            if let alpha = s.alpha, let xmin = s.xmin, alpha > 1, xmin > 0, let maxEval = positive.max() {
                // p(x) = (alpha - 1)/xmin (x/xmin)^-alpha on the tail, scaled by the tail's share
                // of all eigenvalues so it sits on the histogram (a density over all of them).
                let tail = Double(positive.filter { $0 >= xmin }.count) / Double(max(positive.count, 1))
                let xs = (0...60).map { xmin * pow(maxEval / xmin, Double($0) / 60) }
                let ys = xs.map { tail * (alpha - 1) / xmin * pow($0 / xmin, -alpha) }
                items.append(.line(LineSeries(label: String(format: "power law, α = %.2f", alpha), x: xs, y: ys,
                                              color: Palette.vermillion, width: 2.4)))
                refs.append(ReferenceLine(.vertical, at: xmin, label: "xmin", color: Palette.bluishGreen, dash: .dashed, width: 1.6))
            }
            let note = positive.isEmpty ? "no eigenvalues above 1e-5" : (s.alpha == nil ? "power-law fit failed" : nil)
            top.append(Panel(title: s.heading, x: AxisSpec("eigenvalue λ", scale: .log10), y: AxisSpec("density", scale: .log10),
                             items: items, referenceLines: refs, note: note, weight: 1.3))

            var dItems: [PlotItem] = []
            var dRefs: [ReferenceLine] = []
            if let c = s.xminCandidates, let d = s.dCurve, c.count == d.count, !c.isEmpty {
                let eligible = zip(c, d).filter { $0.1 < 1 }
                dItems.append(.line(LineSeries(label: "KS distance D", x: eligible.map(\.0), y: eligible.map(\.1), color: Palette.blue, width: 1.8)))
                if let xmin = s.xmin {
                    dRefs.append(ReferenceLine(.vertical, at: xmin, label: s.D.map { String(format: "min D = %.3f", $0) } ?? "xmin",
                                               color: Palette.bluishGreen, dash: .dashed, width: 1.6))
                }
            }
            bottom.append(Panel(x: AxisSpec("xmin candidate", scale: .log10), y: AxisSpec("D", min: 0), items: dItems,
                                referenceLines: dRefs, legend: .hidden, note: dItems.isEmpty ? "no D curve" : nil))
        }
        let cols = max(spectra.count, 1)
        return Chart(title: title, width: max(800, 420 * Double(cols)), height: 680, panels: top + bottom,
                     columns: cols, idPrefix: idPrefix)
    }

    /// Marchenko-Pastur density of eigenvalues rescaled to unit mean (sigma, Q >= 1).
    static func mpDensity(_ x: Double, sigma: Double, Q: Double) -> Double {
        let s2 = sigma * sigma
        let lp = s2 * pow(1 + 1 / Q.squareRoot(), 2), lm = s2 * pow(1 - 1 / Q.squareRoot(), 2)
        guard x > lm, x < lp, x > 0 else { return 0 }
        return Q / (2 * Double.pi * s2 * x) * ((lp - x) * (x - lm)).squareRoot()
    }

    /// The quarter-circle law on singular values (what the MP fit uses when Q == 1).
    static func quarterCircle(_ v: Double, sigma: Double) -> Double {
        guard v >= 0, v <= 2 else { return 0 }
        return (4 - v * v).squareRoot() / (Double.pi * sigma * sigma)
    }

    /// Figure 5: the randomized ESD (rescaled to unit mean) with the fitted MP density and the
    /// spike threshold; eigenvalues beyond it are correlation traps. One panel per spectrum.
    public static func randomizedFigure(_ spectra: [LayerSpectrum], title: String, idPrefix: String = "f5") -> Chart {
        var panels: [Panel] = []
        for s in spectra {
            guard let r = s.randEigenvalues, !r.isEmpty, let w = s.randWScale, w > 0 else {
                panels.append(Panel(title: s.heading, x: AxisSpec("λ / mean λ"), y: AxisSpec("density"),
                                    note: "no randomized ESD (randomization off?)"))
                continue
            }
            let square = abs(s.Q - 1) < 1e-12
            // Rescaled as the fit sees them: unit mean; singular values for a square layer.
            let scaled = r.map { max($0, 0) * w * w }
            let values = square ? scaled.map { $0.squareRoot() } : scaled
            let threshold = s.randSpikeThreshold.map { square ? ($0 * w * w).squareRoot() : $0 * w * w }
            let maxV = values.max() ?? 1
            let wide = threshold.map { maxV > 6 * $0 } ?? false
            let hist = Histogram.binned(values, bins: 50, log: wide, density: true,
                                        label: "shuffled W", color: Palette.skyBlue, style: .bars)
            var items: [PlotItem] = [.histogram(hist)]
            if let sigma = s.randSigmaMP {
                let hi = square ? 2.0 : sigma * sigma * pow(1 + 1 / s.Q.squareRoot(), 2)
                let lo = square ? 0.0 : sigma * sigma * pow(1 - 1 / s.Q.squareRoot(), 2)
                let xs = (0...200).map { lo + (hi - lo) * Double($0) / 200 }.filter { !wide || $0 > 0 }
                let ys = xs.map { square ? quarterCircle($0, sigma: sigma) : mpDensity($0, sigma: sigma, Q: s.Q) }
                items.append(.line(LineSeries(label: String(format: square ? "quarter circle, σ = %.3f" : "MP fit, σ = %.3f", sigma),
                                              x: xs, y: ys, color: Palette.vermillion, width: 2.4)))
            }
            var refs: [ReferenceLine] = []
            if let t = threshold {
                refs.append(ReferenceLine(.vertical, at: t, label: "spike threshold", color: .ink, dash: .dashed, width: 1.5))
                let traps = values.filter { $0 > t }
                if !traps.isEmpty {
                    items.append(.scatter(ScatterSeries(label: "traps (\(traps.count))", x: traps, y: traps.map { _ in 0 },
                                                        color: Palette.vermillion, marker: .triangle, size: 5)))
                }
            }
            let xLabel = square ? "singular value of shuffled W (rescaled)" : "eigenvalue of shuffled W / mean"
            var panel = Panel(title: s.heading + (s.numTraps.map { " · \($0) trap" + ($0 == 1 ? "" : "s") } ?? ""),
                              x: AxisSpec(xLabel, scale: wide ? .log10 : .linear), y: AxisSpec("density", min: 0),
                              items: items, referenceLines: refs)
            if wide { panel.x.min = nil }
            panels.append(panel)
        }
        let cols = min(max(spectra.count, 1), 2)
        let rows = (panels.count + cols - 1) / cols
        return Chart(title: title, width: cols == 1 ? 800 : 1000, height: 60 + 440 * Double(max(rows, 1)),
                     panels: panels, columns: cols, idPrefix: idPrefix)
    }

    /// Figure 9: the top right singular vector of FC1 as a 28 x 28 image per phase. Signs
    /// are made consistent (a singular vector is defined up to sign): the first image has its
    /// largest entry positive, each next one points the same way as the one before.
    public static func singularVectorFigure(_ images: [SingularVectorImage], title: String, idPrefix: String = "f9") -> Chart {
        var oriented: [[Double]] = []
        for img in images {
            var v = img.vector
            if let prev = oriented.last {
                if zip(prev, v).reduce(0, { $0 + $1.0 * $1.1 }) < 0 { v = v.map { -$0 } }
            } else if let m = v.max(by: { abs($0) < abs($1) }), m < 0 {
                v = v.map { -$0 }
            }
            oriented.append(v)
        }
        // Each panel on its own scale (its largest |entry|): a vector localised on one outlier
        // entry would otherwise wash out every other panel.
        let panels = zip(images, oriented).map { img, v -> Panel in
            let side = Int(Double(v.count).squareRoot())
            let ok = side * side == v.count
            return Panel.image(ImagePlot(rows: ok ? side : 1, cols: ok ? side : v.count, values: v, colormap: .diverging,
                                         limit: nil, caption: "step \(Format.step(Double(img.step))) · σ₁ = \(Format.number(img.singularValue))"),
                               title: img.phase)
        }
        let cols = max(1, min(panels.count, 5))
        let rows = (panels.count + cols - 1) / cols
        // Square images: the cell width sets the image side, the height follows.
        let width = max(800, 230 * Double(cols))
        let side = min(width / Double(cols) - 78, 300)
        return Chart(title: title, width: width, height: 40 + (side + 70) * Double(max(rows, 1)),
                     panels: panels.isEmpty ? [Panel(note: "no snapshots")] : panels, columns: cols, idPrefix: idPrefix)
    }
}
