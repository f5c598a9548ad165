import Foundation

/// One layer's HTSR numbers at one step (from htsr.csv). `alpha` is nil when the power-law
/// fit failed or was skipped; `numTraps` nil when the randomized fit failed;
/// `numTrapsCentered` nil when it was not computed (htsr.csv written before it existed).
public struct HTSRLayerPoint: Sendable, Equatable {
    public let step: Int
    public let layer: String
    public let alpha: Double?
    /// WeightWatcher's count of correlation traps.
    public let numTraps: Int?
    /// The count once the weight mean's rank-one component is removed from the shuffle.
    public let numTrapsCentered: Int?
    /// The power-law fit's standard error of alpha.
    public let alphaSigma: Double?

    public init(step: Int, layer: String, alpha: Double?, numTraps: Int?, numTrapsCentered: Int? = nil,
                alphaSigma: Double? = nil) {
        self.step = step; self.layer = layer; self.alpha = alpha; self.numTraps = numTraps
        self.numTrapsCentered = numTrapsCentered; self.alphaSigma = alphaSigma
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

/// Thresholds of the HTSR-based labels (the paper's rule, Prakash & Martin 2025), applied per
/// step to the layers in `layers` (the hidden layers FC1 and FC2: the 10 x 200 output layer
/// has too few eigenvalues for a reliable fit). Alpha is each layer's steadier alpha
/// (`SteadyAlpha.causalMedian` over `alphaWindowDecades`; 0 = the raw per-snapshot alpha),
/// traps are counted as `trapCount` says. In order, the first that fires wins:
/// 1. unknown: some layer in `layers` has no row, or no alpha (failed or skipped fit).
/// 2. anti-grokking: some layer has alpha < `antiGrokkingAlpha` AND traps > 0 in that
///    same layer (a missing trap count counts as no trap).
/// 3. pre-grokking: some layer has alpha >= `preGrokkingAlpha` (and, when
///    `preGrokkingOthersMax` is set, every other layer has alpha <= it: the paper's strict
///    form "one layer >= 5 while the others are <= 4"; off by default so that the
///    under-trained start, where all layers are >= 5, is pre-grokking too).
/// 4. grokking: mean alpha over `layers` in [`grokkingLow`, `grokkingHigh`] and no traps in
///    any of them.
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

    public init() {}

    /// These thresholds with raw per-snapshot alpha and WeightWatcher's trap count: the rule
    /// as it was before both changes (the baseline a run's confusion matrix is compared to).
    public var baseline: HTSRThresholds {
        var t = self
        t.alphaWindowDecades = 0
        t.trapCount = .weightwatcher
        return t
    }

    enum CodingKeys: String, CodingKey {
        case layers, preGrokkingAlpha = "pre_grokking_alpha"
        case preGrokkingOthersMax = "pre_grokking_others_max"
        case grokkingLow = "grokking_low", grokkingHigh = "grokking_high"
        case antiGrokkingAlpha = "anti_grokking_alpha", holdLastLabel = "hold_last_label", sustain
        case alphaWindowDecades = "alpha_window_decades", trapCount = "trap_count"
    }

    /// Missing keys keep their defaults, except the two added later: a file without them was
    /// labelled with raw alpha and WeightWatcher's count, and says so when read back.
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
    }
}

/// HTSR-based phase labels, one per step that has any HTSR row.
public struct HTSRPhases: Sendable, Equatable {
    public let steps: [Int]
    public let labels: [Phase]
    /// Mean alpha over the rule's layers per step, of the alphas the rule used (steadier
    /// ones unless the window is 0); nil where a fit is missing.
    public let meanAlpha: [Double?]
    /// Per rule layer: the alpha the rule used at each step (parallel to `steps`).
    public let ruleAlpha: [String: [Double?]]
    public let collapseStep: Int?
    public let collapseDetectedStep: Int?

    public var segments: [PhaseSegment] { PhaseSegment.segments(steps: steps, labels: labels) }

    public init(points: [HTSRLayerPoint], thresholds t: HTSRThresholds = HTSRThresholds()) {
        var byStep: [Int: [String: HTSRLayerPoint]] = [:]
        for p in points { byStep[p.step, default: [:]][p.layer] = p }
        steps = byStep.keys.sorted()
        let stepList = steps
        var used: [String: [Double?]] = [:]
        for layer in t.layers {
            let raw = stepList.map { byStep[$0]![layer]?.alpha.flatMap { $0.isFinite ? $0 : nil } }
            used[layer] = SteadyAlpha.causalMedian(steps: stepList, values: raw, decades: t.alphaWindowDecades)
        }
        ruleAlpha = used
        var out: [Phase] = [], means: [Double?] = []
        var last: Phase = .unknown
        for (k, s) in stepList.enumerated() {
            let rows = byStep[s]!
            // A layer without a fit at this step is unknown, whatever its neighbours say.
            let alphas = t.layers.map { layer in rows[layer]?.alpha.flatMap { $0.isFinite ? $0 : nil } == nil ? nil : used[layer]![k] }
            let traps = t.layers.map { layer -> Int in
                guard let r = rows[layer] else { return 0 }
                let n = t.trapCount == .centered ? (r.numTrapsCentered ?? r.numTraps) : r.numTraps
                return max(0, n ?? 0)
            }
            guard !t.layers.isEmpty, alphas.allSatisfy({ $0 != nil }) else {
                out.append(.unknown); means.append(nil); continue
            }
            let a = alphas.map { $0! }
            let mean = a.reduce(0, +) / Double(a.count)
            means.append(mean)
            var label: Phase? = nil
            if a.indices.contains(where: { a[$0] < t.antiGrokkingAlpha && traps[$0] > 0 }) {
                label = .antiGrokking
            } else if let top = a.indices.max(by: { a[$0] < a[$1] }), a[top] >= t.preGrokkingAlpha,
                      t.preGrokkingOthersMax.map({ cap in a.indices.allSatisfy { $0 == top || a[$0] <= cap } }) ?? true {
                label = .preGrokking
            } else if mean >= t.grokkingLow && mean <= t.grokkingHigh && traps.allSatisfy({ $0 == 0 }) {
                label = .grokking
            }
            let chosen = label ?? (t.holdLastLabel ? last : .unknown)
            out.append(chosen)
            if label != nil { last = chosen }
        }
        labels = out
        meanAlpha = means
        let onset = firstSustainedRun(steps: steps, flags: out.map { $0 == .antiGrokking }, sustain: t.sustain)
        collapseStep = onset?.onset; collapseDetectedStep = onset?.detected
    }
}
