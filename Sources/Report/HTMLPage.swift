import Foundation
import Charts
import Phases
import RunFiles

/// report.html: one self-contained page (inline SVG, inline CSS, nothing fetched), written
/// as well-formed XHTML so any XML parser can check it.
struct HTMLPage {
    var run: RunData
    var summary: RunSummary
    var figures: [(figure: ReportFigure, svg: String, files: [String])]
    var warnings: [String]
    var generated: String
    /// Set while the run still trains: the banner and the self-reload (see `liveScript`).
    var live: LiveStatus? = nil

    static let css = """
    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #f6f6f4; line-height: 1.45; }
    main { max-width: 1080px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
    h1 { font-size: 26px; margin: 8px 0 4px; }
    h2 { font-size: 20px; margin: 36px 0 10px; border-bottom: 2px solid #e4e4e0; padding-bottom: 4px; }
    h3 { font-size: 16px; margin: 4px 0 8px; }
    .sub { color: #666; font-size: 14px; margin: 0 0 16px; }
    table { border-collapse: collapse; font-size: 14px; margin: 6px 0 12px; }
    th, td { padding: 4px 12px; border-bottom: 1px solid #e6e6e6; text-align: left; vertical-align: top; }
    th { background: #f1f1ee; font-weight: 600; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    .cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
    .card { border: 1px solid #e2e2de; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
    .card .k { font-size: 12px; color: #666; text-transform: uppercase; letter-spacing: 0.04em; }
    .card .v { font-size: 20px; font-weight: 600; margin-top: 2px; }
    .card .d { font-size: 12px; color: #666; }
    .warn { background: #fff6e5; border-left: 4px solid #E69F00; padding: 8px 14px; margin: 12px 0; font-size: 14px; }
    .warn ul { margin: 4px 0; padding-left: 20px; }
    figure { margin: 18px 0 34px; }
    figure svg { max-width: 100%; height: auto; display: block; }
    figcaption { font-size: 14px; color: #444; margin-top: 6px; max-width: 900px; }
    .files { font-size: 12px; color: #888; font-family: "DejaVu Sans Mono", monospace; }
    .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
    nav a { margin-right: 14px; font-size: 14px; color: #0072B2; text-decoration: none; }
    code { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
    .live { background: #e8f3fa; border-left: 4px solid #0072B2; padding: 8px 14px; margin: 0 0 12px; font-size: 15px; font-weight: 600; }
    """

    /// Reloads a live page once a minute. The final build has no script, so the reloading
    /// stops when the run has ended. (No guess at a killed run from the page's age: late in a
    /// long run the evaluations, and so the rebuilds, are many minutes apart.)
    static let liveScript = """
    setTimeout(function () { window.location.reload(); }, 60000);
    """

    func render() -> String {
        var h = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
        h += "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        h += "<title>\(e(run.name)) · GrokLab report</title>\n<style>\n\(HTMLPage.css)\n</style>\n</head>\n<body>\n<main>\n"
        if let live {
            h += "<div class=\"live\" id=\"live-banner\">\(e(live.text))</div>\n"
        }
        h += "<h1>\(e(run.name))</h1>\n"
        h += "<p class=\"sub\">GrokLab run report · generated \(e(generated)) from <code>\(e(run.directory.path))</code></p>\n"
        h += "<nav><a href=\"#summary\">Summary</a><a href=\"#figures\">Figures</a><a href=\"#config\">Configuration</a></nav>\n"
        if !warnings.isEmpty {
            h += "<div class=\"warn\"><strong>Incomplete or missing inputs</strong><ul>\n"
            for w in warnings { h += "<li>\(e(w))</li>\n" }
            h += "</ul></div>\n"
        }
        h += summarySection()
        h += "<h2 id=\"figures\">Figures</h2>\n"
        if figures.isEmpty { h += "<p>No figures could be drawn yet.</p>\n" }
        for (fig, svg, files) in figures {
            h += "<figure id=\"fig-\(fig.number)\">\n<h3>Figure \(fig.number). \(e(fig.title))</h3>\n"
            h += svg.hasSuffix("\n") ? svg : svg + "\n"
            h += "<figcaption>\(e(fig.caption))</figcaption>\n"
            if !files.isEmpty { h += "<div class=\"files\">\(e(files.joined(separator: " · ")))</div>\n" }
            h += "</figure>\n"
        }
        h += configSection()
        h += "</main>\n"
        if live != nil { h += "<script>//<![CDATA[\n\(HTMLPage.liveScript)\n//]]></script>\n" }
        h += "</body>\n</html>\n"
        return h
    }

