import Foundation
import RunFiles

/// One run as the early-warning study sees it: its weight-only series, its seed (the unit a
/// threshold is held out by) and, when metrics.csv exists, its accuracy labels (the truth a
/// warning is scored against).
public struct WarningRun: Sendable {
    public let name: String
    public let seed: Int?
    public let series: WeightSeries
    public let accuracyPoints: [AccuracyPoint]
    public let accuracy: AccuracyPhases?
    /// Whether the run reached its last step. One still training that has not collapsed yet is
    /// no control: it may collapse later, so what fired on it is neither a false alarm nor quiet.
    public let finished: Bool

    public init(name: String, seed: Int?, series: WeightSeries, accuracyPoints: [AccuracyPoint],
                thresholds: PhaseThresholds = PhaseThresholds(), finished: Bool = true) {
        self.name = name; self.seed = seed; self.series = series; self.accuracyPoints = accuracyPoints
        self.finished = finished
        accuracy = accuracyPoints.isEmpty ? nil : AccuracyPhases(points: accuracyPoints, thresholds: thresholds)
    }

    /// Test accuracy at the last evaluation at or before `step`.
    func testAccuracy(atOrBefore step: Int) -> Double? {
        accuracyPoints.last { $0.step <= step }?.testAccuracy
    }
}

/// How a signal's first firing relates to a run's accuracy.
public enum WarningOutcome: String, Sendable, CaseIterable {
    /// A collapsed run, warned at or after the accuracy peak and before the collapse onset.
    case inTime = "in time"
    /// A collapsed run, warned before its accuracy peak: stopping there loses the grokking.
    case beforePeak = "before peak"
    /// A collapsed run, warned at or after the collapse onset.
    case late
    /// A collapsed run the signal never fired on.
    case missed
    /// A run that never collapsed, fired on anyway.
    case falseAlarm = "false alarm"
    /// A run that never collapsed and a signal that stayed quiet.
    case quiet
    /// No metrics.csv: nothing to score against.
    case unscored
    /// A run still training that has not collapsed so far: no verdict until it ends.
    case unfinished
    /// The run's htsr.csv lacks what the signal reads.
    case unavailable
}

/// One signal on one run.
public struct SignalFiring: Sendable {
    public let run: String
    public let seed: Int?
    public let signal: String
    public let threshold: Double?
    /// "fixed", "seeds a,b" (chosen on those seeds' runs, this run's seed held out) or
    /// "fallback" (no other seed to choose on).
    public let thresholdSource: String
    public let firstStep: Int?
    public let collapseStep: Int?
    public let peakStep: Int?
    public let outcome: WarningOutcome
    /// collapse onset - first firing (positive: warned before the collapse).
    public var leadSteps: Int? {
        guard let c = collapseStep, let f = firstStep else { return nil }
        return c - f
    }
    /// log10(collapse onset / first firing).
    public var leadDecades: Double? {
        guard let c = collapseStep, let f = firstStep, c > 0, f > 0 else { return nil }
        return log10(Double(c) / Double(f))
    }
    public let testAccuracyAtWarning: Double?
}

/// One signal over all runs: the detector table's row.
public struct SignalSummary: Sendable {
    public let signal: String
    public let meaning: String
    public let collapsedRuns: Int
    public let inTime: Int
    public let beforePeak: Int
    public let late: Int
    public let missed: Int
    /// Medians over the collapsed runs it fired on (negative lead: after the onset).
    public let medianLeadSteps: Double?
    public let medianLeadDecades: Double?
    public let medianTestAccuracy: Double?
    public let controlRuns: Int
    public let falseAlarms: Int
    public let medianFalseAlarmStep: Double?
    /// Runs whose htsr.csv lacks the signal's column.
    public let unavailable: Int
    /// The thresholds used, one per held-out seed (or the fixed one).
    public let thresholds: String

    /// Warned every collapsed run in time and raised no false alarm, over at least one of each.
    public var warnsInTime: Bool { collapsedRuns > 0 && inTime == collapsedRuns && controlRuns > 0 && falseAlarms == 0 }
}

/// Scores weight-only signals against the accuracy labeller's collapse onset. A threshold that
/// theory does not fix is chosen on the runs of the other seeds and applied to the held-out
/// seed's runs (leave one seed out), so no run is scored with a threshold tuned on itself.
public enum WarningStudy {
    public static func evaluate(runs: [WarningRun], signals: [WarningSignal], sustain: Int = 1)
        -> (firings: [SignalFiring], summaries: [SignalSummary]) {
        var firings: [SignalFiring] = []
        var summaries: [SignalSummary] = []
        for signal in signals {
            let rows = fire(signal, runs: runs, sustain: sustain)
            firings += rows
            summaries.append(summarize(signal, rows))
        }
        return (firings, summaries)
    }

