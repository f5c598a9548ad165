import Foundation
import GrokCore
import Phases
import RunFiles

/// Prakash & Martin's (arXiv 2506.04434) Tables 1 and 4 over seeds: at the centre of each accuracy phase of each run
/// (the labelled evaluation nearest the geometric middle of the phase's labelled steps), test
/// accuracy, alpha of FC1 and FC2, traps (WeightWatcher's count and with the weight mean
/// removed) and FC1's shuffled-ESD KS statistic; then the mean and sample standard deviation
/// over the runs of each group that reached the phase. "end" is each run's last evaluation.
public struct PhaseCentreTable: Sendable {
    public static let phases = ["pre-grokking", "grokking", "grokked", "anti-grokking", "end"]

    /// One run at one phase centre.
    public struct Point: Sendable {
        public let group: String
        public let run: String
        public let seed: Int?
        public let phase: String
        public let step: Int
        public let values: [Double?]
    }

    /// (column name, value at a run's step), in table order. The layers are FC1 and FC2.
    static let columns: [(name: String, value: @Sendable (SeedRun, Int) -> Double?)] = [
        ("test_acc", { r, s in SeedGroup.accuracy(r, [Double(s)], test: true)[0] }),
        ("alpha_fc1", { r, s in r.htsr["fc1"]?[s]?.alpha }),
        ("alpha_fc2", { r, s in r.htsr["fc2"]?[s]?.alpha }),
        ("num_traps_fc1", { r, s in r.htsr["fc1"]?[s]?.numTraps.map(Double.init) }),
        ("num_traps_fc2", { r, s in r.htsr["fc2"]?[s]?.numTraps.map(Double.init) }),
        ("num_traps_centered_fc1", { r, s in r.htsr["fc1"]?[s]?.numTrapsCentered.map(Double.init) }),
        ("num_traps_centered_fc2", { r, s in r.htsr["fc2"]?[s]?.numTrapsCentered.map(Double.init) }),
        ("ks_stat_fc1", { r, s in r.htsr["fc1"]?[s]?.ksStat }),
    ]

    public let groups: [SeedGroup]
    public let points: [Point]

    public init(groups: [SeedGroup]) {
        self.groups = groups
        var points: [Point] = []
        for g in groups {
            for r in g.runs {
                for phase in Self.phases {
                    guard let step = Self.centre(of: phase, in: r) else { continue }
                    points.append(Point(group: g.label, run: r.name, seed: r.seed, phase: phase, step: step,
                                        values: Self.columns.map { $0.value(r, step) }))
                }
            }
        }
        self.points = points
    }

    /// The evaluation labelled `phase` nearest (in log step) the geometric middle of the
    /// phase's first and last labelled steps; the last evaluation for "end".
    static func centre(of phase: String, in run: SeedRun) -> Int? {
        if phase == "end" { return run.steps.last.map { Int($0) } }
        let spans = run.phases.filter { $0.phase == phase }
        let labelled = run.steps.filter { s in s > 0 && spans.contains { s >= $0.startStep && s <= $0.endStep } }
        guard let lo = labelled.first, let hi = labelled.last else { return nil }
        let middle = (log10(lo) + log10(hi)) / 2
        return labelled.min { abs(log10($0) - middle) < abs(log10($1) - middle) }.map { Int($0) }
    }

    static func meanSD(_ v: [Double]) -> (mean: Double, sd: Double?)? {
        guard !v.isEmpty else { return nil }
        let m = v.reduce(0, +) / Double(v.count)
        guard v.count > 1 else { return (m, nil) }
        let sd = (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
        return (m, sd)
    }

    static func cell(_ v: [Double], _ digits: Int) -> String {
        guard let s = meanSD(v) else { return "-" }
        let f = "%.\(digits)f"
        return String(format: f, s.mean) + (s.sd.map { " ± " + String(format: f, $0) } ?? "")
    }

    /// One Markdown table per group: mean ± sample sd over the runs that reached each phase.
    public var markdown: String {
        var out: [String] = []
        for g in groups {
            out.append("**\(g.label)** (\(g.runs.count) run\(g.runs.count == 1 ? "" : "s"): seeds \(g.runs.map { $0.seed.map(String.init) ?? "?" }.joined(separator: ", ")); mean ± sd over the runs that reached the phase)")
            out.append("")
            out.append("| phase (centre) | runs | step (median) | test acc | α FC1 | α FC2 | traps FC1 / FC2 (WW) | centered FC1 / FC2 | KS FC1 |")
            out.append("|---|---|---|---|---|---|---|---|---|")
            for phase in Self.phases {
                let p = points.filter { $0.group == g.label && $0.phase == phase }
                guard !p.isEmpty else { out.append("| \(phase) | 0 of \(g.runs.count) | - | - | - | - | - | - | - |"); continue }
                func col(_ i: Int) -> [Double] { p.compactMap { $0.values[i] } }
                let steps = p.map(\.step).sorted()
                let median = NumberFormat.grouped(steps.count % 2 == 1 ? steps[steps.count / 2]
                                                  : (steps[steps.count / 2 - 1] + steps[steps.count / 2]) / 2)
                let c = Self.cell
                let cells = [c(col(0), 3), c(col(1), 2), c(col(2), 2), c(col(3), 1) + " / " + c(col(4), 1),
                             c(col(5), 1) + " / " + c(col(6), 1), c(col(7), 4)]
                out.append("| \(phase) | \(p.count) of \(g.runs.count) | \(median) | " + cells.joined(separator: " | ") + " |")
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    /// Every run's values at every phase centre, one row each.
    public var csv: String {
        var lines = [(["group", "run", "seed", "phase", "step"] + Self.columns.map(\.name)).joined(separator: ",")]
        for p in points {
            let cells = [quoted(p.group), quoted(p.run), p.seed.map(String.init) ?? "", p.phase, String(p.step)]
                + p.values.map { $0.map { "\($0)" } ?? "" }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func quoted(_ s: String) -> String { s.contains(",") ? "\"\(s)\"" : s }
}
