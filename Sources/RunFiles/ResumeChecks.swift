import Foundation
import GrokCore
import RunFiles

/// What `--resume` checks before it continues a run: the same data, and a history that
/// matches the checkpoint. Each refusal is one line saying what differs.
extension RunDirectory {
    /// Refuses data whose checksum differs from the one config.json recorded at the start.
    /// Returns a note when the run predates checksums (nothing to compare with).
    public func verifyDataChecksum(_ checksum: String) throws -> String? {
        guard let recorded = (try? ConfigFile.read(configURL))?["data_checksum"]?.string else {
            return "note: \(configURL.path) records no data checksum (an older run): the data could not be checked"
        }
        guard recorded == checksum else {
            throw GrokError("cannot resume: the training data differ from the data this run started with (checksum \(checksum), config.json has \(recorded)); restore the original --data-dir files or start a new run")
        }
        return nil
    }

    /// The step stored in checkpoint.safetensors; nil when there is no checkpoint file.
    public func checkpointStep() throws -> Int? {
        guard FileManager.default.fileExists(atPath: checkpointURL.path) else { return nil }
        return try CheckpointInfo.step(in: checkpointURL)
    }

    /// Refuses a metrics.csv whose rows up to the checkpoint's step are not exactly the
    /// evaluations the schedule made by then (rows lost, or from another run). Rows after the
    /// checkpoint and a partial last line are normal after a kill: `MetricsLog` drops them.
    /// Returns the steps of those later rows (they will be recomputed).
    @discardableResult
    public func verifyMetricsHistory(throughStep step: Int, evaluationSteps: [Int]) throws -> [Int] {
        let expected = evaluationSteps.filter { $0 <= step }
        guard FileManager.default.fileExists(atPath: metricsURL.path) else {
            if expected.isEmpty { return [] }
            throw GrokError("cannot resume: \(metricsURL.path) is missing but the checkpoint is at step \(step); start again with --force")
        }
        let all = try MetricsFile.steps(metricsURL)
        let found = all.filter { $0 <= step }
        guard found != expected else { return all.filter { $0 > step } }
        let missing = expected.first { !found.contains($0) }
        let detail = missing.map { "step \($0) is missing" }
            ?? "it has rows the schedule does not make (\(found.count) rows, \(expected.count) expected)"
        throw GrokError("cannot resume: \(metricsURL.lastPathComponent) does not match the checkpoint at step \(step): \(detail); restore the file or start again with --force")
    }
}

extension RunDirectory {
    /// What a run without its checkpoint still holds beyond its start: the evaluations after
    /// step 0 in metrics.csv and the snapshot files after step 0. Restarting the run from step 0
    /// would replace them, so `--resume` does that only when asked (`--force`).
    public func resultsBeyondStart() -> (evaluations: Int, snapshots: Int) {
        let evaluations = ((try? MetricsFile.steps(metricsURL)) ?? []).filter { $0 > 0 }.count
        let snapshots = self.snapshots().filter { $0.step > 0 }.count
        return (evaluations, snapshots)
    }
}
