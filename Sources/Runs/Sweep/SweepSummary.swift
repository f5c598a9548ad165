import Foundation
import GrokCore
import Charts
import RunFiles

/// `grok-sweep summary DIR` (also run when a local sweep ends): summary.csv, figures/ (SVG and
/// PNG) and summary.html. Every run is a row of summary.csv with its status; the figures and
/// means use finished runs only, and the page lists the others by name.
public enum SweepSummary {
    public struct Result: Sendable {
        public var csv: URL
        public var html: URL
        public var figures: [URL]
        public var warnings: [String]
        public var rows: [SummaryRow]
    }

    public static func rows(_ sweep: SweepDirectory) throws -> (SweepManifest, [SummaryRow]) {
        let (manifest, lines) = try SweepStatus.lines(sweep)
        let rows = lines.map { SummaryRow(cell: $0.cell, status: $0.status, run: sweep.runURL($0.cell),
                                          grokThreshold: manifest.grokThreshold) }
        return (manifest, rows)
    }

    public static func build(_ sweep: SweepDirectory, png: Bool = true) throws -> Result {
        let (manifest, rows) = try rows(sweep)
        let layers = Array(Set(rows.flatMap { Array($0.alphaCurves.keys) + Array($0.finalAlpha.keys) })).sorted()
        let axes = manifest.grid.axes.map(\.flag)
        try AtomicFile.write(SummaryCSV.text(rows, axes: axes, layers: layers), to: sweep.summaryCSVURL)

        do { try FileManager.default.createDirectory(at: sweep.figuresURL, withIntermediateDirectories: true) }
        catch { throw GrokError("cannot create \(sweep.figuresURL.path): \(error.localizedDescription)") }
        var files: [URL] = [], warnings: [String] = [], shown: [(SummaryFigure, String)] = []
        let figures = SummaryFigures(rows: rows, axes: manifest.grid.axes, layers: layers).build()
        var pngWarned = false
        for f in figures {
            let svg = sweep.figuresURL.appendingPathComponent(f.stem + ".svg")
            let pngURL = sweep.figuresURL.appendingPathComponent(f.stem + ".png")
            switch try f.chart.write(svg: svg, png: png ? pngURL : nil) {
            case .written(let u): files += [svg, u]
            case .skipped(let why): files.append(svg); if png && !pngWarned { warnings.append(why); pngWarned = true }
            }
            shown.append((f, "figures/" + svg.lastPathComponent))
        }
        let page = SummaryPage(manifest: manifest, rows: rows, layers: layers, figures: shown, sweep: sweep).render()
        try AtomicFile.write(page, to: sweep.summaryHTMLURL)
        return Result(csv: sweep.summaryCSVURL, html: sweep.summaryHTMLURL, figures: files, warnings: warnings, rows: rows)
    }
}

/// summary.html: the table, the runs left out, every figure, links to each run's report.
struct SummaryPage {
    let manifest: SweepManifest
    let rows: [SummaryRow]
    let layers: [String]
    let figures: [(SummaryFigure, String)]
    let sweep: SweepDirectory

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    func cell(_ v: Double?, _ f: String = "%.4f") -> String { v.map { String(format: f, $0) } ?? "–" }
    func cell(_ v: Int?) -> String { v.map(String.init) ?? "–" }

    func render() -> String {
        let e = Self.escape
        let axes = manifest.grid.axes.map(\.flag)
        var h = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\"><title>Sweep \(e(sweep.url.lastPathComponent))</title>",
                 "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,th:first-child{text-align:left}.bad{color:#b00}figure{margin:2em 0}img{max-width:100%}</style>",
                 "</head><body>", "<h1>Sweep \(e(sweep.url.lastPathComponent))</h1>",
                 "<p><code>\(e(manifest.commandLine))</code></p>",
                 "<p>\(rows.count) runs over \(axes.isEmpty ? "no swept flag" : axes.map { "<b>\(e($0))</b>" }.joined(separator: " × ")); GrokLab \(e(manifest.version)). T_grok = first evaluation with test accuracy ≥ \(manifest.grokThreshold); T_mem = first with train accuracy ≥ the run's fit threshold. Numbers in <a href=\"summary.csv\">summary.csv</a>.</p>"]
        let left = rows.filter { $0.status != .done }
        if left.isEmpty {
            h.append("<p>Every run has finished; all are in the figures.</p>")
        } else {
            h.append("<p class=\"bad\">Not in the figures (not finished): " + left.map { "\(e($0.cell.name)) (\($0.status.rawValue))" }.joined(separator: ", ") + ".</p>")
        }
        var head = ["run", "status", "steps", "T_mem", "T_grok", "peak test", "final test", "anti-grokking"]
        head += layers.map { "α " + $0.uppercased() } + layers.map { "traps " + $0.uppercased() } + ["L2 norm", "wall"]
        h.append("<table><tr>" + head.map { "<th>\(e($0))</th>" }.joined() + "</tr>")
        for r in rows {
            let report = RunDirectory(sweep.runURL(r.cell)).reportURL
            let name = FileManager.default.fileExists(atPath: report.path)
                ? "<a href=\"\(e(r.cell.directory))/\(RunFileName.report)\">\(e(r.cell.name))</a>" : e(r.cell.name)
            var c = [name, r.status == .done ? "done" : "<span class=\"bad\">\(r.status.rawValue)</span>",
                     cell(r.stepsDone), cell(r.tMem), cell(r.tGrok), cell(r.peakTestAccuracy), cell(r.finalTestAccuracy),
                     r.antiGrokking.map { $0 ? "yes, step \(r.collapseStep.map(String.init) ?? "?")" : "no" } ?? "–"]
            c += layers.map { cell(r.finalAlpha[$0], "%.3g") } + layers.map { cell(r.finalTraps[$0], "%.0f") }
            c += [cell(r.finalL2Norm, "%.4g"), r.wallSeconds.map { ProgressLine.duration($0) } ?? "–"]
            h.append("<tr>" + c.map { "<td>\($0)</td>" }.joined() + "</tr>")
        }
        h.append("</table>")
        for (f, path) in figures {
            h.append("<figure><h2>\(e(f.title))</h2><img src=\"\(e(path))\" alt=\"\(e(f.title))\"><figcaption>\(e(f.caption))</figcaption></figure>")
        }
        h.append("<p><small>Generated \(ISO8601DateFormatter().string(from: Date())) by grok-sweep summary.</small></p></body></html>")
        return h.joined(separator: "\n") + "\n"
    }
}
