import XCTest
import RunFiles
import Foundation
import Datasets
import Model
import Tensors
import Training

/// The norm interventions in real (small) runs: the recorded norms, clamp.csv, config.json
/// and resume.
final class NormControlTests: XCTestCase {
    static let data: DataSplit = try! MNIST.load(.embedded, trainSize: 100, subset: .balanced, seed: 0)

    @discardableResult
    func train(_ config: TrainingConfig, in dir: URL, resume: Bool = false,
               observers: [TrainingObserver] = []) throws -> RunResult {
        try trainRun(config, data: Self.data, in: dir, resume: resume, observers: observers)
    }

    func table(_ url: URL) throws -> (header: [String], rows: [[Double]]) {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        return (lines[0].split(separator: ",").map(String.init),
                lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } })
    }

    func column(_ name: String, _ t: (header: [String], rows: [[Double]])) -> [Double] {
        let i = t.header.firstIndex(of: name)!
        return t.rows.map { $0[i] }
    }

    /// Weight norm of a snapshot file, from its tensors (PyTorch layout), biases excluded.
    func weightNorm(_ url: URL) throws -> Double {
        let file = try SafeTensors.read(url)
        return try file.tensors.filter { $0.name.hasSuffix(".weight") }
            .map { try $0.doubles().map { $0 * $0 }.reduce(0, +) }.reduce(0, +).squareRoot()
    }

    func testClampHoldsTheWeightNormFromItsStep() throws {
        let dir = temporaryDirectory("clamp"); defer { try? FileManager.default.removeItem(at: dir) }
        var config = smallConfig(steps: 40)
        config.wd = 0.01
        config.normControl = .clamp(rho: 0.9, fromStep: 10, referenceNorm: 40, referenceRun: nil)
        try train(config, in: dir)
        let metrics = try table(RunDirectory(dir).metricsURL)
        let clamp = try table(RunDirectory(dir).clampURL)
        XCTAssertEqual(clamp.header, ["step", "factor"])
        XCTAssertEqual(column("step", clamp), column("step", metrics), "one clamp row per evaluation")
        for (row, factor) in zip(metrics.rows, column("factor", clamp)) {
            let step = Int(row[0]), w = row[metrics.header.firstIndex(of: "l2_weights")!]
            if step >= 10 {
                XCTAssertEqual(w, 36, accuracy: 36 * 1e-13, "step \(step)")
                XCTAssertNotEqual(factor, 1, "step \(step)")
            } else {
                XCTAssertGreaterThan(abs(w - 36), 1, "before --clamp-from the norm is free (step \(step))")
                XCTAssertEqual(factor, 1)
            }
        }
        // The snapshot file (an independent reader of the weights) agrees.
        XCTAssertEqual(try weightNorm(RunDirectory(dir).snapshotURL(step: 40)), 36, accuracy: 36 * 1e-13)
        // Recorded in config.json and read back by --resume.
        XCTAssertEqual(try TrainingConfig.read(from: RunDirectory(dir)).normControl, config.normControl)
    }

    func testConstrainNormKeepsTheTotalNormAtItsInitialValue() throws {
        let dir = temporaryDirectory("constrain"), free = temporaryDirectory("free")
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: free) }
        var config = smallConfig(steps: 40)
        config.lr = 1e-2       // large steps: the free norm moves visibly
        try train(config, in: free)
        config.normControl = .constrain
        try train(config, in: dir)
        let norms = column("l2_norm", try table(RunDirectory(dir).metricsURL))
        let freeNorms = column("l2_norm", try table(RunDirectory(free).metricsURL))
        XCTAssertEqual(norms[0], freeNorms[0], "the same initialization")
        for n in norms { XCTAssertEqual(n, norms[0], accuracy: norms[0] * 1e-13) }
        // Without the constraint the norm moves (0.3% here), a billion times the tolerance above.
        XCTAssertGreaterThan(abs(freeNorms.last! - freeNorms[0]), 1e-4 * freeNorms[0])
        // Biases are rescaled too: the weight norm alone is not constant.
        let weights = column("l2_weights", try table(RunDirectory(dir).metricsURL))
        XCTAssertNotEqual(weights.first!, weights.last!)
    }

    func checkResume(_ config: TrainingConfig, stopAt step: Int) throws {
        let full = temporaryDirectory("full"), part = temporaryDirectory("part")
        defer { try? FileManager.default.removeItem(at: full); try? FileManager.default.removeItem(at: part) }
        try train(config, in: full)
        let stopped = try train(config, in: part, observers: [StopAt(step: step)])
        XCTAssertEqual(stopped.outcome, .interrupted(step: step))
        // --resume reads the rule from config.json, as grok-train does.
        let resumed = try train(try TrainingConfig.read(from: RunDirectory(part)), in: part, resume: true)
        XCTAssertEqual(resumed.outcome, .completed)
        for name in ["metrics.csv", "clamp.csv", "snapshots/" + RunDirectory(full).snapshotURL(step: config.steps).lastPathComponent] {
            XCTAssertEqual(try Data(contentsOf: full.appendingPathComponent(name)), try Data(contentsOf: part.appendingPathComponent(name)), name)
        }
    }

    func testResumeWithAClampIsBitIdentical() throws {
        var config = smallConfig(steps: 40)
        config.wd = 0.01
        config.normControl = .clamp(rho: 1.05, fromStep: 5, referenceNorm: 40, referenceRun: "/somewhere/free")
        let evals = EvaluationSchedule.log.steps(total: config.steps, snapshots: config.snapshots)
        try checkResume(config, stopAt: evals[evals.count / 2])
    }

    func testResumeWithConstrainedNormIsBitIdentical() throws {
        var config = smallConfig(steps: 40)
        config.normControl = .constrain
        let evals = EvaluationSchedule.log.steps(total: config.steps, snapshots: config.snapshots)
        try checkResume(config, stopAt: evals[evals.count / 2])
    }

    func testRescaleOnceScalesTheWeightsOnceAtItsStep() throws {
        let dir = temporaryDirectory("once"), free = temporaryDirectory("once-free")
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: free) }
        var config = smallConfig(steps: 40)
        let evals = EvaluationSchedule.log.steps(total: config.steps, snapshots: config.snapshots)
        let at = evals[3]
        try train(config, in: free)
        config.normControl = .rescaleOnce(rho: 0.5, atStep: at)
        try train(config, in: dir)
        let a = try table(RunDirectory(dir).metricsURL), b = try table(RunDirectory(free).metricsURL)
        let wa = column("l2_weights", a), wb = column("l2_weights", b)
        let i = column("step", a).firstIndex(of: Double(at))!
        XCTAssertEqual(Array(wa[..<i]), Array(wb[..<i]), "identical before --at")
        XCTAssertEqual(wa[i], 0.5 * wb[i], accuracy: wb[i] * 1e-13, "halved right after step --at")
        XCTAssertEqual(column("factor", try table(RunDirectory(dir).clampURL)), column("step", a).map { $0 == Double(at) ? 0.5 : 1 })
    }

    func testOlderConfigWithoutTheFieldDecodes() throws {
        let dir = temporaryDirectory("oldconfig"); defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try smallConfig().write(to: RunDirectory(dir), extra: [:])
        let text = try String(contentsOf: RunDirectory(dir).configURL, encoding: .utf8)
        XCTAssertFalse(text.contains("norm_control"), "no key when no intervention: older readers see the same file")
        XCTAssertNil(try TrainingConfig.read(from: RunDirectory(dir)).normControl)
    }

    func testBadValuesAreOneLineErrors() {
        func message(_ control: NormControl, wd: Double = 0) -> String {
            var c = smallConfig(steps: 100); c.wd = wd; c.normControl = control
            do { try c.validate(); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(.clamp(rho: 0, fromStep: 0, referenceNorm: 10, referenceRun: nil)).contains("--clamp-norm"))
        XCTAssertTrue(message(.clamp(rho: -1, fromStep: 0, referenceNorm: 10, referenceRun: nil)).contains("--clamp-norm"))
        XCTAssertTrue(message(.clamp(rho: 1, fromStep: 101, referenceNorm: 10, referenceRun: nil)).contains("beyond --steps"))
        XCTAssertTrue(message(.clamp(rho: 1, fromStep: 5, referenceNorm: 0, referenceRun: nil)).contains("--clamp-ref"))
        XCTAssertTrue(message(.constrain, wd: 0.01).contains("--wd 0"))
        XCTAssertTrue(message(.rescaleOnce(rho: 1.1, atStep: 0)).contains("--at"))
        XCTAssertTrue(message(.rescaleOnce(rho: 1.1, atStep: 101)).contains("--at"))
        XCTAssertEqual(message(.clamp(rho: 1, fromStep: 100, referenceNorm: 10, referenceRun: nil)), "")
        for m in [message(.constrain, wd: 0.01), message(.rescaleOnce(rho: 0, atStep: 5))] { XCTAssertFalse(m.contains("\n")); XCTAssertFalse(m.isEmpty) }
    }
}
