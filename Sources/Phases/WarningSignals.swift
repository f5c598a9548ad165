import Foundation
import RunFiles

/// One run's weight-only numbers, step by step: what a detector may read without test data.
/// Built from htsr.csv's rows (`HTSRLayerPoint`); `layers` are the layers the signals watch.
public struct WeightSeries: Sendable {
    public let steps: [Int]
    public let layers: [String]
    /// Per layer, parallel to `steps`; nil where htsr.csv has no row or no value.
    public let alpha: [String: [Double?]]
    public let numTraps: [String: [Double?]]
    public let numTrapsCentered: [String: [Double?]]
    public let ksStat: [String: [Double?]]
    public let stableRank: [String: [Double?]]
    public let logNorm: [String: [Double?]]
    public let ergGap: [String: [Double?]]

    /// The steps that have a row of every watched layer, in order.
    public init(points: [HTSRLayerPoint], layers: [String]) {
        var byStep: [Int: [String: HTSRLayerPoint]] = [:]
        for p in points where layers.contains(p.layer) { byStep[p.step, default: [:]][p.layer] = p }
        let steps = byStep.keys.sorted().filter { s in layers.allSatisfy { byStep[s]![$0] != nil } }
        self.steps = steps
        self.layers = layers
        func series(_ value: (HTSRLayerPoint) -> Double?) -> [String: [Double?]] {
            var out: [String: [Double?]] = [:]
            for l in layers { out[l] = steps.map { s in byStep[s]![l].flatMap(value).flatMap { $0.isFinite ? $0 : nil } } }
            return out
        }
        alpha = series(\.alpha)
        numTraps = series { $0.numTraps.map(Double.init) }
        numTrapsCentered = series { $0.numTrapsCentered.map(Double.init) }
        ksStat = series(\.ksStat)
        stableRank = series(\.stableRank)
        logNorm = series(\.logNorm)
        ergGap = series { $0.ergGap.map(Double.init) }
    }
}

/// A weight-only early-warning signal: a number per step (`score`) and the side of a threshold
/// on which it fires. A signal whose threshold is not given by theory (`tuning` non-nil) has it
/// chosen on data: on the runs of the other seeds when it is scored (`WarningStudy`).
public struct WarningSignal: Sendable {
    public enum Side: String, Sendable { case above, below }

    /// Candidate thresholds and the one used when no data can choose (a single seed).
    public struct Tuning: Sendable {
        public let grid: [Double]
        public let fallback: Double
        public init(grid: [Double], fallback: Double) { self.grid = grid; self.fallback = fallback }
    }

    public let name: String
    /// What it reads and when it fires, in one line (help and README).
    public let meaning: String
    public let side: Side
    /// The threshold when it is fixed by the rule itself (alpha < 2, traps >= 1), and how
    /// tables show it ("< 2", ">= 1": integer counts are compared with x.5).
    public let fixedThreshold: Double?
    public let fixedRule: String?
    public let tuning: Tuning?
    /// The per-step number compared with the threshold (nil where it cannot be computed).
    let score: @Sendable (WeightSeries) -> [Double?]

    public init(name: String, meaning: String, side: Side, fixedThreshold: Double?, fixedRule: String? = nil,
                tuning: Tuning?, score: @escaping @Sendable (WeightSeries) -> [Double?]) {
        self.name = name; self.meaning = meaning; self.side = side; self.fixedThreshold = fixedThreshold
        self.fixedRule = fixedRule; self.tuning = tuning; self.score = score
    }

    /// The per-step values the threshold is compared with.
    public func values(_ series: WeightSeries) -> [Double?] { score(series) }

    /// The first step at which the signal fires with `threshold`: `sustain` consecutive
    /// evaluations on the firing side (a missing value breaks the run). Nil when it never does.
    public func firstStep(_ series: WeightSeries, threshold: Double, sustain: Int = 1) -> Int? {
        let v = score(series)
        let flags = v.map { x -> Bool in
            guard let x else { return false }
            return side == .above ? x > threshold : x < threshold
        }
        return firstSustainedRun(steps: series.steps, flags: flags, sustain: sustain)?.onset
    }

