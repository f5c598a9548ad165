import XCTest
import Foundation
import Datasets
import Model
import Tensors
import Training
import RunFiles

/// The token model (--dataset modadd) through the one training loop: files, the clamp on E,
/// W1, W2, and resume.
final class ModularAdditionRunTests: XCTestCase {
    /// P 11, half the 121 pairs, d 4, H 8, full batch (61 rows), arXiv 2606.13753's optimizer.
    func tinyConfig(steps: Int = 40) -> TrainingConfig {
        var c = TrainingConfig.delayLaw
        c.modulus = 11; c.trainFraction = 0.5; c.embedDim = 4; c.hidden = 8
        c.deriveModularAddition()
        c.steps = steps; c.snapshots = 8; c.threads = 1; c.dtype = .f64
        return c
    }

    @discardableResult
    func train(_ config: TrainingConfig, in dir: URL, resume: Bool = false, observers: [TrainingObserver] = []) throws -> RunResult {
        let run = RunDirectory(dir)
        if !resume { try run.create(force: false); try config.write(to: run, extra: [:]) }
        StopSignal.reset()
        defer { StopSignal.reset() }
        return try Trainer.run(config: config, data: try TrainingData.load(config), directory: run, resume: resume,
                               observers: observers, progress: ProgressReporter(totalSteps: config.steps, quiet: true))
    }