    /// The signal's firing on every run, thresholds held out by seed.
    static func fire(_ signal: WarningSignal, runs: [WarningRun], sustain: Int) -> [SignalFiring] {
        if let fixed = signal.fixedThreshold {
            return runs.map { firing(signal, $0, threshold: fixed, source: "fixed", sustain: sustain) }
        }
        guard let tuning = signal.tuning else { return [] }
        let seeds = Set(runs.map(\.seed))
        return runs.map { run in
            let training = runs.filter { $0.seed != run.seed && $0.accuracy != nil && signal.isAvailable($0.series) }
            guard seeds.count >= 2, !training.isEmpty else {
                return firing(signal, run, threshold: tuning.fallback, source: "fallback", sustain: sustain)
            }
            let chosen = choose(signal, tuning.grid, on: training, sustain: sustain)
            let names = Set(training.map { $0.seed.map(String.init) ?? "?" }).sorted().joined(separator: ",")
            return firing(signal, run, threshold: chosen, source: "seeds \(names)", sustain: sustain)
        }
    }

    /// The grid value that warns most collapsed training runs in time net of false alarms;
    /// ties go to fewer warnings before the peak, then to the longer median lead, then to the
    /// first in the grid.
    static func choose(_ signal: WarningSignal, _ grid: [Double], on runs: [WarningRun], sustain: Int) -> Double {
        var best: (key: (Int, Int, Double), threshold: Double)? = nil
        for t in grid {
            let rows = runs.map { firing(signal, $0, threshold: t, source: "", sustain: sustain) }
            let inTime = rows.filter { $0.outcome == .inTime }
            let net = inTime.count - rows.filter { $0.outcome == .falseAlarm }.count
            let early = rows.filter { $0.outcome == .beforePeak }.count
            let lead = median(inTime.compactMap(\.leadDecades)) ?? -.infinity
            let key = (net, -early, lead)
            if best == nil || key > best!.key { best = (key, t) }
        }
        return best?.threshold ?? grid.first ?? 0
    }

    static func firing(_ signal: WarningSignal, _ run: WarningRun, threshold: Double, source: String,
                       sustain: Int) -> SignalFiring {
        let available = signal.isAvailable(run.series)
        let first = available ? signal.firstStep(run.series, threshold: threshold, sustain: sustain) : nil
        let collapse = run.accuracy?.collapseStep
        let peak = run.accuracy?.peakStep
        let outcome: WarningOutcome
        if !available { outcome = .unavailable }
        else if run.accuracy == nil { outcome = .unscored }
        else if let c = collapse {
            if let f = first { outcome = f >= c ? .late : (peak.map { f < $0 } ?? false) ? .beforePeak : .inTime }
            else { outcome = .missed }
        } else if !run.finished {
            outcome = .unfinished
        } else {
            outcome = first == nil ? .quiet : .falseAlarm
        }
        return SignalFiring(run: run.name, seed: run.seed, signal: signal.name, threshold: threshold,
                            thresholdSource: source, firstStep: first, collapseStep: collapse, peakStep: peak,
                            outcome: outcome, testAccuracyAtWarning: first.flatMap { run.testAccuracy(atOrBefore: $0) })
    }

    static func summarize(_ signal: WarningSignal, _ rows: [SignalFiring]) -> SignalSummary {
        let collapsed = rows.filter { [.inTime, .beforePeak, .late, .missed].contains($0.outcome) }
        let fired = collapsed.filter { $0.firstStep != nil }
        let controls = rows.filter { $0.outcome == .falseAlarm || $0.outcome == .quiet }
        let alarms = controls.filter { $0.outcome == .falseAlarm }
        func count(_ o: WarningOutcome) -> Int { rows.filter { $0.outcome == o }.count }
        var seen: [String] = []
        for r in rows {
            guard let t = r.threshold else { continue }
            let text = r.thresholdSource == "fixed" ? (signal.fixedRule ?? format(t)) : "\(format(t)) (\(r.thresholdSource))"
            if !seen.contains(text) { seen.append(text) }
        }
        return SignalSummary(signal: signal.name, meaning: signal.meaning, collapsedRuns: collapsed.count,
                             inTime: count(.inTime), beforePeak: count(.beforePeak), late: count(.late), missed: count(.missed),
                             medianLeadSteps: median(fired.compactMap { $0.leadSteps.map(Double.init) }),
                             medianLeadDecades: median(fired.compactMap(\.leadDecades)),
                             medianTestAccuracy: median(fired.compactMap(\.testAccuracyAtWarning)),
                             controlRuns: controls.count, falseAlarms: alarms.count,
                             medianFalseAlarmStep: median(alarms.compactMap { $0.firstStep.map(Double.init) }),
                             unavailable: count(.unavailable), thresholds: seen.joined(separator: "; "))
    }

    static func median(_ v: [Double]) -> Double? {
        var w = v
        return SteadyAlpha.median(&w)
    }

    /// A threshold as the tables print it (4 significant digits).
    public static func format(_ x: Double) -> String { String(format: "%.4g", x) }
}
