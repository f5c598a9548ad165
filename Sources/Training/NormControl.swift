import GrokCore
import Model
import Optim
import Tensors

/// A norm intervention a run applies after its optimizer steps (grok-train --clamp-norm,
/// --constrain-norm, --rescale-once). Recorded in config.json as "norm_control" (absent in runs
/// without one, and in runs recorded before it existed), so --resume applies the same rule.
public enum NormControl: Codable, Sendable, Equatable {
    /// arXiv 2606.13753's clamp: after every step s >= fromStep (weight decay already applied
    /// inside the step), the weight matrices (not the biases) are multiplied by one common
    /// factor so their total Frobenius norm is rho * referenceNorm. Optimizer moments are kept.
    /// `referenceRun` is the free run W_C was read from (--clamp-ref auto), for the record.
    case clamp(rho: Double, fromStep: Int, referenceNorm: Double, referenceRun: String?)
    /// Omnigrok's constrained-norm runs: after every step ALL parameters (biases too) are
    /// rescaled so their total norm stays at its value at initialization. Needs weight decay 0.
    case constrain
    /// The one-shot control: right after step atStep the weight matrices (not the biases) are
    /// multiplied by rho, once, so the weight norm becomes rho times its value at that moment.
    case rescaleOnce(rho: Double, atStep: Int)

    /// Checks the values against the run; the first problem becomes a one-line error.
    func validate(steps: Int, wd: Double) throws {
        switch self {
        case let .clamp(rho, fromStep, referenceNorm, _):
            guard rho.isFinite, rho > 0 else { throw GrokError("--clamp-norm must be a positive number, got \(rho)") }
            guard fromStep >= 0 else { throw GrokError("--clamp-from must be >= 0, got \(fromStep)") }
            guard fromStep <= steps else { throw GrokError("--clamp-from \(fromStep) is beyond --steps \(steps): the clamp would never act") }
            guard referenceNorm.isFinite, referenceNorm > 0 else {
                throw GrokError("--clamp-ref must be a positive weight norm (or auto with --clamp-ref-run DIR), got \(referenceNorm)")
            }
        case .constrain:
            guard wd == 0 else {
                throw GrokError("--constrain-norm needs --wd 0 (Omnigrok's constrained-norm runs have no weight decay), got --wd \(wd)")
            }
        case let .rescaleOnce(rho, atStep):
            guard rho.isFinite, rho > 0 else { throw GrokError("--rescale-once must be a positive number, got \(rho)") }
            guard atStep >= 1, atStep <= steps else { throw GrokError("--at must be a step in 1...\(steps) (--steps), got \(atStep)") }
        }
    }

    /// The arithmetic for this rule on a model with these tensors (the MLP's fc weights, or
    /// the token model's E, W1, W2). `initialNorm` is the total norm of
    /// all parameters at initialization (the --constrain-norm target).
    func intervention<T: BLASScalar>(layout: ParameterLayout, initialNorm: Double, as _: T.Type) -> NormIntervention<T> {
        let weights = layout.weightRanges
        switch self {
        case let .clamp(rho, fromStep, referenceNorm, _):
            return NormIntervention(rule: .hold(target: rho * referenceNorm, fromStep: fromStep), ranges: weights)
        case .constrain:
            return NormIntervention(rule: .hold(target: initialNorm, fromStep: 1), ranges: [0..<layout.parameterCount])
        case let .rescaleOnce(rho, atStep):
            return NormIntervention(rule: .scaleOnce(factor: rho, atStep: atStep), ranges: weights)
        }
    }
}
