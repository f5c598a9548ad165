import Foundation
import XCTest
import RunFiles
import Diagnostics
import GrokCore
import HTSR
import Model
import Phases
import Training

/// A stand-in analyzer with a known schedule, so the plumbing can be checked exactly:
/// fc1/fc2 alpha 6 / 3 before step 100 (pre-grokking), 3 / 2.5 until step 1000 (grokking),
/// then fc1 alpha 1.5 with 3 traps (anti-grokking); fc3 always fails. ks_pvalue records the
/// seed's low bits (to check per-step seeding) and log_norm the matrix's first entry.
struct ScheduledAnalyzer: LayerAnalyzer {
    func analyze(_ layers: [LayerInput], step: Int, seed: UInt64) -> [HTSRRow] {
        layers.map { m in
            var r = HTSRRow(step: -1, layer: m.name, N: max(m.rows, m.cols), M: min(m.rows, m.cols))
            switch (m.name, step) {
            case ("fc3", _): r.status = .fitFailed("only 10 eigenvalues, too few"); return r
            case ("fc1", ..<100): r.alpha = 6; r.numTraps = 0
            case ("fc1", ..<1000): r.alpha = 3; r.numTraps = 0
            case ("fc1", _): r.alpha = 1.5; r.numTraps = 3
            case (_, ..<100): r.alpha = 3; r.numTraps = 0
            default: r.alpha = 2.5; r.numTraps = 0
            }
            // The stable rank falls by 20% at step 100: grokking under the stable-rank rule
            // exactly where the alpha schedule says grokking under Prakash & Martin's rule.
            r.stableRank = step < 100 ? 50 : 40
            r.ksPvalue = Double(seed % 1000) / 1000
            r.logNorm = m.values[0]
            return r
        }
    }
}

let shape = try! MLPShape(widths: [784, 20, 20, 10])
let steps = [1, 10, 100, 200, 500, 1000, 2000, 5000, 10000]
let trainAcc: [Double] = [0.3, 1, 1, 1, 1, 1, 1, 1, 1]
let testAcc: [Double] = [0.1, 0.2, 0.2, 0.5, 0.85, 0.86, 0.5, 0.45, 0.5]

func weights(step: Int) -> [Double] {
    var rng = SeededRandom(seed: UInt64(step), stream: "test-weights")
    return (0..<shape.parameterCount).map { _ in 0.1 * (2 * rng.nextUnit() - 1) }
}

func probe() -> [Double] {
    var rng = SeededRandom(seed: 5, stream: "probe")
    return (0..<(8 * 784)).map { _ in rng.nextUnit() }
}

func metrics(_ i: Int) -> EvaluationMetrics {
    EvaluationMetrics(step: steps[i], trainLoss: 0.1, trainAccuracy: trainAcc[i], testLoss: 0.2,
                      testAccuracy: testAcc[i], normAll: 1, normWeights: 1, normPerLayer: [1, 1, 1],
                      wallSeconds: Double(i))
}

/// A fake run in a temporary directory, driven through a RunDiagnostics like the trainer would.
class FakeRunTestCase: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("diag-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func context(_ dir: URL, resumedFrom: Int? = nil) -> RunContext {
        RunContext(directory: dir, shape: shape, probeInputs: probe(), probeLabels: Array(repeating: 0, count: 8),
                   seed: 42, resumedFromStep: resumedFrom)
    }

    /// Drives a run through the evaluations `range`, writing metrics.csv like the trainer.
    @discardableResult
    func drive(_ d: RunDiagnostics, _ dir: URL, _ range: Range<Int>, resumedFrom: Int? = nil) throws -> [[Double]] {
        try d.runStarted(context(dir, resumedFrom: resumedFrom))
        var out: [[Double]] = []
        for i in range {
            let values = try d.observe(WeightSnapshot(step: steps[i], shape: shape, parameters: weights(step: steps[i])),
                                       metrics: metrics(i))
            out.append(values)
            let line = "\(steps[i]),0.1,\(trainAcc[i]),0.2,\(testAcc[i])\n"
            let url = dir.appendingPathComponent("metrics.csv")
            if !FileManager.default.fileExists(atPath: url.path) {
                try "step,train_loss,train_acc,test_loss,test_acc\n".write(to: url, atomically: true, encoding: .utf8)
            }
            let h = try FileHandle(forWritingTo: url); h.seekToEndOfFile(); h.write(Data(line.utf8)); try h.close()
        }
        return out
    }
}

/// A new run directory `groklab-<name>-<pid>` in the temporary folder holding `config` (a
/// leftover of an earlier test is removed first). The caller removes it.
func makeRunDirectory(_ name: String, config: TrainingConfig) throws -> RunDirectory {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("groklab-\(name)-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    let run = RunDirectory(dir)
    try run.create(force: false)
    try config.write(to: run, extra: [:])
    return run
}
