import XCTest
import TestSupport
import RunFiles
import Foundation
import GrokCore
import Datasets
import Model
import Optim
import Tensors
import Training

/// Grokfast's filter inside real training: against a filter computed by hand on a tiny model,
/// in config.json and the checkpoint, and through --resume.
final class GrokfastTests: XCTestCase {
    static let data: DataSplit = try! MNIST.load(.embedded, trainSize: 100, subset: .balanced, seed: 0)

    /// A 3-4-2 MLP trained by TrainingStep with the filter and plain SGD, against the same
    /// model stepped by this test: raw gradients from backward, the filter and the SGD update
    /// written out here in Double (EMA: e = a e + (1 - a) g, e starting at g; MA: the mean of
    /// the last w raw gradients; then p <- p - lr (g + lambda * average)).
    func checkTinyModel(_ rule: GradientFilter<Double>.Rule) throws {
        let shape = try MLPShape(widths: [3, 4, 2])
        let filteredModel = MLP<Double>(shape: shape, maxBatch: 3, kernels: .dense)
        let reference = MLP<Double>(shape: shape, maxBatch: 3, kernels: .dense)
        var rng = SeededRandom(seed: 7, stream: "init")
        filteredModel.initialize(scale: 1, rng: &rng)
        reference.setFileParameters(filteredModel.fileParameters())
        let inputs: [Double] = [0.1, 0.9, 0.3, 0.8, 0.2, 0.5, 0.4, 0.4, 0.9, 0.7, 0.1, 0.0, 0.3, 0.6, 0.2, 0.0, 1.0, 0.5]
        let labels: [Int32] = [0, 1, 1, 0, 1, 0]
        var order = BatchOrder(mode: .cycle, trainCount: 6, batchSize: 3, seed: 0)
        let feeder = BatchFeeder(order: order, inputs: inputs, labels: labels, features: 3, sparse: false)
        let lr = 0.05
        let sgd = SGD<Double>(count: shape.parameterCount, lr: lr, momentum: 0, weightDecay: 0)
        let filter = GradientFilter<Double>(rule: rule, count: shape.parameterCount)
        var ema: [Double] = [], history: [[Double]] = []
        for step in 1...7 {
            let batch = feeder.batch(step: step, order: &order)
            _ = TrainingStep.run(filteredModel, sgd, filter: filter, batch: batch, loss: .mse)

            _ = reference.gradientStep(batch: batch, loss: .mse)
            let g = reference.fileGradients()
            var amplified = g
            switch rule {
            case let .ema(alpha, lambda):
                if ema.isEmpty { ema = g }
                ema = zip(ema, g).map { alpha * $0 + (1 - alpha) * $1 }
                amplified = zip(g, ema).map { $0 + lambda * $1 }
            case let .movingAverage(window, lambda):
                history.append(g)
                if history.count >= window {
                    let last = history.suffix(window)
                    amplified = g.indices.map { i in g[i] + lambda * last.map { $0[i] }.reduce(0, +) / Double(window) }
                }
            }
            reference.setFileParameters(zip(reference.fileParameters(), amplified).map { $0 - lr * $1 })

            let a = filteredModel.fileParameters(), b = reference.fileParameters()
            for i in a.indices { XCTAssertEqual(a[i], b[i], accuracy: 1e-13, "\(rule) step \(step) parameter \(i)") }
        }
        // The filter really acted: without it the same steps end elsewhere.
        let plain = MLP<Double>(shape: shape, maxBatch: 3, kernels: .dense)
        var rng2 = SeededRandom(seed: 7, stream: "init")
        plain.initialize(scale: 1, rng: &rng2)
        var order2 = BatchOrder(mode: .cycle, trainCount: 6, batchSize: 3, seed: 0)
        let sgd2 = SGD<Double>(count: shape.parameterCount, lr: lr, momentum: 0, weightDecay: 0)
        for step in 1...7 { _ = TrainingStep.run(plain, sgd2, batch: feeder.batch(step: step, order: &order2), loss: .mse) }
        let gap = zip(plain.fileParameters(), filteredModel.fileParameters()).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(gap, 1e-4)
    }