    /// True when the signal has a value at 90% of the run's steps or more. A run written before
    /// a column existed has none; one whose column was filled in later from the few snapshots it
    /// kept has it at a handful of steps, where a "first firing" would mean little. Either says
    /// nothing either way.
    public func isAvailable(_ series: WeightSeries) -> Bool {
        let v = score(series)
        return !v.isEmpty && Double(v.filter { $0 != nil }.count) >= 0.9 * Double(v.count)
    }
}

extension WarningSignal {
    /// The signals `grok-analyze warn` scores, for the watched `layers` (normally FC1 and FC2).
    public static func all(layers: [String]) -> [WarningSignal] {
        var out: [WarningSignal] = []
        for l in layers {
            let L = l.uppercased()
            out.append(WarningSignal(name: "alpha<2 raw \(l)", meaning: "\(L)'s alpha (WeightWatcher's fit, per snapshot) below 2",
                                     side: .below, fixedThreshold: 2, fixedRule: "< 2", tuning: nil) { $0.alpha[l] ?? [] })
            out.append(WarningSignal(name: "alpha<2 steady \(l)",
                                     meaning: "\(L)'s alpha as a causal median over 0.1 decades of step below 2",
                                     side: .below, fixedThreshold: 2, fixedRule: "< 2", tuning: nil) { s in
                SteadyAlpha.causalMedian(steps: s.steps, values: s.alpha[l] ?? [], decades: 0.1)
            })
            out.append(WarningSignal(name: "traps>=1 centered \(l)",
                                     meaning: "\(L) has a correlation trap once the weight mean's spike is removed",
                                     side: .above, fixedThreshold: 0.5, fixedRule: ">= 1", tuning: nil) { $0.numTrapsCentered[l] ?? [] })
            out.append(WarningSignal(name: "KS \(l)", meaning: "\(L)'s shuffled-ESD KS statistic against its MP fit above a threshold",
                                     side: .above, fixedThreshold: nil,
                                     tuning: Tuning(grid: geometricGrid(0.015, 0.4, count: 30), fallback: 0.05)) { $0.ksStat[l] ?? [] })
            out.append(WarningSignal(name: "stable rank \(l)",
                                     meaning: "\(L)'s stable rank below a fraction of its value at the first snapshot",
                                     side: .below, fixedThreshold: nil,
                                     tuning: Tuning(grid: geometricGrid(0.01, 0.97, count: 40), fallback: 0.1)) { s in
                relativeToFirst(s.stableRank[l] ?? [])
            })
            out.append(WarningSignal(name: "alpha slope \(l)",
                                     meaning: "\(L)'s alpha falling: minus its least-squares slope against log10(step) over the last decade, above a threshold",
                                     side: .above, fixedThreshold: nil,
                                     tuning: Tuning(grid: stride(from: 0.25, through: 8, by: 0.25).map { $0 }, fallback: 1)) { s in
                decadeSlope(steps: s.steps, values: s.alpha[l] ?? []).map { $0.map { -$0 } }
            })
            out.append(WarningSignal(name: "ERG gap<=0 \(l)",
                                     meaning: "\(L)'s ERG gap (WeightWatcher's detX_num - num_pl_spikes) at or below 0: the power-law tail reaches the det X = 1 tail",
                                     side: .below, fixedThreshold: 0.5, fixedRule: "<= 0", tuning: nil) { $0.ergGap[l] ?? [] })
        }
        out.append(WarningSignal(name: "paper rule raw",
                                 meaning: "Prakash & Martin's rule as written: some layer's per-snapshot alpha < 2 with WeightWatcher's traps >= 1",
                                 side: .above, fixedThreshold: 0.5, fixedRule: "alpha < 2 and traps >= 1", tuning: nil) { s in
            anyLayer(s) { l, i in
                guard let a = s.alpha[l]?[i], let t = s.numTraps[l]?[i] else { return nil }
                return a < 2 && t >= 1
            }
        })
        out.append(WarningSignal(name: "paper rule steady",
                                 meaning: "GrokLab's HTSR anti-grokking label: some layer's steady alpha < 2 with a centered trap",
                                 side: .above, fixedThreshold: 0.5, fixedRule: "alpha < 2 and traps >= 1", tuning: nil) { s in
            let steady = Dictionary(uniqueKeysWithValues: s.layers.map {
                ($0, SteadyAlpha.causalMedian(steps: s.steps, values: s.alpha[$0] ?? [], decades: 0.1))
            })
            return anyLayer(s) { l, i in
                guard let a = steady[l]?[i], let t = s.numTrapsCentered[l]?[i] ?? s.numTraps[l]?[i] else { return nil }
                return a < 2 && t >= 1
            }
        })
        out.append(WarningSignal(name: "weight norm rise",
                                 meaning: "the watched layers' total Frobenius norm above its running minimum by more than a fraction",
                                 side: .above, fixedThreshold: nil,
                                 tuning: Tuning(grid: geometricGrid(0.01, 3, count: 40), fallback: 0.1)) { s in
            riseOverRunningMinimum(totalNorm(s))
        })
        return out
    }

