import Foundation
import GrokCore

/// phases.json: a run's phase labels (`PhasesReport`, defined below with the types it holds:
/// the schema lives with the file; the labelling that fills it is Phases'). Rewritten by the
/// diagnostics after every analysed snapshot (atomically: a live reader never sees half a
/// file) and by a relabel; read by the report, the sweep summary and the tests.
extension PhasesReport {
    /// Writes the file atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(try jsonData(), to: url)
    }

    /// Reads the file; optional fields missing in older or hand-written files are nil.
    public static func read(from url: URL) throws -> PhasesReport {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GrokError("cannot read \(url.path): \(error.localizedDescription)")
        }
        do { return try JSONDecoder().decode(PhasesReport.self, from: data) } catch {
            throw GrokError("\(url.path): not a valid phases.json (\(decodingSummary(error)))")
        }
    }
}

/// One line describing a decoding error (JSONDecoder's own descriptions span several lines).
func decodingSummary(_ error: Error) -> String {
    switch error {
    case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c),
         DecodingError.keyNotFound(_, let c), DecodingError.dataCorrupted(let c):
        let path = c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return (path.isEmpty ? "" : "at \(path): ") + c.debugDescription.split(separator: "\n").joined(separator: " ")
    default:
        return String(describing: error).split(separator: "\n").joined(separator: " ")
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

    /// An empty report (no evaluations, no labels); the labelling fills it in.
    public init() {
        accuracy = []; htsr = []; agreementSteps = 0; evaluations = 0; finalLayers = []
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