    func testEMAOnATinyModelMatchesTheHandComputedFilter() throws {
        try checkTinyModel(.ema(alpha: 0.8, lambda: 0.1))
        try checkTinyModel(.ema(alpha: 0.98, lambda: 2))
    }

    func testMovingAverageOnATinyModelMatchesTheHandComputedFilter() throws {
        try checkTinyModel(.movingAverage(window: 3, lambda: 5))
    }

    /// Stopped and resumed runs end with the same bytes as an uninterrupted one: the filter's
    /// state travels in the checkpoint (and is really used: a run without it differs).
    func checkResume(_ config: TrainingConfig) throws {
        let full = temporaryDirectory("gf-full"), part = temporaryDirectory("gf-part"), plain = temporaryDirectory("gf-plain")
        defer { for d in [full, part, plain] { try? FileManager.default.removeItem(at: d) } }
        let evals = EvaluationSchedule.log.steps(total: config.steps, snapshots: config.snapshots)
        let stop = evals[evals.count / 2]
        try trainRun(config, data: Self.data, in: full)
        let stopped = try trainRun(config, data: Self.data, in: part, observers: [StopAt(step: stop)])
        XCTAssertEqual(stopped.outcome, .interrupted(step: stop))
        let names = try SafeTensors.read(RunDirectory(part).checkpointURL).tensors.map(\.name)
        XCTAssertTrue(names.contains { $0.hasPrefix("grokfast.") }, "the checkpoint holds the filter: \(names)")
        let resumed = try trainRun(try TrainingConfig.read(from: RunDirectory(part)), data: Self.data, in: part, resume: true)
        XCTAssertEqual(resumed.outcome, .completed)
        let last = "snapshots/" + RunDirectory(full).snapshotURL(step: config.steps).lastPathComponent
        for name in ["metrics.csv", last] {
            XCTAssertEqual(try Data(contentsOf: full.appendingPathComponent(name)), try Data(contentsOf: part.appendingPathComponent(name)), name)
        }
        var off = config; off.grokfast = nil
        try trainRun(off, data: Self.data, in: plain)
        XCTAssertNotEqual(try Data(contentsOf: full.appendingPathComponent(last)), try Data(contentsOf: plain.appendingPathComponent(last)))
    }

    func testResumeWithEMAIsBitIdentical() throws {
        var config = smallConfig(steps: 40)
        config.grokfast = .ema(alpha: 0.8, lambda: 0.1); config.wd = 2
        try checkResume(config)
    }

    func testResumeWithMovingAverageIsBitIdenticalInFloat() throws {
        var config = smallConfig(steps: 40)
        config.grokfast = .ma(window: 6, lambda: 5); config.dtype = .f32; config.batchOrder = .reshuffle
        try checkResume(config)
    }

    func testConfigRecordsTheFilterAndOlderConfigsDecode() throws {
        let dir = temporaryDirectory("gf-config"); defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var config = smallConfig()
        try config.write(to: RunDirectory(dir), extra: [:])
        XCTAssertFalse(try String(contentsOf: RunDirectory(dir).configURL, encoding: .utf8).contains("grokfast"),
                       "no key without a filter: older readers see the same file")
        XCTAssertNil(try TrainingConfig.read(from: RunDirectory(dir)).grokfast)
        config.grokfast = .ema(alpha: 0.8, lambda: 0.1)
        try config.write(to: RunDirectory(dir), extra: [:])
        let json = try ConfigFile.read(RunDirectory(dir).configURL)
        XCTAssertEqual(json["grokfast"]?["ema"]?["alpha"]?.number, 0.8)
        XCTAssertEqual(json["grokfast"]?["ema"]?["lambda"]?.number, 0.1)
        XCTAssertEqual(try TrainingConfig.read(from: RunDirectory(dir)).grokfast, .ema(alpha: 0.8, lambda: 0.1))
        config.grokfast = .ma(window: 100, lambda: 5)
        try config.write(to: RunDirectory(dir), extra: [:])
        XCTAssertEqual(try TrainingConfig.read(from: RunDirectory(dir)).grokfast, .ma(window: 100, lambda: 5))
    }

