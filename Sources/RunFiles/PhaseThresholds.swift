import Foundation

/// One evaluation of a run: the ground truth for phase labels.
public struct AccuracyPoint: Sendable, Equatable {
    public let step: Int
    public let trainAccuracy: Double
    public let testAccuracy: Double

    public init(step: Int, trainAccuracy: Double, testAccuracy: Double) {
        self.step = step; self.trainAccuracy = trainAccuracy; self.testAccuracy = testAccuracy
    }
}

/// Thresholds of the accuracy-based labels (accuracies are fractions in [0, 1]).
///
/// The rules, applied to the evaluations in step order:
/// 1. memorizing: every step before the first one with train accuracy >= `trainFit`
///    (the fit step). A run that never fits is memorizing throughout.
/// 2. anti-grokking (causal): a step is "collapsed" when train accuracy >= `trainFit` and test
///    accuracy < P - max(`collapseDrop`, `collapseRelativeDrop` * P), P = the running peak
///    (max raw test accuracy over this and all earlier evaluations). A run of at least
///    `sustain` consecutive collapsed evaluations is labelled anti-grokking from its first
///    step; shorter runs are noise and ignored. Only past data and `sustain - 1` later
///    evaluations are used, so a live run flags a collapse `sustain - 1` evaluations after
///    its onset. After that onset, any later evaluation with test accuracy below the running
///    peak by the drop is anti-grokking too, whatever its train accuracy (train accuracy may
///    itself slip late in a long run; that does not make the run grokked again).
/// 3. The remaining fitted steps (hindsight): the test curve is smoothed by a running median
///    of radius `smoothingRadius`. peak = the highest smoothed test accuracy among fitted steps
///    before the first collapse; plateau = the lowest smoothed value between the fit step and
///    the peak step; gap = peak - plateau. If gap < `minimumGain` the run never grokked: all
///    are pre-grokking. Otherwise, from the plateau step on, grokking starts at the first step
///    whose smoothed test accuracy >= plateau + `riseFraction` * gap, and grokked starts at the
///    first step after that with smoothed test >= plateau + `grokkedFraction` * gap. Steps
///    before the grokking onset are pre-grokking.
public struct PhaseThresholds: Codable, Sendable, Equatable {
    /// Train accuracy regarded as "fitted" (~1.0).
    public var trainFit: Double = 0.99
    /// Smallest peak - plateau gain (absolute) that counts as grokking at all.
    public var minimumGain: Double = 0.1
    /// Fraction of the (peak - plateau) gap gained when grokking begins.
    public var riseFraction: Double = 0.1
    /// Fraction of the gap gained when the run counts as grokked.
    public var grokkedFraction: Double = 0.9
    /// Absolute drop below the running peak that counts as collapse.
    public var collapseDrop: Double = 0.1
    /// Relative drop (fraction of the running peak) that counts as collapse; the larger of
    /// the two drops applies. 0 = use the absolute drop only.
    public var collapseRelativeDrop: Double = 0.0
    /// Consecutive collapsed evaluations needed for anti-grokking (filters noise).
    public var sustain: Int = 3
    /// Radius of the running median applied to test accuracy for the rise/grokked rules.
    public var smoothingRadius: Int = 1

    public init() {}

    enum CodingKeys: String, CodingKey {
        case trainFit = "train_fit", minimumGain = "minimum_gain", riseFraction = "rise_fraction"
        case grokkedFraction = "grokked_fraction", collapseDrop = "collapse_drop"
        case collapseRelativeDrop = "collapse_relative_drop", sustain
        case smoothingRadius = "smoothing_radius"
    }
}

/// Which trap count the HTSR rule reads.
public enum TrapCount: String, Codable, Sendable, CaseIterable {
    /// Traps left after removing the weight mean from the shuffled matrix (`num_traps_centered`):
    /// a non-zero mean alone is not a correlation trap. Rows without that column (older
    /// htsr.csv files) fall back to WeightWatcher's count.
    case centered
    /// WeightWatcher's `num_traps`, which counts the mean's rank-one spike as a trap.
    case weightwatcher
}

/// How the HTSR labels tell pre-grokking from grokking (anti-grokking is Prakash & Martin's
/// "alpha < 2 with traps" under both).
public enum HTSRRule: String, Codable, Sendable, CaseIterable {
    /// Grokking once some rule layer's stable rank has fallen by `stableRankDrop` (a
    /// fraction) below its value at the earliest analysed snapshot (normally step 0, the
    /// random initial weights); pre-grokking before. Why: on our MNIST runs FC1's alpha stays
    /// above 5 (median ~7) through the whole rise of test accuracy (Omnigrok, Prakash & Martin's
    /// recipe and its wd 0.01 control alike), so no alpha threshold separates the two phases,
    /// while the stable rank, flat within 2% through memorizing and pre-grokking, falls as
    /// soon as test accuracy rises and keeps falling. Needs no test data and no fit.
    case stableRank = "stable-rank"
    /// Prakash & Martin's (arXiv 2506.04434) alpha thresholds (pre-grokking: a layer with alpha >= 5; grokking: mean
    /// alpha in [2, 4] with no traps).
    case paper
}

