import Foundation
import GrokCore

/// How the two labelings compare, after mapping both to coarse phases (`Phase.coarse`).
public struct PhaseComparison: Sendable, Equatable {
    /// Fraction of compared steps where the coarse labels agree; nil when none compared.
    public let agreement: Double?
    /// Steps compared: evaluated steps that also have an HTSR label other than unknown
    /// (a failed fit says nothing, so it is left out rather than counted against HTSR).
    public let comparedSteps: Int
    public let collapseStep: Int?
    public let htsrCollapseStep: Int?
    /// collapseStep - htsrCollapseStep: positive means HTSR warned earlier. Nil unless both.
    public let leadSteps: Int?

    public init(accuracy: AccuracyPhases, htsr: HTSRPhases) {
        var htsrByStep: [Int: Phase] = [:]
        for (s, l) in zip(htsr.steps, htsr.labels) { htsrByStep[s] = l }
        var compared = 0, agreed = 0
        for (s, l) in zip(accuracy.steps, accuracy.labels) {
            guard let h = htsrByStep[s], h != .unknown else { continue }
            compared += 1
            if h.coarse == l.coarse { agreed += 1 }
        }
        comparedSteps = compared
        agreement = compared > 0 ? Double(agreed) / Double(compared) : nil
        collapseStep = accuracy.collapseStep
        htsrCollapseStep = htsr.collapseStep
        if let a = accuracy.collapseStep, let h = htsr.collapseStep { leadSteps = a - h } else { leadSteps = nil }
    }
}

/// A layer's last HTSR numbers (for the summary).
public struct FinalLayer: Codable, Sendable, Equatable {
    public let layer: String
    public let step: Int
    /// WeightWatcher's alpha at that step and its standard error (the fit's sigma).
    public let alpha: Double?
    public let alphaSigma: Double?
    /// The alpha the phase rule used (the steadier one); nil for layers outside the rule.
    public let ruleAlpha: Double?
    public let numTraps: Int?
    public let numTrapsCentered: Int?

    public init(layer: String, step: Int, alpha: Double?, numTraps: Int?, alphaSigma: Double? = nil,
                ruleAlpha: Double? = nil, numTrapsCentered: Int? = nil) {
        self.layer = layer; self.step = step; self.alpha = alpha; self.numTraps = numTraps
        self.alphaSigma = alphaSigma; self.ruleAlpha = ruleAlpha; self.numTrapsCentered = numTrapsCentered
    }

    enum CodingKeys: String, CodingKey {
        case layer, step, alpha, alphaSigma = "alpha_sigma", ruleAlpha = "rule_alpha"
        case numTraps = "num_traps", numTrapsCentered = "num_traps_centered"
    }

    public func encode(to e: Encoder) throws {
        func f(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(layer, forKey: .layer); try c.encode(step, forKey: .step)
        try c.encode(f(alpha), forKey: .alpha); try c.encode(f(alphaSigma), forKey: .alphaSigma)
        try c.encode(f(ruleAlpha), forKey: .ruleAlpha)
        try c.encode(numTraps, forKey: .numTraps); try c.encode(numTrapsCentered, forKey: .numTrapsCentered)
    }

    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        layer = try c.decode(String.self, forKey: .layer)
        step = try c.decode(Int.self, forKey: .step)
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha)
        alphaSigma = try c.decodeIfPresent(Double.self, forKey: .alphaSigma)
        ruleAlpha = try c.decodeIfPresent(Double.self, forKey: .ruleAlpha)
        numTraps = try c.decodeIfPresent(Int.self, forKey: .numTraps)
        numTrapsCentered = try c.decodeIfPresent(Int.self, forKey: .numTrapsCentered)
    }
}

