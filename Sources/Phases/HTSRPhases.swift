import Foundation
import RunFiles

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
    /// Stable rank ||W||_F^2 / ||W||_2^2 (sum of the ESD over its largest eigenvalue): no fit,
    /// so it is smooth from snapshot to snapshot; nil in htsr.csv files without it.
    public let stableRank: Double?
    /// KS statistic of the shuffled ESD against its fitted MP law (nil when not computed).
    public let ksStat: Double?
    /// log10 of the squared Frobenius norm (sum of the ESD).
    public let logNorm: Double?
    /// WeightWatcher's ERG gap, detX_num - num_pl_spikes (nil in htsr.csv files without it).
    public let ergGap: Int?

    public init(step: Int, layer: String, alpha: Double?, numTraps: Int?, numTrapsCentered: Int? = nil,
                alphaSigma: Double? = nil, stableRank: Double? = nil, ksStat: Double? = nil,
                logNorm: Double? = nil, ergGap: Int? = nil) {
        self.step = step; self.layer = layer; self.alpha = alpha; self.numTraps = numTraps
        self.numTrapsCentered = numTrapsCentered; self.alphaSigma = alphaSigma; self.stableRank = stableRank
        self.ksStat = ksStat; self.logNorm = logNorm; self.ergGap = ergGap
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
    /// Per rule layer: stable rank over its value at the earliest analysed step (parallel to
    /// `steps`; nil where a row has none). The `.stableRank` rule reads it.
    public let stableRankRatio: [String: [Double?]]
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
        var ratios: [String: [Double?]] = [:]
        for layer in t.layers {
            let sr = stepList.map { byStep[$0]![layer]?.stableRank.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } }
            let reference = sr.first { $0 != nil } ?? nil
            ratios[layer] = sr.map { v in reference.flatMap { r in v.map { $0 / r } } }
        }
        stableRankRatio = ratios
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
            } else if t.rule == .stableRank {
                let fallen = t.layers.contains { (ratios[$0]![k] ?? 1) < 1 - t.stableRankDrop }
                if !fallen { label = .preGrokking } else if traps.allSatisfy({ $0 == 0 }) { label = .grokking }
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

extension HTSRRow {
    /// The numbers the phase rule reads. A row whose status is not "ok" still carries the
    /// values that were computed (e.g. alpha when only the trap fit failed); missing ones are nil.
    public var phasePoint: HTSRLayerPoint {
        HTSRLayerPoint(step: step, layer: layer, alpha: alpha, numTraps: numTraps,
                       numTrapsCentered: numTrapsCentered, alphaSigma: sigma, stableRank: stableRank,
                       ksStat: ksStat, logNorm: logNorm, ergGap: ergGap)
    }
}
