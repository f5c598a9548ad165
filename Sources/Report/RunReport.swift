import Foundation
import GrokCore
import RunFiles
import Charts
import HTSR

/// What the report may do beyond the defaults.
public struct ReportOptions: Sendable {
    /// Also write PNGs (needs rsvg-convert; skipped with a warning otherwise).
    public var png = true
    public var pngZoom = 1.0
    /// The layer whose ESD figures 4 and 5 show.
    public var esdLayer = "fc1"
    /// The snapshot step for figures 4 and 5; nil = the last snapshot.
    public var esdStep: Int? = nil
    /// Figures 4 and 5 also show one snapshot per accuracy phase.
    public var esdPerPhase = true
    /// Seed of the shuffles behind figure 5 (the same seed gives the same randomized ESD).
    public var seed: UInt64 = 0
    /// Figure 4's fit; nil = from config.json, else clip_xmax (Prakash & Martin's setting).
    public var fixFingers: FingerFix? = nil
    /// Build a live page (the run is still training): a "live, step N of M, updated HH:MM"
    /// banner and a once-a-minute reload. The final build leaves this false.
    public var live = false

    public init() {}
}

/// What a report build wrote and what it had to leave out.
public struct ReportResult: Sendable {
    public var files: [URL] = []
    public var warnings: [String] = []
    public var report: URL?
}

/// Builds figures/ and report.html from a run directory's files, at any time (also while the
/// run is still going: whatever exists is drawn, whatever is missing is said).
public enum RunReport {
    public static func build(runDirectory dir: URL, options: ReportOptions = ReportOptions()) throws -> ReportResult {
        let run = try RunData.load(dir)
        // Only a run gets figures/ and report.html: never a folder that merely exists.
        let files = RunDirectory(dir)
        guard files.isRunDirectory else {
            throw GrokError("\(dir.path) is not a GrokLab run directory (no config.json); grok-report writes figures/ and report.html only into run directories")
        }
        var result = ReportResult()
        result.warnings = run.warnings

        let figDir = files.figuresURL
        do { try FileManager.default.createDirectory(at: figDir, withIntermediateDirectories: true) } catch {
            throw GrokError("cannot create \(figDir.path): \(error.localizedDescription)")
        }

        let csv = CSVFigures(run: run)
        var figures: [ReportFigure] = [csv.threePhases(), csv.alphaFigure(), csv.trapsFigure()]
        let (spectral, spectralWarnings) = SnapshotFigures(run: run, options: options).build()
        figures += spectral.filter { $0.number < 6 }
        figures.append(csv.measuresFigure())
        figures += spectral.filter { $0.number >= 6 }
        result.warnings += spectralWarnings

        var rendered: [(ReportFigure, String, [String])] = []
        var pngWarned = false
        for fig in figures {
            let svg = fig.chart.svg()
            let svgURL = figDir.appendingPathComponent(fig.fileStem + ".svg")
            try AtomicFile.write(svg, to: svgURL)
            result.files.append(svgURL)
            var names = ["figures/" + svgURL.lastPathComponent]
            if options.png {
                let pngURL = figDir.appendingPathComponent(fig.fileStem + ".png")
                switch PNGRenderer.render(svg: svgURL, to: pngURL, zoom: options.pngZoom) {
                case .written(let u): result.files.append(u); names.append("figures/" + u.lastPathComponent)
                case .skipped(let why): if !pngWarned { result.warnings.append(why); pngWarned = true }
                }
            }
            rendered.append((fig, svg, names))
        }

        let summary = RunSummary(run)
        let now = Date()
        let live = options.live
            ? LiveStatus(step: saturatingInt(summary.lastStep ?? 0), totalSteps: run.configValues["steps"].map { saturatingInt($0) },
                         updated: now)
            : nil
        let page = HTMLPage(run: run, summary: summary, figures: rendered, warnings: result.warnings,
                            generated: ISO8601DateFormatter().string(from: now), live: live)
        let reportURL = files.reportURL
        try AtomicFile.write(page.render(), to: reportURL)
        result.files.append(reportURL)
        result.report = reportURL
        return result
    }
}
