import ArgumentParser
import Foundation
import GrokCore
import Training
import Runs

/// grok-train's norm-intervention flags (see NormControl), turned into the config's rule.
struct NormFlags: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Weight-norm clamp (arXiv 2606.13753): after every optimizer step from --clamp-from on (weight decay still applied inside the step), multiply the weight matrices (not the biases) by one common factor so their total Frobenius norm is RHO * W_C (W_C from --clamp-ref). Adam's moments are kept. The factor applied is logged in clamp.csv at each evaluation.", valueName: "RHO"))
    var clampNorm: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("--clamp-norm acts after every step >= this one. (default: 0, from the first step)", valueName: "STEP"))
    var clampFrom: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("--clamp-norm's W_C: a weight norm, or auto = metrics.csv's l2_weights (weight matrices only) of --clamp-ref-run at its first evaluation with test accuracy >= --clamp-ref-threshold.", valueName: "W_C|auto"))
    var clampRef: String?

    @Option(help: ArgumentHelp("The free run (its directory) W_C is read from with --clamp-ref auto.", valueName: "DIR"))
    var clampRefRun: String?

    // Not --grok-threshold: grok-sweep has its own flag of that name (its summary's T_grok) and
    // forwards grok-train's flags, so the two must not share a name.
    @Option(parsing: .unconditional, help: ArgumentHelp("--clamp-ref auto: test accuracy at or above this counts as grokked (the same default as grok-sweep's --grok-threshold). (default: 0.8)", valueName: "X"))
    var clampRefThreshold: Double?

    @Flag(help: "Omnigrok's constrained-norm runs: after every step rescale ALL parameters (biases too) so their total norm stays at its value at initialization. Needs --wd 0.")
    var constrainNorm = false

    @Option(parsing: .unconditional, help: ArgumentHelp("One-shot control: right after optimizer step --at, multiply the weight matrices (not the biases) by RHO once, so the weight norm becomes RHO times its value at that moment; nothing after.", valueName: "RHO"))
    var rescaleOnce: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("The step of --rescale-once (1 ... --steps).", valueName: "STEP"))
    var at: String?

    /// The rule these flags ask for (nil = none); W_C of --clamp-ref auto is read here, from a
    /// free run of the same network as `config`.
    func control(for config: TrainingConfig) throws -> NormControl? {
        let chosen = [("--clamp-norm", clampNorm != nil), ("--constrain-norm", constrainNorm), ("--rescale-once", rescaleOnce != nil)]
            .filter(\.1).map(\.0)
        guard chosen.count <= 1 else { throw GrokError("choose one norm intervention, not \(chosen.joined(separator: " and "))") }
        if clampNorm == nil {
            for (flag, set) in [("--clamp-from", clampFrom != nil), ("--clamp-ref", clampRef != nil), ("--clamp-ref-run", clampRefRun != nil)] where set {
                throw GrokError("\(flag) is only used with --clamp-norm RHO")
            }
        }
        if rescaleOnce == nil, at != nil { throw GrokError("--at is only used with --rescale-once RHO") }
        let auto = clampRef?.lowercased() == "auto"
        if clampRefThreshold != nil, !auto { throw GrokError("--clamp-ref-threshold is only used with --clamp-ref auto") }

        if let rho = clampNorm {
            guard let ref = clampRef else {
                throw GrokError("--clamp-norm needs a reference norm: --clamp-ref W_C, or --clamp-ref auto --clamp-ref-run DIR")
            }
            guard rho.isFinite, rho > 0 else { throw GrokError("--clamp-norm must be a positive number, got \(rho)") }
            let from = try clampFrom.map { try Self.step($0, flag: "--clamp-from") } ?? 0
            if auto {
                guard let dir = clampRefRun else { throw GrokError("--clamp-ref auto needs --clamp-ref-run DIR, the free run to read W_C from") }
                let threshold = clampRefThreshold ?? 0.8
                guard threshold > 0, threshold <= 1 else { throw GrokError("--clamp-ref-threshold must be in (0, 1], got \(threshold)") }
                let url = URL(fileURLWithPath: dir)
                let found = try GrokReference.weightNorm(ofRun: url, threshold: threshold, for: config)
                return .clamp(rho: rho, fromStep: from, referenceNorm: found.norm, referenceRun: url.standardizedFileURL.path)
            }
            if clampRefRun != nil { throw GrokError("--clamp-ref-run is only used with --clamp-ref auto") }
            guard let wc = Double(ref), wc.isFinite, wc > 0 else {
                throw GrokError("--clamp-ref must be a positive weight norm or auto, got '\(ref)'")
            }
            return .clamp(rho: rho, fromStep: from, referenceNorm: wc, referenceRun: nil)
        }
        if constrainNorm { return .constrain }
        if let rho = rescaleOnce {
            guard let at else { throw GrokError("--rescale-once needs --at STEP, the step after which to rescale") }
            return .rescaleOnce(rho: rho, atStep: try Self.step(at, flag: "--at"))
        }
        return nil
    }

    /// A step as StepCount reads it (1e4, 10_000), 0 included; the error names the flag.
    static func step(_ text: String, flag: String) throws -> Int {
        if text.trimmingCharacters(in: .whitespaces) == "0" { return 0 }
        do { return try StepCount.parse(text) } catch {
            throw GrokError("\(flag) must be a step like 500 or 1e4, got '\(text)'")
        }
    }
}
