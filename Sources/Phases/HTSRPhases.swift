/// One layer's HTSR numbers at one step (from htsr.csv). `alpha` is nil when the power-law
/// fit failed or was skipped; `numTraps` nil when the randomized fit failed.
public struct HTSRLayerPoint: Sendable, Equatable {
    public let step: Int
    public let layer: String
    public let alpha: Double?
    public let numTraps: Int?

    public init(step: Int, layer: String, alpha: Double?, numTraps: Int?) {
        self.step = step; self.layer = layer; self.alpha = alpha; self.numTraps = numTraps
    }
}

/// Thresholds of the HTSR-based labels (the paper's rule, Prakash & Martin 2025), applied per
/// step to the layers in `layers` (the hidden layers FC1 and FC2: the 10 x 200 output layer
/// has too few eigenvalues for a reliable fit). In order, the first that fires wins:
/// 1. unknown: some layer in `layers` has no row, or no alpha (failed or skipped fit).
/// 2. anti-grokking: some layer has alpha < `antiGrokkingAlpha` AND num_traps > 0 in that
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

    public init() {}

    enum CodingKeys: String, CodingKey {
        case layers, preGrokkingAlpha = "pre_grokking_alpha"
        case preGrokkingOthersMax = "pre_grokking_others_max"
        case grokkingLow = "grokking_low", grokkingHigh = "grokking_high"
        case antiGrokkingAlpha = "anti_grokking_alpha", holdLastLabel = "hold_last_label", sustain
    }
}

/// HTSR-based phase labels, one per step that has any HTSR row.
public struct HTSRPhases: Sendable, Equatable {
    public let steps: [Int]
    public let labels: [Phase]
    /// Mean alpha over the rule's layers per step (nil where a fit is missing).
    public let meanAlpha: [Double?]
    public let collapseStep: Int?
    public let collapseDetectedStep: Int?

    public var segments: [PhaseSegment] { PhaseSegment.segments(steps: steps, labels: labels) }

    public init(points: [HTSRLayerPoint], thresholds t: HTSRThresholds = HTSRThresholds()) {
        var byStep: [Int: [String: HTSRLayerPoint]] = [:]
        for p in points { byStep[p.step, default: [:]][p.layer] = p }
        steps = byStep.keys.sorted()
        var out: [Phase] = [], means: [Double?] = []
        var last: Phase = .unknown
        for s in steps {
            let rows = byStep[s]!
            let alphas = t.layers.map { rows[$0]?.alpha.flatMap { $0.isFinite ? $0 : nil } }
            let traps = t.layers.map { max(0, rows[$0]?.numTraps ?? 0) }
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
