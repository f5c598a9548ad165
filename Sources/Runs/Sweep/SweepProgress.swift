import Foundation
import GrokCore
import RunFiles

/// The live state of one run, read from its files (metrics.csv's last row, the resolved config).
public struct RunProgress: Sendable {
    public var step: Int?
    public var totalSteps: Int?
    public var testAccuracy: Double?

    public static func read(_ cell: SweepCell, in sweep: SweepDirectory) -> RunProgress {
        var p = RunProgress()
        let metrics = RunDirectory(sweep.runURL(cell)).metricsURL
        if let t = try? MetricsFile.read(metrics), let s = t.numbers("step")?.last(where: \.isFinite) {
            p.step = Int(s)
            p.testAccuracy = t.numbers("test_acc")?.last(where: \.isFinite)
        }
        // The settings `grok-train --check` resolved for the cell (configs/<cell>.json, a config.json).
        p.totalSteps = (try? ConfigFile.read(sweep.configURL(cell)))?["steps"]?.number.map { saturatingInt($0) }
        return p
    }
}

enum ProgressLine {
    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        let t = Int(s.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60)
    }
}

/// Tells the user where a sweep is: on a terminal, one live line per running run plus the
/// sweep's line (redrawn in place); otherwise plain log lines (events, and the sweep's line
/// once a minute).
public final class SweepProgress {
    let sweep: SweepDirectory
    let isTerminal: Bool
    let quiet: Bool
    private var drawnLines = 0
    private var lastDraw = Date.distantPast, lastLog = Date()
    private var total = 0, finishedCount = 0
    private var started = Date()
    /// Steps done per second over this invocation, summed over runs (for the ETA).
    private var firstSeen: [String: (step: Int, time: Date)] = [:]

    public init(sweep: SweepDirectory, quiet: Bool = false) {
        self.sweep = sweep
        isTerminal = isatty(STDERR_FILENO) == 1
        self.quiet = quiet
    }

    func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

    private func clear() {
        guard isTerminal, drawnLines > 0 else { return }
        write(String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawnLines) + "\r")
        drawnLines = 0
    }

    func begin(total: Int, finished: Int) { self.total = total; finishedCount = finished; started = Date() }

    /// A run started or finished (or the sweep stopping): printed with and without --quiet,
    /// which only leaves out the live lines.
    func event(_ line: String) {
        clear()
        write(line + "\n")
    }

    func finished(_ cell: SweepCell, line: String) {
        finishedCount += 1
        event(line + " [\(finishedCount)/\(total)]")
    }

    func accuracyText(_ cell: SweepCell) -> String {
        let p = RunProgress.read(cell, in: sweep)
        return p.testAccuracy.map { String(format: ", final test accuracy %.4f", $0) } ?? ""
    }

    func update(running: [SweepCell], queued: Int) {
        guard !quiet else { return }
        let now = Date()
        let due = isTerminal ? now.timeIntervalSince(lastDraw) >= 0.5 : now.timeIntervalSince(lastLog) >= 60
        guard due else { return }
        var lines: [String] = []
        var rate = 0.0, remaining = 0, totals: [Int] = []
        for cell in running {
            let p = RunProgress.read(cell, in: sweep)
            let step = p.step ?? 0
            if firstSeen[cell.name] == nil { firstSeen[cell.name] = (step, now) }
            let f = firstSeen[cell.name]!
            let dt = now.timeIntervalSince(f.time)
            if dt > 1 { rate += Double(step - f.step) / dt }
            remaining += max(0, (p.totalSteps ?? step) - step)
            if let t = p.totalSteps { totals.append(t) }
            let acc = p.testAccuracy.map { String(format: "  test %.3f", $0) } ?? ""
            lines.append("  \(cell.name)  step \(step)/\(p.totalSteps.map(String.init) ?? "?")\(acc)")
        }
        // Waiting runs are taken to be as long as the running ones.
        let perRun = totals.isEmpty ? 0 : totals.reduce(0, +) / totals.count
        let summary = overall(running: running.count, queued: queued, rate: rate, remaining: remaining + perRun * queued)
        if isTerminal {
            lastDraw = now
            clear()
            write((lines + [summary]).joined(separator: "\n") + "\n")
            drawnLines = lines.count + 1
        } else {
            lastLog = now
            write(summary + "\n")
        }
    }

    private func overall(running: Int, queued: Int, rate: Double, remaining: Int) -> String {
        var s = "sweep: \(finishedCount)/\(total) finished, \(running) running, \(queued) waiting, \(ProgressLine.duration(Date().timeIntervalSince(started))) elapsed"
        if rate > 0 { s += ", ETA \(ProgressLine.duration(Double(remaining) / rate))" }
        return s
    }

    func end() { clear() }
}
