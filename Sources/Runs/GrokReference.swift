import Foundation
import GrokCore
import RunFiles

/// W_C for `grok-train --clamp-ref auto`: the total weight norm (metrics.csv's l2_weights,
/// biases excluded) of a free run at its grokking step, the first evaluation with test
/// accuracy >= `threshold`.
public enum GrokReference {
    public static func weightNorm(ofRun dir: URL, threshold: Double) throws -> (step: Int, norm: Double) {
        let run = RunDirectory(dir)
        guard run.isRunDirectory else {
            throw GrokError("--clamp-ref-run \(dir.path) is not a GrokLab run directory (no config.json)")
        }
        let table = try MetricsFile.read(run.metricsURL)
        guard let steps = table.numbers("step"), let accuracy = table.numbers("test_acc"),
              let norms = table.numbers("l2_weights") else {
            throw GrokError("--clamp-ref-run \(dir.path): metrics.csv lacks the step, test_acc or l2_weights column")
        }
        for i in steps.indices where accuracy[i] >= threshold {
            guard norms[i].isFinite, norms[i] > 0, steps[i].isFinite else { break }
            return (Int(steps[i]), norms[i])
        }
        let best = accuracy.filter(\.isFinite).max().map { String(format: "%.4f", $0) } ?? "none"
        throw GrokError("--clamp-ref-run \(dir.path) never grokked: test accuracy never reached --clamp-ref-threshold \(threshold) (best \(best)); clamp to a run that did, or give --clamp-ref W_C")
    }
}