    /// `count` values from `lo` to `hi`, evenly spaced in log.
    static func geometricGrid(_ lo: Double, _ hi: Double, count: Int) -> [Double] {
        (0..<count).map { k in lo * pow(hi / lo, Double(k) / Double(count - 1)) }
    }

    /// 1 where `holds` is true for some layer, 0 where it is false for all that have values,
    /// nil where no layer has values.
    static func anyLayer(_ s: WeightSeries, _ holds: (String, Int) -> Bool?) -> [Double?] {
        s.steps.indices.map { i in
            let answers = s.layers.compactMap { holds($0, i) }
            guard !answers.isEmpty else { return nil }
            return answers.contains(true) ? 1 : 0
        }
    }

    /// Each value over the first one present.
    static func relativeToFirst(_ v: [Double?]) -> [Double?] {
        guard let first = v.first(where: { ($0 ?? 0) > 0 }) ?? nil else { return v.map { _ in nil } }
        return v.map { $0.map { $0 / first } }
    }

    /// sqrt of the sum over layers of 10^log_norm (log_norm = log10 ||W||_F^2); nil where a
    /// layer has none.
    static func totalNorm(_ s: WeightSeries) -> [Double?] {
        s.steps.indices.map { i in
            var sum = 0.0
            for l in s.layers { guard let v = s.logNorm[l]?[i] else { return nil }; sum += pow(10, v) }
            return sum.squareRoot()
        }
    }

    /// x / (the smallest x so far) - 1: how far the value has risen from its lowest point.
    static func riseOverRunningMinimum(_ x: [Double?]) -> [Double?] {
        var lowest = Double.infinity
        return x.map { v in
            guard let v, v > 0 else { return nil }
            lowest = min(lowest, v)
            return v / lowest - 1
        }
    }

    /// The least-squares slope of the values against log10(step) over the evaluations in
    /// [step / 10, step] (causal); nil with fewer than three values in the window or at step 0.
    static func decadeSlope(steps: [Int], values: [Double?]) -> [Double?] {
        var out: [Double?] = []
        var start = 0
        for i in steps.indices {
            guard steps[i] > 0 else { out.append(nil); continue }
            let lowest = Double(steps[i]) / 10
            while start < i && (steps[start] <= 0 || Double(steps[start]) < lowest * (1 - 1e-12)) { start += 1 }
            var xs: [Double] = [], ys: [Double] = []
            for j in start...i { if let v = values[j] { xs.append(log10(Double(steps[j]))); ys.append(v) } }
            guard xs.count >= 3 else { out.append(nil); continue }
            let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
            var sxy = 0.0, sxx = 0.0
            for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx) }
            out.append(sxx > 0 ? sxy / sxx : nil)
        }
        return out
    }
}
