import Foundation
import GrokCore
import Phases
import RunFiles

/// The early-warning study as text: a terminal table, Markdown (for a README), CSV (one row per
/// run and signal) or JSON (runs, firings and the summary).
public struct WarningReport: Sendable {
    public enum Format: String, Sendable, CaseIterable { case table, markdown, csv, json }

    public let runs: [WarningRun]
    public let signals: [WarningSignal]
    public let firings: [SignalFiring]
    public let summaries: [SignalSummary]
    public let sustain: Int

    public init(runs: [WarningRun], signals: [WarningSignal], sustain: Int = 1) {
        self.runs = runs; self.signals = signals; self.sustain = sustain
        (firings, summaries) = WarningStudy.evaluate(runs: runs, signals: signals, sustain: sustain)
    }

    public func render(_ format: Format) -> String {
        switch format {
        case .table: return text(markdown: false)
        case .markdown: return text(markdown: true)
        case .csv: return csv
        case .json: return json
        }
    }

    // MARK: CSV and JSON

    public static let csvColumns = ["run", "seed", "signal", "first_step", "threshold", "threshold_source", "outcome",
                                    "collapse_step", "peak_step", "lead_steps", "lead_decades", "test_acc_at_warning"]

    var csv: String {
        var lines = [Self.csvColumns.joined(separator: ",")]
        for f in firings {
            let cells: [String] = [csvCell(f.run), f.seed.map(String.init) ?? "", f.signal, f.firstStep.map(String.init) ?? "",
                                   f.threshold.map { "\($0)" } ?? "", f.thresholdSource.replacingOccurrences(of: ",", with: " "),
                                   f.outcome.rawValue, f.collapseStep.map(String.init) ?? "", f.peakStep.map(String.init) ?? "",
                                   f.leadSteps.map(String.init) ?? "", f.leadDecades.map { "\($0)" } ?? "",
                                   f.testAccuracyAtWarning.map { "\($0)" } ?? ""]
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func csvCell(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    var json: String {
        func num(_ x: Double?) -> Any { x.map { $0.isFinite ? $0 as Any : NSNull() } ?? NSNull() }
        func int(_ x: Int?) -> Any { x.map { $0 as Any } ?? NSNull() }
        let runObjects: [[String: Any]] = runs.map { r in
            ["run": r.name, "seed": int(r.seed), "layers": r.series.layers, "htsr_steps": r.series.steps.count,
             "peak_step": int(r.accuracy?.peakStep), "peak_test_acc": num(r.accuracy?.peakTestAccuracy),
             "collapse_step": int(r.accuracy?.collapseStep)]
        }
        let firingObjects: [[String: Any]] = firings.map { f in
            ["run": f.run, "seed": int(f.seed), "signal": f.signal, "first_step": int(f.firstStep), "threshold": num(f.threshold),
             "threshold_source": f.thresholdSource, "outcome": f.outcome.rawValue, "collapse_step": int(f.collapseStep),
             "peak_step": int(f.peakStep), "lead_steps": int(f.leadSteps), "lead_decades": num(f.leadDecades),
             "test_acc_at_warning": num(f.testAccuracyAtWarning)]
        }
        let summaryObjects: [[String: Any]] = summaries.map { s in
            ["signal": s.signal, "meaning": s.meaning, "collapsed_runs": s.collapsedRuns, "in_time": s.inTime,
             "before_peak": s.beforePeak, "late": s.late, "missed": s.missed,
             "median_lead_steps": num(s.medianLeadSteps), "median_lead_decades": num(s.medianLeadDecades),
             "median_test_acc_at_warning": num(s.medianTestAccuracy), "control_runs": s.controlRuns,
             "false_alarms": s.falseAlarms, "median_false_alarm_step": num(s.medianFalseAlarmStep),
             "unavailable": s.unavailable, "thresholds": s.thresholds, "warns_in_time": s.warnsInTime]
        }
        let root: [String: Any] = ["sustain": sustain, "runs": runObjects, "firings": firingObjects, "summary": summaryObjects]
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
              let text = String(data: data, encoding: .utf8) else { return "{}\n" }
        return text + "\n"
    }

    // MARK: Tables

    func text(markdown: Bool) -> String {
        var out: [String] = []
        let runHeader = ["#", "run", "seed", "peak (test acc)", "collapse onset"]
        let runRows = runs.enumerated().map { i, r -> [String] in
            let peak = r.accuracy.flatMap { a in a.peakStep.map { "\(Self.steps($0)) (\(String(format: "%.3f", a.peakTestAccuracy ?? .nan)))" } } ?? "-"
            let collapse = r.accuracy == nil ? "no metrics.csv"
                : r.accuracy?.collapseStep.map(Self.steps) ?? (r.finished ? "none (control)" : "none yet (unfinished: no verdict)")
            return ["\(i + 1)", r.name, r.seed.map(String.init) ?? "-", peak, collapse]
        }
        out.append(heading("Runs (accuracy truth from metrics.csv: the collapse onset is the accuracy labeller's)", markdown))
        out.append(table(runHeader, runRows, markdown: markdown))

        let firstHeader = ["signal"] + runs.indices.map { "#\($0 + 1)" }
        let firstRows = signals.map { s -> [String] in
            [s.name] + runs.map { r in
                guard let f = firings.first(where: { $0.run == r.name && $0.signal == s.name }) else { return "" }
                if f.outcome == .unavailable { return "n/a" }
                return f.firstStep.map(Self.steps) ?? "-"
            }
        }
        out.append(heading("First step each signal fires (- never; n/a: htsr.csv lacks its column)" + (sustain > 1 ? ", \(sustain) evaluations in a row" : ""), markdown))
        out.append(table(firstHeader, firstRows, markdown: markdown))

        let scoreHeader = ["signal", "threshold", "collapsed runs warned in time", "before peak", "late", "missed",
                           "median lead", "test acc at warning", "controls with a false alarm"]
        let scoreRows = summaries.map { s -> [String] in
            let lead: String
            if let st = s.medianLeadSteps, let d = s.medianLeadDecades {
                lead = "\(Self.signedSteps(st)) (\(String(format: "%+.2f", d)) dec)"
            } else { lead = "-" }
            let alarms = s.controlRuns == 0 ? "no controls" :
                "\(s.falseAlarms) of \(s.controlRuns)" + (s.medianFalseAlarmStep.map { " (median \(Self.steps(Int($0))))" } ?? "")
            var warned = s.collapsedRuns == 0 ? "no collapsed runs" : "\(s.inTime) of \(s.collapsedRuns)"
            if s.unavailable > 0 { warned += " (n/a on \(s.unavailable) run\(s.unavailable == 1 ? "" : "s"))" }
            return [s.signal, s.thresholds.isEmpty ? "-" : s.thresholds, warned,
                    "\(s.beforePeak)", "\(s.late)", "\(s.missed)", lead,
                    s.medianTestAccuracy.map { String(format: "%.3f", $0) } ?? "-", alarms]
        }
        out.append(heading("Scores: in time = at or after the accuracy peak and before the collapse onset; lead = onset - warning (median over the collapsed runs it fired on)", markdown))
        out.append(table(scoreHeader, scoreRows, markdown: markdown))
        let good = summaries.filter(\.warnsInTime).map(\.signal)
        out.append(good.isEmpty ? "No signal warned every collapsed run in time without a false alarm on a control."
                                : "Warned every collapsed run in time with no false alarm: " + good.joined(separator: ", ") + ".")
        out.append(answer().joined(separator: " "))
        return out.joined(separator: "\n\n") + "\n"
    }

    /// The answer the study is for, in words, from the scores: what it rests on, how HTSR's own
    /// rule did, and the best of the other signals (most collapsed runs warned in time, then
    /// fewest false alarms, then fewest warnings before the peak; ties named together).
    func answer() -> [String] {
        let scored = runs.filter { $0.accuracy != nil }
        let collapsed = scored.filter { $0.accuracy?.collapseStep != nil }.count
        let controls = scored.filter { $0.accuracy?.collapseStep == nil && $0.finished }.count
        let pending = scored.count - collapsed - controls
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let collapsedTraining = scored.filter { $0.accuracy?.collapseStep != nil && !$0.finished }.count
        var lines = ["This rests on \(count(collapsed, "collapsed run")) and \(count(controls, "control"))"
                     + (pending > 0 ? "; \(count(pending, "run")) still training, not collapsed yet, \(pending == 1 ? "has" : "have") no verdict." : ".")]
        if collapsedTraining > 0 {
            lines.append("\(collapsedTraining) of the collapsed runs \(collapsedTraining == 1 ? "is" : "are") still training: "
                         + "a signal that has not fired on \(collapsedTraining == 1 ? "it" : "them") may yet fire, after the onset.")
        }
        func said(_ s: SignalSummary) -> String {
            let alarms = s.controlRuns == 0 ? "had no control to raise a false alarm on"
                : "raised a false alarm on \(s.falseAlarms) of \(count(s.controlRuns, "control"))"
            return "warned in time on \(s.inTime) of \(count(s.collapsedRuns, "collapsed run")) (\(s.beforePeak) before the "
                + "accuracy peak, \(s.late) after the onset, \(s.missed) never) and \(alarms)."
        }
        for s in summaries where s.signal.hasPrefix("paper rule") {
            lines.append("HTSR's rule (\(s.signal): alpha < 2 with a correlation trap) " + said(s))
        }
        let others = summaries.filter { !$0.signal.hasPrefix("paper rule") && $0.collapsedRuns > 0 }
        func key(_ s: SignalSummary) -> (Int, Int, Int) { (s.inTime, -s.falseAlarms, -s.beforePeak) }
        if let top = others.map(key).max(by: <) {
            // Signals that did exactly as well are said together.
            var groups: [(text: String, names: [String])] = []
            for s in others where key(s) == top {
                if let i = groups.firstIndex(where: { $0.text == said(s) }) { groups[i].names.append(s.signal) }
                else { groups.append((said(s), [s.signal])) }
            }
            for (n, g) in groups.enumerated() {
                let names = g.names.joined(separator: ", ")
                let subject = n > 0 ? "Equally good by that measure, \(names)" : "The best other weight-only signal" + (g.names.count > 1 ? "s" : "") + ", \(names),"
                lines.append(subject + (g.names.count > 1 ? " each " : " ") + g.text)
            }
        }
        return lines
    }

    func heading(_ s: String, _ markdown: Bool) -> String { markdown ? "**\(s)**" : s + ":" }

    func table(_ header: [String], _ rows: [[String]], markdown: Bool) -> String {
        if markdown {
            let esc = { (s: String) in s.replacingOccurrences(of: "|", with: "\\|") }
            var lines = ["| " + header.map(esc).joined(separator: " | ") + " |",
                         "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
            lines += rows.map { "| " + $0.map(esc).joined(separator: " | ") + " |" }
            return lines.joined(separator: "\n")
        }
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func steps(_ n: Int) -> String { NumberFormat.grouped(n) }

    static func signedSteps(_ x: Double) -> String { (x > 0 ? "+" : "") + steps(Int(x.rounded())) }
}