/// Thresholds of the HTSR-based labels (after Prakash & Martin 2025), applied per step to
/// the layers in `layers` (the hidden layers FC1 and FC2: the 10 x 200 output layer has too
/// few eigenvalues for a reliable fit). Alpha is each layer's steadier alpha
/// (`SteadyAlpha.causalMedian` over `alphaWindowDecades`; 0 = the raw per-snapshot alpha),
/// traps are counted as `trapCount` says. In order, the first that fires wins:
/// 1. unknown: some layer in `layers` has no row, or no alpha (failed or skipped fit).
/// 2. anti-grokking: some layer has alpha < `antiGrokkingAlpha` AND traps > 0 in that
///    same layer (a missing trap count counts as no trap).
/// With `rule == .stableRank` (the default):
/// 3. pre-grokking: no rule layer's stable rank is below (1 - `stableRankDrop`) times its
///    value at the earliest analysed step (a layer without a stable rank counts as unchanged).
/// 4. grokking: otherwise, when no rule layer has traps.
/// With `rule == .paper`:
/// 3. pre-grokking: some layer has alpha >= `preGrokkingAlpha` (and, when
///    `preGrokkingOthersMax` is set, every other layer has alpha <= it: Prakash & Martin's strict
///    form "one layer >= 5 while the others are <= 4"; off by default so that the
///    under-trained start, where all layers are >= 5, is pre-grokking too).
/// 4. grokking: mean alpha over `layers` in [`grokkingLow`, `grokkingHigh`] and no traps in
///    any of them.
/// Then, under both rules:
/// 5. otherwise (in between): the previous step's label when `holdLastLabel` (phases persist
///    until the next rule fires), else unknown.
/// The HTSR collapse step is the first step of the first run of >= `sustain` consecutive
/// anti-grokking labels.
public struct HTSRThresholds: Codable, Sendable, Equatable {
    public var layers: [String] = ["fc1", "fc2"]
    public var preGrokkingAlpha: Double = 5.0
    public var preGrokkingOthersMax: Double? = nil
    public var grokkingLow: Double = 2.0
    public var grokkingHigh: Double = 4.0
    public var antiGrokkingAlpha: Double = 2.0
    public var holdLastLabel: Bool = true
    public var sustain: Int = 1
    /// Window of the causal running median of alpha, in decades of step (0 = raw alpha).
    public var alphaWindowDecades: Double = 0.1
    public var trapCount: TrapCount = .centered
    public var rule: HTSRRule = .stableRank
    /// Fractional fall of the stable rank that marks structure (`rule == .stableRank`): 3%,
    /// 1.5x the largest drift seen before test accuracy rose on our runs (1.9%).
    public var stableRankDrop: Double = 0.03

    public init() {}

    /// Prakash & Martin's rule with raw per-snapshot alpha and WeightWatcher's trap count: the rule
    /// as it was before our changes (the baseline a run's confusion matrix is compared to).
    public var baseline: HTSRThresholds {
        var t = self
        t.alphaWindowDecades = 0
        t.trapCount = .weightwatcher
        t.rule = .paper
        return t
    }

    /// The rule in one line, for the run summary and the report.
    public var ruleDescription: String {
        let names = layers.map { $0.uppercased() }.joined(separator: "/")
        let split: String
        switch rule {
        case .stableRank:
            split = String(format: "grokking once a %@ stable rank is %.3g%% below its initial value", names, 100 * stableRankDrop)
        case .paper:
            split = String(format: "Prakash & Martin's alpha thresholds (a layer >= %.3g: pre-grokking; mean in [%.3g, %.3g] without traps: grokking)",
                           preGrokkingAlpha, grokkingLow, grokkingHigh)
        }
        let alpha = alphaWindowDecades > 0 ? String(format: "alpha = causal median over %.2g decades", alphaWindowDecades) : "raw alpha"
        let traps = trapCount == .centered ? "traps with the weight mean removed" : "WeightWatcher's trap count"
        return "\(split); anti-grokking: \(names) alpha < \(String(format: "%.3g", antiGrokkingAlpha)) with traps (\(alpha), \(traps))"
    }

    enum CodingKeys: String, CodingKey {
        case layers, preGrokkingAlpha = "pre_grokking_alpha"
        case preGrokkingOthersMax = "pre_grokking_others_max"
        case grokkingLow = "grokking_low", grokkingHigh = "grokking_high"
        case antiGrokkingAlpha = "anti_grokking_alpha", holdLastLabel = "hold_last_label", sustain
        case alphaWindowDecades = "alpha_window_decades", trapCount = "trap_count"
        case rule, stableRankDrop = "stable_rank_drop"
    }

    /// Missing keys keep their defaults, except those added later: a file without them was
    /// labelled with raw alpha, WeightWatcher's count and Prakash & Martin's rule, and says so when read back.
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        let x = HTSRThresholds()
        layers = try c.decodeIfPresent([String].self, forKey: .layers) ?? x.layers
        preGrokkingAlpha = try c.decodeIfPresent(Double.self, forKey: .preGrokkingAlpha) ?? x.preGrokkingAlpha
        preGrokkingOthersMax = try c.decodeIfPresent(Double.self, forKey: .preGrokkingOthersMax)
        grokkingLow = try c.decodeIfPresent(Double.self, forKey: .grokkingLow) ?? x.grokkingLow
        grokkingHigh = try c.decodeIfPresent(Double.self, forKey: .grokkingHigh) ?? x.grokkingHigh
        antiGrokkingAlpha = try c.decodeIfPresent(Double.self, forKey: .antiGrokkingAlpha) ?? x.antiGrokkingAlpha
        holdLastLabel = try c.decodeIfPresent(Bool.self, forKey: .holdLastLabel) ?? x.holdLastLabel
        sustain = try c.decodeIfPresent(Int.self, forKey: .sustain) ?? x.sustain
        alphaWindowDecades = try c.decodeIfPresent(Double.self, forKey: .alphaWindowDecades) ?? 0
        trapCount = try c.decodeIfPresent(TrapCount.self, forKey: .trapCount) ?? .weightwatcher
        rule = try c.decodeIfPresent(HTSRRule.self, forKey: .rule) ?? .paper
        stableRankDrop = try c.decodeIfPresent(Double.self, forKey: .stableRankDrop) ?? x.stableRankDrop
    }
}