    func e(_ s: String) -> String { XML.escaped(s) }

    func card(_ key: String, _ value: String, _ detail: String? = nil) -> String {
        "<div class=\"card\"><div class=\"k\">\(e(key))</div><div class=\"v\">\(e(value))</div>"
            + (detail.map { "<div class=\"d\">\(e($0))</div>" } ?? "") + "</div>\n"
    }

    func summarySection() -> String {
        let s = summary
        var h = "<h2 id=\"summary\">Summary</h2>\n<div class=\"cards\">\n"
        h += card("steps so far", Format.step(s.lastStep), "\(s.evaluations) evaluations" + (s.wallSeconds.map { ", " + Format.duration($0) } ?? ""))
        h += card("peak test accuracy", Format.percent(s.peakTestAccuracy), "at step " + Format.step(s.peakTestStep))
        h += card("final test accuracy", Format.percent(s.finalTestAccuracy), "train " + Format.percent(s.finalTrainAccuracy))
        h += card("final L2 norm", Format.number(s.finalL2Norm, digits: 4))
        if let p = run.phases {
            h += card("collapse step", Format.step(p.collapseStep.map(Double.init)), "first anti-grokking step (accuracy)")
            h += card("HTSR collapse step", Format.step(p.htsrCollapseStep.map(Double.init)), "first anti-grokking step (α, traps)")
            let lead = p.leadSteps.map(Double.init).map { ($0 >= 0 ? "HTSR warns " : "HTSR lags by ") + Format.step(abs($0)) + " steps" + ($0 >= 0 ? " early" : "") }
            h += card("HTSR lead time", Format.step(p.leadSteps.map(Double.init)), lead ?? "no collapse (yet)")
            h += card("HTSR early warning", Format.step(p.warningStep.map(Double.init)),
                      p.warningStep == nil ? "not fired (yet)"
                          : "test accuracy there " + Format.percent(p.warningTestAccuracy) + "; peak " + Format.percent(s.peakTestAccuracy)
                            + ", end " + Format.percent(s.finalTestAccuracy))
            if let c = p.confusion {
                let base = p.baselineConfusion.map { "baseline rule " + Format.percent($0.balancedRecall) } ?? "per-phase recall below"
                h += card("HTSR recall (balanced)", Format.percent(c.balancedRecall), base)
            }
        }
        h += "</div>\n"

        if let p = run.phases {
            h += "<h3>Phase boundaries</h3>\n"
            h += phaseTable(p.accuracySpans, p.htsrSpans)
            if let c = p.confusion { h += confusionTable(c, baseline: p.baselineConfusion, rule: p.htsrThresholds) }
            if !p.extra.isEmpty {
                h += "<table><tr><th>phases.json</th><th>value</th></tr>\n"
                for (k, v) in p.extra { h += "<tr><td>\(e(k))</td><td>\(e(v))</td></tr>\n" }
                h += "</table>\n"
            }
        } else {
            h += "<p>Phase labels: phases.json has not been written yet.</p>\n"
        }

        h += "<h3>HTSR at the last analysed step</h3>\n"
        if s.finalHTSR.isEmpty {
            h += "<p>HTSR: htsr.csv is missing or empty, so there is no α or trap count yet.</p>\n"
        } else {
            h += "<table><tr><th>layer</th><th>step</th><th>α ± σ</th><th>traps (WeightWatcher)</th><th>traps (mean removed)</th><th>KS (MP fit)</th><th>KS p-value</th><th>status</th></tr>\n"
            for r in s.finalHTSR {
                let alpha = Format.number(r.alpha) + (r.alphaSigma.map { " ± " + Format.number($0, digits: 2) } ?? "")
                h += "<tr><td>\(e(LayerStyle.label(r.layer)))</td><td class=\"num\">\(e(Format.step(r.step)))</td>"
                h += "<td class=\"num\">\(e(alpha))</td><td class=\"num\">\(e(r.traps.map { Format.step($0) } ?? "–"))</td>"
                h += "<td class=\"num\">\(e(r.trapsCentered.map { Format.step($0) } ?? "–"))</td>"
                h += "<td class=\"num\">\(e(Format.number(r.ksStat)))</td><td class=\"num\">\(e(Format.number(r.ksPvalue, digits: 2)))</td>"
                h += "<td>\(e(r.status))</td></tr>\n"
            }
            h += "</table>\n"
        }
        return h
    }