    func column(_ name: String, _ url: URL) throws -> [Double] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        let i = lines[0].split(separator: ",").map(String.init).firstIndex(of: name)!
        return lines.dropFirst().map { Double($0.split(separator: ",")[i])! }
    }

    func testPresetAndDerivedSettings() {
        let c = TrainingConfig.delayLaw
        XCTAssertEqual(c.dataset, .modadd)
        XCTAssertEqual([c.modulus, c.embedDim, c.hidden], [59, 128, 256])
        XCTAssertEqual(c.trainFraction, 0.4)
        XCTAssertEqual(c.trainSize, 1392); XCTAssertEqual(c.batchSize, 1392, "full batch")
        XCTAssertEqual(c.widths, [256, 256, 59])
        XCTAssertEqual([c.lr, c.wd, c.beta1, c.beta2, c.eps], [1e-3, 1, 0.9, 0.999, 1e-8])
        XCTAssertEqual(c.loss, .ce)
        XCTAssertNoThrow(try c.validate())
    }

    func testSnapshotsNameTheTokenModelsTensors() throws {
        let dir = temporaryDirectory("modadd-files"); defer { try? FileManager.default.removeItem(at: dir) }
        var config = tinyConfig(steps: 30)
        config.lr = 3e-2; config.wd = 0   // learning visibly within 30 full-batch steps
        try train(config, in: dir)
        let file = try SafeTensors.read(RunDirectory(dir).snapshotURL(step: 30))
        XCTAssertEqual(file.tensors.map(\.name), ["embed.weight", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        XCTAssertEqual(file["embed.weight"]?.shape, [11, 4])
        XCTAssertEqual(file["fc1.weight"]?.shape, [8, 8])
        XCTAssertEqual(file["fc2.weight"]?.shape, [11, 8])
        let header = try String(contentsOf: RunDirectory(dir).metricsURL, encoding: .utf8).split(separator: "\n")[0]
        XCTAssertTrue(header.hasPrefix("step,train_loss,train_acc,test_loss,test_acc,l2_norm,l2_weights,l2_embed,l2_fc1,l2_fc2"), String(header))
        // It learns: the full-batch training loss falls from ln 11 = 2.40 at init and the
        // training accuracy rises from chance (1/11).
        let loss = try column("train_loss", RunDirectory(dir).metricsURL)
        XCTAssertEqual(loss.first!, log(11), accuracy: 0.1)
        XCTAssertLessThan(loss.last!, 0.6 * loss.first!)
        XCTAssertGreaterThan(try column("train_acc", RunDirectory(dir).metricsURL).last!, 0.5)
    }

    func testClampHoldsTheNormOfEW1W2() throws {
        let dir = temporaryDirectory("modadd-clamp"), free = temporaryDirectory("modadd-free")
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: free) }
        var config = tinyConfig(steps: 40)
        try train(config, in: free)
        config.normControl = .clamp(rho: 0.8, fromStep: 10, referenceNorm: 5, referenceRun: nil)
        try train(config, in: dir)
        let steps = try column("step", RunDirectory(dir).metricsURL), w = try column("l2_weights", RunDirectory(dir).metricsURL)
        let factor = try column("factor", RunDirectory(dir).clampURL)
        for (i, s) in steps.enumerated() where s >= 10 {
            XCTAssertEqual(w[i], 4, accuracy: 4e-13, "step \(s)")
            XCTAssertNotEqual(factor[i], 1)
        }
        // From the snapshot: sqrt(|E|^2 + |W1|^2 + |W2|^2) = rho * W_C; the biases are not in it.
        let file = try SafeTensors.read(RunDirectory(dir).snapshotURL(step: 40))
        let sum = try ["embed.weight", "fc1.weight", "fc2.weight"].map { try file[$0]!.doubles().map { $0 * $0 }.reduce(0, +) }.reduce(0, +)
        XCTAssertEqual(sum.squareRoot(), 4, accuracy: 4e-13)
        let freeW = try column("l2_weights", RunDirectory(free).metricsURL)
        let before = steps.firstIndex { $0 >= 10 }!
        XCTAssertEqual(Array(w[..<before]), Array(freeW[..<before]), "identical before --clamp-from")
        XCTAssertGreaterThan(abs(freeW[before] - 4), 0.5, "the free norm is elsewhere: the clamp acted")
    }

    /// A clamp that acts only after the last step: against the free run's last snapshot, E, W1
    /// and W2 are all multiplied by the one factor rho * W_C / |W|, the biases are untouched.
    func testClampScalesEW1W2ByOneFactorAndNotTheBiases() throws {
        let dir = temporaryDirectory("modadd-last"), free = temporaryDirectory("modadd-last-free")
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: free) }
        var config = tinyConfig(steps: 20)
        try train(config, in: free)
        config.normControl = .clamp(rho: 0.8, fromStep: 20, referenceNorm: 5, referenceRun: nil)
        try train(config, in: dir)
        let a = try SafeTensors.read(RunDirectory(dir).snapshotURL(step: 20)), b = try SafeTensors.read(RunDirectory(free).snapshotURL(step: 20))
        let names = ["embed.weight", "fc1.weight", "fc2.weight"]
        let freeNorm = try names.map { try b[$0]!.doubles().map { $0 * $0 }.reduce(0, +) }.reduce(0, +).squareRoot()
        let factor = 4 / freeNorm
        XCTAssertLessThan(factor, 0.9, "the clamp has work to do")
        for name in names {
            for (x, y) in zip(try a[name]!.doubles(), try b[name]!.doubles()) { XCTAssertEqual(x, y * factor, accuracy: 1e-14 * max(1, abs(y))) }
        }
        for name in ["fc1.bias", "fc2.bias"] { XCTAssertEqual(try a[name]!.doubles(), try b[name]!.doubles(), name) }
        XCTAssertEqual(try column("factor", RunDirectory(dir).clampURL).last!, factor, accuracy: 1e-12)
    }

    func testResumeIsBitIdentical() throws {
        let full = temporaryDirectory("modadd-full"), part = temporaryDirectory("modadd-part")
        defer { try? FileManager.default.removeItem(at: full); try? FileManager.default.removeItem(at: part) }
        var config = tinyConfig(steps: 40)
        config.dtype = .f32
        config.normControl = .clamp(rho: 1.1, fromStep: 5, referenceNorm: 5, referenceRun: nil)
        let evals = EvaluationSchedule.log.steps(total: config.steps, snapshots: config.snapshots)
        try train(config, in: full)
        let stop = evals[evals.count / 2]
        XCTAssertEqual(try train(config, in: part, observers: [StopAt(step: stop)]).outcome, .interrupted(step: stop))
        XCTAssertEqual(try train(try TrainingConfig.read(from: RunDirectory(part)), in: part, resume: true).outcome, .completed)
        for name in ["metrics.csv", "clamp.csv", "snapshots/" + RunDirectory(full).snapshotURL(step: 40).lastPathComponent] {
            XCTAssertEqual(try Data(contentsOf: full.appendingPathComponent(name)), try Data(contentsOf: part.appendingPathComponent(name)), name)
        }
    }

    func testOlderConfigsDecodeWithoutTheNewFields() throws {
        let dir = temporaryDirectory("modadd-old"); defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try smallConfig().write(to: RunDirectory(dir), extra: [:])
        let text = try String(contentsOf: RunDirectory(dir).configURL, encoding: .utf8)
        XCTAssertFalse(text.contains("modulus"), "MNIST runs write no modadd keys")
        let back = try TrainingConfig.read(from: RunDirectory(dir))
        XCTAssertNil(back.modulus); XCTAssertEqual(back.dataset, .mnist)
    }

    func testBadValuesAreOneLineErrors() {
        func message(_ edit: (inout TrainingConfig) -> Void) -> String {
            var c = tinyConfig(); edit(&c)
            do { try c.validate(); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message { $0.modulus = 12 }.contains("--modulus"))
        XCTAssertTrue(message { $0.modulus = 2 }.contains("--modulus"))
        XCTAssertTrue(message { $0.trainFraction = 1 }.contains("--train-fraction"))
        XCTAssertTrue(message { $0.trainFraction = 0 }.contains("--train-fraction"))
        XCTAssertTrue(message { $0.dataset = .mnist }.contains("only used with --dataset modadd"))
        XCTAssertEqual(message { _ in }, "")
    }
}