    /// grok-train's flags: each misuse is one line and a non-zero exit; --check shows the filter,
    /// and an explicit --grokfast off accepts (and does not use) the settings a sweep shares.
    func testCommandLine() throws {
        for (args, words) in [(["--grokfast-alpha", "0.8"], ["--grokfast-alpha", "only used with --grokfast ema or ma"]),
                              (["--grokfast", "ema", "--grokfast-window", "5"], ["--grokfast-window is only used with --grokfast ma"]),
                              (["--grokfast", "ema", "--grokfast-alpha", "1.5"], ["--grokfast-alpha must be in [0, 1)"]),
                              (["--grokfast", "fast"], ["fast"])] {
            let r = try Tool.run("grok-train", args + ["--check"])
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            for w in words { XCTAssertTrue(r.stderr.contains(w), "'\(w)' missing in: \(r.stderr)") }
        }
        let ema = try Tool.run("grok-train", ["--preset", "omnigrok", "--grokfast", "ema", "--grokfast-alpha", "0.8", "--grokfast-lambda", "0.1", "--check"])
        XCTAssertEqual(ema.status, 0, ema.stderr)
        XCTAssertTrue(ema.stdout.contains("\"grokfast\""), ema.stdout)
        XCTAssertTrue(ema.stdout.contains("\"alpha\" : 0.8"), ema.stdout)
        let off = try Tool.run("grok-train", ["--preset", "omnigrok", "--grokfast", "off", "--grokfast-alpha", "0.8", "--check"])
        XCTAssertEqual(off.status, 0, off.stderr)
        XCTAssertFalse(off.stdout.contains("\"grokfast\""), off.stdout)
    }

    func testFlagsBecomeTheFilterAndBadValuesAreOneLineErrors() throws {
        XCTAssertNil(try Grokfast.from(kind: .off, alpha: nil, lambda: nil, window: nil))
        XCTAssertEqual(try Grokfast.from(kind: .ema, alpha: nil, lambda: nil, window: nil), .ema(alpha: 0.98, lambda: 2))
        XCTAssertEqual(try Grokfast.from(kind: .ema, alpha: 0.8, lambda: 0.1, window: nil), .ema(alpha: 0.8, lambda: 0.1))
        XCTAssertEqual(try Grokfast.from(kind: .ma, alpha: nil, lambda: nil, window: nil), .ma(window: 100, lambda: 5))
        func message(_ kind: Grokfast.Kind, alpha: Double? = nil, lambda: Double? = nil, window: Int? = nil) -> String {
            do { _ = try Grokfast.from(kind: kind, alpha: alpha, lambda: lambda, window: window); return "no error" }
            catch { return (error as? GrokError)?.message ?? "\(error)" }
        }
        XCTAssertEqual(message(.ema, alpha: 1), "--grokfast-alpha must be in [0, 1), got 1.0")
        XCTAssertEqual(message(.ema, lambda: -1), "--grokfast-lambda must be a number >= 0, got -1.0")
        XCTAssertEqual(message(.ema, window: 5), "--grokfast-window is only used with --grokfast ma")
        XCTAssertEqual(message(.ma, alpha: 0.5), "--grokfast-alpha is only used with --grokfast ema")
        XCTAssertTrue(message(.ma, window: 0).hasPrefix("--grokfast-window must be in 1...1000"))
        var c = smallConfig(); c.grokfast = .ema(alpha: .nan, lambda: 1)
        XCTAssertThrowsError(try c.validate())
    }
}