/// The content of a run's `phases.json` (the fields below, in the order written). Unset values are written as null. `confusion` is the comparison to read
/// (accuracy phase x HTSR label, per-phase recall); `agreement` (coarse labels equal, over
/// the evaluations HTSR labelled) is kept for older readers. `baseline_confusion` is the same
/// matrix for the rule as it was before the steadier alpha and the centered traps (raw alpha,
/// WeightWatcher's trap count, the same thresholds), so a run shows what the changes buy.
public struct PhasesReport: Codable, Sendable, Equatable {
    public var accuracy: [PhaseSegment]
    public var htsr: [PhaseSegment]
    public var agreement: Double?
    public var agreementSteps: Int
    public var confusion: PhaseConfusion?
    public var baselineConfusion: PhaseConfusion?
    public var collapseStep: Int?
    public var htsrCollapseStep: Int?
    public var leadSteps: Int?
    public var collapseDetectedStep: Int?
    public var htsrCollapseDetectedStep: Int?
    public var fitStep: Int?
    public var grokkingStep: Int?
    public var grokkedStep: Int?
    public var plateauTestAccuracy: Double?
    public var peakTestAccuracy: Double?
    public var peakStep: Int?
    public var evaluations: Int
    public var finalLayers: [FinalLayer]
    public var thresholds: PhaseThresholds?
    public var htsrThresholds: HTSRThresholds?
    /// The data-free early warning: the first step the HTSR rule labels anti-grokking (no
    /// sustain needed), the test accuracy there and at the last evaluation: what a user who
    /// stopped at the warning would have kept, next to the peak and the end.
    public var warningStep: Int?
    public var warningTestAccuracy: Double?
    public var finalTestAccuracy: Double?

    enum CodingKeys: String, CodingKey {
        case accuracy, htsr, agreement, agreementSteps = "agreement_steps"
        case confusion, baselineConfusion = "baseline_confusion"
        case collapseStep = "collapse_step", htsrCollapseStep = "htsr_collapse_step"
        case leadSteps = "lead_steps", collapseDetectedStep = "collapse_detected_step"
        case htsrCollapseDetectedStep = "htsr_collapse_detected_step"
        case fitStep = "fit_step", grokkingStep = "grokking_step", grokkedStep = "grokked_step"
        case plateauTestAccuracy = "plateau_test_acc", peakTestAccuracy = "peak_test_acc"
        case peakStep = "peak_step", evaluations, finalLayers = "final_layers"
        case thresholds, htsrThresholds = "htsr_thresholds"
        case warningStep = "warning_step", warningTestAccuracy = "warning_test_acc", finalTestAccuracy = "final_test_acc"
    }

    /// Labels a run both ways and compares the labelings.
    public init(accuracy points: [AccuracyPoint], htsr rows: [HTSRLayerPoint],
                thresholds: PhaseThresholds = PhaseThresholds(),
                htsrThresholds: HTSRThresholds = HTSRThresholds()) {
        let acc = AccuracyPhases(points: points, thresholds: thresholds)
        let h = HTSRPhases(points: rows, thresholds: htsrThresholds)
        let cmp = PhaseComparison(accuracy: acc, htsr: h)
        accuracy = acc.segments; htsr = h.segments
        agreement = cmp.agreement; agreementSteps = cmp.comparedSteps
        confusion = h.steps.isEmpty ? nil : PhaseConfusion(accuracy: acc, htsr: h)
        baselineConfusion = h.steps.isEmpty ? nil
            : PhaseConfusion(accuracy: acc, htsr: HTSRPhases(points: rows, thresholds: htsrThresholds.baseline))
        collapseStep = cmp.collapseStep; htsrCollapseStep = cmp.htsrCollapseStep
        leadSteps = cmp.leadSteps
        collapseDetectedStep = acc.collapseDetectedStep; htsrCollapseDetectedStep = h.collapseDetectedStep
        fitStep = acc.fitStep; grokkingStep = acc.grokkingStep; grokkedStep = acc.grokkedStep
        plateauTestAccuracy = acc.plateauTestAccuracy
        peakTestAccuracy = acc.peakTestAccuracy; peakStep = acc.peakStep
        evaluations = acc.steps.count
        var lastRow: [String: HTSRLayerPoint] = [:]
        for r in rows where r.step >= (lastRow[r.layer]?.step ?? Int.min) { lastRow[r.layer] = r }
        finalLayers = lastRow.keys.sorted().map {
            let r = lastRow[$0]!
            let used = h.steps.firstIndex(of: r.step).flatMap { k in h.ruleAlpha[r.layer].flatMap { $0[k] } }
            return FinalLayer(layer: r.layer, step: r.step, alpha: r.alpha, numTraps: r.numTraps,
                              alphaSigma: r.alphaSigma, ruleAlpha: used, numTrapsCentered: r.numTrapsCentered)
        }
        self.thresholds = thresholds; self.htsrThresholds = htsrThresholds
        let sorted = points.sorted { $0.step < $1.step }
        warningStep = h.labels.firstIndex(of: .antiGrokking).map { h.steps[$0] }
        warningTestAccuracy = warningStep.flatMap { w in sorted.last { $0.step <= w }?.testAccuracy }
        finalTestAccuracy = sorted.last?.testAccuracy
    }

