import Foundation
import Phases
import GrokCore
import Charts

/// Figures that need the weights: FC1's ESD (4), its randomized ESD (5) and the top right
/// singular vector per phase (9).
struct SnapshotFigures {
    let run: RunData
    let options: ReportOptions

    /// The snapshots figures 4 and 5 show: the chosen one (default the last) and, when asked,
    /// the last snapshot of each accuracy phase; at most three, ascending.
    func esdSteps() -> [(step: Int, url: URL, phase: String?)] {
        guard let last = run.snapshots.last else { return [] }
        var chosen: [(Int, URL)] = []
        if let want = options.esdStep {
            if let s = run.snapshots.min(by: { abs($0.step - want) < abs($1.step - want) }) { chosen.append((s.step, s.url)) }
        } else { chosen.append((last.step, last.url)) }
        if options.esdPerPhase {
            for p in perPhaseSnapshots() where !chosen.contains(where: { $0.0 == p.step }) {
                if chosen.count >= 3 { break }
                chosen.append((p.step, p.url))
            }
        }
        return chosen.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1, phase(at: Double($0.0))) }
    }

    /// The last snapshot inside each accuracy phase (phases with none are skipped).
    func perPhaseSnapshots() -> [(phase: String, step: Int, url: URL)] {
        let spans = run.phases?.accuracySpans ?? []
        var out: [(String, Int, URL)] = []
        for (i, span) in spans.enumerated() {
            let end = i + 1 < spans.count ? spans[i + 1].startStep : max(span.endStep, Double(run.snapshots.last?.step ?? 0))
            if let s = run.snapshots.last(where: { Double($0.step) >= span.startStep && Double($0.step) < end || Double($0.step) == span.endStep }) {
                if !out.contains(where: { $0.1 == s.step }) { out.append((span.phase, s.step, s.url)) }
            }
        }
        return out
    }

    func phase(at step: Double) -> String? {
        let spans = run.phases?.accuracySpans ?? []
        return spans.last { $0.startStep <= step }?.phase
    }

    /// "clip_xmax" (Prakash & Martin's and the diagnostics' default) unless the run's config says
    /// otherwise (its diagnostics.htsr = "plain": WeightWatcher's default, no clipping).
    var fingerFix: FingerFix {
        if let f = options.fixFingers { return f }
        return run.htsrMode == "plain" ? .none : .clipXmax
    }
}

import RunFiles
import Tensors
import HTSR

extension SnapshotFigures {
    func build() -> ([ReportFigure], [String]) {
        var warnings: [String] = []
        guard !run.snapshots.isEmpty else { return ([], ["figures 4, 5 and 9 need snapshots/step-*.safetensors: none yet"]) }
        var spectra: [LayerSpectrum] = []
        var opts = HTSROptions()
        opts.randomize = true
        opts.keepEigenvalues = true
        opts.keepDCurve = true
        opts.seed = options.seed
        opts.fixFingers = fingerFix
        for (step, url, phase) in esdSteps() {
            do {
                let w = try weight(options.esdLayer, in: url)
                let a = HTSRAnalyzer.analyze(LayerInput(name: options.esdLayer, matrix: w), options: opts)
                if !a.status.isOK { warnings.append("\(options.esdLayer) at step \(step): \(a.status)") }
                spectra.append(LayerSpectrum(a, layer: options.esdLayer, step: step, phase: phase))
            } catch { warnings.append("\(error)") }
        }
        var figures: [ReportFigure] = []
        let layer = LayerStyle.label(options.esdLayer)
        if !spectra.isEmpty {
            figures.append(ReportFigure(number: 4, name: "esd-\(options.esdLayer)", title: "\(layer) ESD and power-law fit",
                caption: "Top: the empirical spectral density of \(layer) (eigenvalues of WᵀW, log-log, log-spaced bins) with the fitted power-law tail p(λ) ∝ λ^−α from xmin (fix_fingers = \(fingerFix.rawValue)). Bottom: the Kolmogorov-Smirnov distance D for every xmin candidate; the fit takes the xmin with the smallest D.",
                chart: SpectralFigures.esdFigure(spectra, title: "\(run.name): \(layer) ESD", idPrefix: "f4")))
            figures.append(ReportFigure(number: 5, name: "randomized-esd-\(options.esdLayer)", title: "\(layer) randomized ESD and traps",
                caption: "The ESD of \(layer) after shuffling all its entries (seed \(options.seed)), rescaled to unit mean, with the fitted Marchenko-Pastur density (the quarter-circle law on singular values for a square layer). Eigenvalues beyond the spike threshold (bulk edge plus the Tracy-Widom margin) are correlation traps: outlier entries that survive shuffling.",
                chart: SpectralFigures.randomizedFigure(spectra, title: "\(run.name): \(layer) randomized ESD", idPrefix: "f5")))
        }

        var images: [SingularVectorImage] = []
        for p in perPhaseSnapshots() {
            do {
                let w = try weight("fc1", in: p.url)
                guard w.cols == 784 else { warnings.append("figure 9: fc1.weight has \(w.cols) inputs, not 784 (28 x 28)"); break }
                let svd = try Spectral.svd(w)
                images.append(SingularVectorImage(step: p.step, phase: p.phase, vector: Array(svd.vt.values[0..<w.cols]), singularValue: svd.s[0]))
            } catch { warnings.append("\(error)") }
        }
        if images.isEmpty && run.phases == nil { warnings.append("figure 9 needs phases.json (one snapshot per accuracy phase)") }
        if !images.isEmpty {
            figures.append(ReportFigure(number: 9, name: "singular-vector", title: "Top right singular vector of FC1 per phase",
                caption: "The top right singular vector of FC1 (row 0 of Vᵀ, 784 entries) shown as a 28 x 28 image at the last snapshot of each accuracy phase; blue negative, vermillion positive, each panel scaled to its largest entry (colour bar). Signs are aligned between panels (a singular vector is defined up to sign).",
                chart: SpectralFigures.singularVectorFigure(images, title: "\(run.name): top right singular vector of FC1", idPrefix: "f9")))
        }
        return (figures, warnings)
    }

    /// `<layer>.weight` of a snapshot as a float64 matrix [out, in].
    func weight(_ layer: String, in url: URL) throws -> Matrix<Double> {
        guard let t = try SnapshotFile.read(url).first(where: { $0.name == "\(layer).weight" }) else { throw GrokError("\(url.lastPathComponent): no tensor \(layer).weight") }
        guard t.shape.count == 2 else { throw GrokError("\(url.lastPathComponent): \(layer).weight has shape \(t.shape), not 2-D") }
        return Matrix(rows: t.shape[0], cols: t.shape[1], values: try t.doubles())
    }
}

