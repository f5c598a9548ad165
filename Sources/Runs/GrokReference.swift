import Foundation
import GrokCore
import RunFiles
import Model
import Training
import Tensors

/// W_C for `grok-train --clamp-ref auto`: the total weight norm (metrics.csv's l2_weights,
/// biases excluded) of a free run at its grokking step, the first evaluation with test
/// accuracy >= `threshold`.
public enum GrokReference {
    /// `config`: the run to be clamped. A reference of another model or layout is refused: its
    /// weight norm says nothing about this network's (a token model's norm would rescale an
    /// MLP by an arbitrary factor at the first clamped step).
    public static func weightNorm(ofRun dir: URL, threshold: Double, for config: TrainingConfig? = nil) throws -> (step: Int, norm: Double) {
        let run = RunDirectory(dir)
        guard run.isRunDirectory else {
            throw GrokError("--clamp-ref-run \(dir.path) is not a GrokLab run directory (no config.json)")
        }
        if let config {
            let reference: TrainingConfig
            do { reference = try TrainingConfig.read(from: run) } catch {
                throw GrokError("--clamp-ref-run \(dir.path): its config.json cannot be read as a run's settings (\(error))")
            }
            let mine = try config.networkLayout().layout, theirs = try reference.networkLayout().layout
            guard mine == theirs else {
                throw GrokError("--clamp-ref-run \(dir.path) trained another network (\(describe(reference, theirs))) than this run (\(describe(config, mine))): its weight norm is no reference for this one; clamp to a free run of the same model and widths")
            }
        }
        let table = try MetricsFile.read(run.metricsURL)
        guard let steps = table.numbers("step"), let accuracy = table.numbers("test_acc"),
              let norms = table.numbers("l2_weights") else {
            throw GrokError("--clamp-ref-run \(dir.path): metrics.csv lacks the step, test_acc or l2_weights column")
        }
        if let i = MetricsFile.firstRow(reaching: threshold, in: accuracy, steps: steps), i < norms.count,
           norms[i].isFinite, norms[i] > 0 {
            return (Int(steps[i]), norms[i])
        }
        let best = accuracy.filter(\.isFinite).max().map { String(format: "%.4f", $0) } ?? "none"
        throw GrokError("--clamp-ref-run \(dir.path) never grokked: test accuracy never reached --clamp-ref-threshold \(threshold) (best \(best)); clamp to a run that did, or give --clamp-ref W_C")
    }

    /// "modular addition: embed 59x128, fc1 256x256, fc2 59x256" or "MLP 784-200-200-10".
    static func describe(_ c: TrainingConfig, _ layout: ParameterLayout) -> String {
        if c.modularAdditionModel != nil {
            let weights = layout.tensors.filter(\.isWeight).map { "\($0.layer) \($0.dims.map(String.init).joined(separator: "x"))" }
            return "the token model on modular addition: " + weights.joined(separator: ", ")
        }
        return "the MLP " + c.widths.map(String.init).joined(separator: "-")
    }
}