    /// Accuracy phase (rows) x HTSR label (columns), counted over evaluations, with each
    /// accuracy phase's recall under this rule and the baseline rule.
    func confusionTable(_ c: PhaseConfusion, baseline: PhaseConfusion?, rule: HTSRThresholds?) -> String {
        var h = "<h3>HTSR labels against accuracy phases</h3>\n"
        var ruleText = "the HTSR rule"
        if let t = rule { ruleText = t.ruleDescription }
        h += "<p class=\"sub\">Evaluations (evenly spread in log step) by accuracy phase and HTSR label; rule: \(e(ruleText)). "
        h += "Recall = share of a phase's evaluations with the HTSR label it expects (memorizing and pre-grokking expect pre-grokking, grokking and grokked expect grokking); "
        h += "the baseline is the paper's α thresholds with raw α and WeightWatcher's trap count.</p>\n"
        h += "<table><tr><th>accuracy phase</th>"
        for col in PhaseConfusion.htsrPhases { h += "<th>HTSR \(e(col.rawValue))</th>" }
        h += "<th>expects</th><th>recall</th><th>baseline recall</th></tr>\n"
        for (i, phase) in PhaseConfusion.accuracyPhases.enumerated() where c.total(phase) > 0 {
            h += "<tr><td><span class=\"swatch\" style=\"background: \(PhaseStyle.color(phase.rawValue).hex)\"></span>\(e(phase.rawValue))</td>"
            for n in c.counts[i] { h += "<td class=\"num\">\(n)</td>" }
            h += "<td>\(e(PhaseConfusion.expected(phase).rawValue))</td><td class=\"num\">\(e(Format.percent(c.recall(phase))))</td>"
            h += "<td class=\"num\">\(e(Format.percent(baseline?.recall(phase))))</td></tr>\n"
        }
        return h + "</table>\n"
    }

    func phaseTable(_ acc: [PhaseSpan], _ htsr: [PhaseSpan]) -> String {
        var h = "<table><tr><th>labels from</th><th>phase</th><th>first step</th><th>last step</th></tr>\n"
        for (source, spans) in [("accuracy", acc), ("HTSR (α, traps)", htsr)] {
            if spans.isEmpty { h += "<tr><td>\(e(source))</td><td colspan=\"3\">none</td></tr>\n"; continue }
            for (i, s) in spans.enumerated() {
                h += "<tr><td>\(i == 0 ? e(source) : "")</td>"
                h += "<td><span class=\"swatch\" style=\"background: \(PhaseStyle.color(s.phase).hex)\"></span>\(e(s.phase))</td>"
                h += "<td class=\"num\">\(e(Format.step(s.startStep)))</td><td class=\"num\">\(e(Format.step(s.endStep)))</td></tr>\n"
            }
        }
        return h + "</table>\n"
    }

    func configSection() -> String {
        var h = "<h2 id=\"config\">Configuration</h2>\n"
        if run.config.isEmpty { return h + "<p>config.json is missing.</p>\n" }
        h += "<table><tr><th>key</th><th>value</th></tr>\n"
        for (k, v) in run.config { h += "<tr><td><code>\(e(k))</code></td><td>\(e(v))</td></tr>\n" }
        return h + "</table>\n"
    }
}
