import Foundation
import GrokCore
import RunFiles

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

extension PhasesReport {
    /// Labels a run both ways and compares the labelings.
    public init(accuracy points: [AccuracyPoint], htsr rows: [HTSRLayerPoint],
                thresholds: PhaseThresholds = PhaseThresholds(),
                htsrThresholds: HTSRThresholds = HTSRThresholds()) {
        self.init()
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
}