    public func encode(to e: Encoder) throws {
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(accuracy, forKey: .accuracy); try c.encode(htsr, forKey: .htsr)
        try c.encode(agreement.flatMap { $0.isFinite ? $0 : nil }, forKey: .agreement)
        try c.encode(agreementSteps, forKey: .agreementSteps)
        try c.encode(confusion, forKey: .confusion)
        try c.encode(baselineConfusion, forKey: .baselineConfusion)
        try c.encode(collapseStep, forKey: .collapseStep)
        try c.encode(htsrCollapseStep, forKey: .htsrCollapseStep)
        try c.encode(leadSteps, forKey: .leadSteps)
        try c.encode(collapseDetectedStep, forKey: .collapseDetectedStep)
        try c.encode(htsrCollapseDetectedStep, forKey: .htsrCollapseDetectedStep)
        try c.encode(fitStep, forKey: .fitStep); try c.encode(grokkingStep, forKey: .grokkingStep)
        try c.encode(grokkedStep, forKey: .grokkedStep)
        try c.encode(plateauTestAccuracy.flatMap { $0.isFinite ? $0 : nil }, forKey: .plateauTestAccuracy)
        try c.encode(peakTestAccuracy.flatMap { $0.isFinite ? $0 : nil }, forKey: .peakTestAccuracy)
        try c.encode(peakStep, forKey: .peakStep); try c.encode(evaluations, forKey: .evaluations)
        try c.encode(finalLayers, forKey: .finalLayers)
        try c.encode(thresholds, forKey: .thresholds)
        try c.encode(htsrThresholds, forKey: .htsrThresholds)
        try c.encode(warningStep, forKey: .warningStep)
        try c.encode(warningTestAccuracy.flatMap { $0.isFinite ? $0 : nil }, forKey: .warningTestAccuracy)
        try c.encode(finalTestAccuracy.flatMap { $0.isFinite ? $0 : nil }, forKey: .finalTestAccuracy)
    }

    /// Readers tolerate missing optional fields (older or hand-written files).
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        accuracy = try c.decodeIfPresent([PhaseSegment].self, forKey: .accuracy) ?? []
        htsr = try c.decodeIfPresent([PhaseSegment].self, forKey: .htsr) ?? []
        agreement = try c.decodeIfPresent(Double.self, forKey: .agreement)
        agreementSteps = try c.decodeIfPresent(Int.self, forKey: .agreementSteps) ?? 0
        confusion = try? c.decodeIfPresent(PhaseConfusion.self, forKey: .confusion)
        baselineConfusion = try? c.decodeIfPresent(PhaseConfusion.self, forKey: .baselineConfusion)
        collapseStep = try c.decodeIfPresent(Int.self, forKey: .collapseStep)
        htsrCollapseStep = try c.decodeIfPresent(Int.self, forKey: .htsrCollapseStep)
        leadSteps = try c.decodeIfPresent(Int.self, forKey: .leadSteps)
        collapseDetectedStep = try c.decodeIfPresent(Int.self, forKey: .collapseDetectedStep)
        htsrCollapseDetectedStep = try c.decodeIfPresent(Int.self, forKey: .htsrCollapseDetectedStep)
        fitStep = try c.decodeIfPresent(Int.self, forKey: .fitStep)
        grokkingStep = try c.decodeIfPresent(Int.self, forKey: .grokkingStep)
        grokkedStep = try c.decodeIfPresent(Int.self, forKey: .grokkedStep)
        plateauTestAccuracy = try c.decodeIfPresent(Double.self, forKey: .plateauTestAccuracy)
        peakTestAccuracy = try c.decodeIfPresent(Double.self, forKey: .peakTestAccuracy)
        peakStep = try c.decodeIfPresent(Int.self, forKey: .peakStep)
        evaluations = try c.decodeIfPresent(Int.self, forKey: .evaluations) ?? 0
        finalLayers = try c.decodeIfPresent([FinalLayer].self, forKey: .finalLayers) ?? []
        thresholds = try? c.decodeIfPresent(PhaseThresholds.self, forKey: .thresholds)
        htsrThresholds = try? c.decodeIfPresent(HTSRThresholds.self, forKey: .htsrThresholds)
        warningStep = try c.decodeIfPresent(Int.self, forKey: .warningStep)
        warningTestAccuracy = try c.decodeIfPresent(Double.self, forKey: .warningTestAccuracy)
        finalTestAccuracy = try c.decodeIfPresent(Double.self, forKey: .finalTestAccuracy)
    }

    public func jsonData() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(self)
    }
}
