import XCTest
import RunFiles
import Foundation
import Datasets
import Model
import Tensors
import Training

/// A small but real configuration: embedded MNIST, 100 balanced images, a narrow network.
func smallConfig(steps: Int = 40) -> TrainingConfig {
    var c = TrainingConfig.paper
    c.widths = [784, 16, 12, 10]
    c.trainSize = 100
    c.batchSize = 20
    c.steps = steps
    c.snapshots = 8
    c.threads = 1
    return c
}

func temporaryDirectory(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("groklab-tests-\(getpid())-\(name)-\(UInt32.random(in: 0...UInt32.max))")
    try? FileManager.default.removeItem(at: url)
    return url
}

/// Trains `config` on `data` in `dir` (a new run directory, or the one to resume), quietly.
@discardableResult
func trainRun(_ config: TrainingConfig, data: DataSplit, in dir: URL, resume: Bool = false,
              observers: [TrainingObserver] = []) throws -> RunResult {
    let run = RunDirectory(dir)
    if !resume {
        try run.create(force: false)
        try config.write(to: run, extra: [:])
    }
    StopSignal.reset()
    defer { StopSignal.reset() }
    return try Trainer.run(config: config, data: data, directory: run, resume: resume,
                           observers: observers, progress: ProgressReporter(totalSteps: config.steps, quiet: true))
}

/// Stops the run (as SIGINT would) when it observes a given step.
final class StopAt: TrainingObserver {
    let step: Int
    init(step: Int) { self.step = step }
    var extraMetricColumns: [String] { [] }
    func runStarted(_ context: RunContext) throws {}
    func observe(_ snapshot: WeightSnapshot, metrics: EvaluationMetrics) throws -> [Double] {
        if snapshot.step == step { StopSignal.request() }
        return []
    }
    func runEnded(_ outcome: RunOutcome) throws -> [String] { [] }
}

final class RunTests: XCTestCase {
    static let data: DataSplit = try! MNIST.load(.embedded, trainSize: 100, subset: .balanced, seed: 0)

    @discardableResult
    func train(_ config: TrainingConfig, in dir: URL, resume: Bool = false,
               observers: [TrainingObserver] = []) throws -> RunResult {
        try trainRun(config, data: Self.data, in: dir, resume: resume, observers: observers)
    }

    func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    func testSameSeedGivesIdenticalMetricsAndWeights() throws {
        let a = temporaryDirectory("a"), b = temporaryDirectory("b")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        try train(smallConfig(), in: a)
        try train(smallConfig(), in: b)
        XCTAssertEqual(try bytes(a.appendingPathComponent("metrics.csv")), try bytes(b.appendingPathComponent("metrics.csv")))
        let last = RunDirectory(a).snapshotURL(step: 40).lastPathComponent
        XCTAssertEqual(try bytes(a.appendingPathComponent("snapshots/" + last)),
                       try bytes(b.appendingPathComponent("snapshots/" + last)))
        // And a different seed gives a different run.
        var other = smallConfig(); other.seed = 1
        let c = temporaryDirectory("c"); defer { try? FileManager.default.removeItem(at: c) }
        try train(other, in: c)
        XCTAssertNotEqual(try bytes(a.appendingPathComponent("metrics.csv")), try bytes(c.appendingPathComponent("metrics.csv")))
    }

    func testMetricsRowsFollowTheScheduleAndTheLossFalls() throws {
        let dir = temporaryDirectory("m"); defer { try? FileManager.default.removeItem(at: dir) }
        var config = smallConfig(steps: 60)
        config.lr = 1e-3
        let result = try train(config, in: dir)
        XCTAssertEqual(result.outcome, .completed)
        let text = try String(contentsOf: dir.appendingPathComponent("metrics.csv"), encoding: .utf8)
        let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows[0].joined(separator: ","), "step,train_loss,train_acc,test_loss,test_acc,l2_norm,l2_weights,l2_fc1,l2_fc2,l2_fc3")
        let steps = rows.dropFirst().map { Int($0[0])! }
        XCTAssertEqual(steps, EvaluationSchedule.log.steps(total: 60, snapshots: 8))
        let firstLoss = Double(rows[1][1])!, lastLoss = Double(rows.last![1])!
        XCTAssertLessThan(lastLoss, firstLoss / 2, "training should reduce the train loss")
        // Total norm equals the root sum of squares of the layer norms.
        for r in rows.dropFirst() {
            let layers = (7...9).map { Double(r[$0])! }
            XCTAssertEqual(Double(r[5])!, layers.map { $0 * $0 }.reduce(0, +).squareRoot(), accuracy: 1e-9)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("snapshots").path).count, steps.count)
    }

    func testSnapshotsHavePyTorchNamesAndLayouts() throws {
        let dir = temporaryDirectory("s"); defer { try? FileManager.default.removeItem(at: dir) }
        try train(smallConfig(steps: 5), in: dir)
        let file = try SafeTensors.read(RunDirectory(dir).snapshotURL(step: 5))
        XCTAssertEqual(file.tensors.map(\.name), ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"])
        XCTAssertEqual(file["fc1.weight"]?.shape, [16, 784])
        XCTAssertEqual(file["fc2.weight"]?.shape, [12, 16])
        XCTAssertEqual(file["fc3.weight"]?.shape, [10, 12])
        XCTAssertEqual(file["fc3.bias"]?.shape, [10])
        XCTAssertEqual(file["fc1.weight"]?.dtype, .f64)
        // The step-0 snapshot is the initialization: every weight within 8/sqrt(fan_in).
        let w0 = try SafeTensors.read(RunDirectory(dir).snapshotURL(step: 0))["fc1.weight"]!.doubles()
        XCTAssertLessThanOrEqual(w0.map(abs).max()!, 8 / sqrt(784.0))
        XCTAssertGreaterThan(w0.map(abs).max()!, 0.9 * 8 / sqrt(784.0))
    }

    /// Interrupted at an evaluation step or between evaluations, then resumed: the metrics and the
    /// final weights are bit-identical to a run that was never stopped.
    func checkResume(_ config: TrainingConfig, stopAtEvaluation: Int) throws {
        let full = temporaryDirectory("full"), part = temporaryDirectory("part")
        defer { try? FileManager.default.removeItem(at: full); try? FileManager.default.removeItem(at: part) }
        try train(config, in: full)
        let stopped = try train(config, in: part, observers: [StopAt(step: stopAtEvaluation)])
        XCTAssertEqual(stopped.outcome, .interrupted(step: stopAtEvaluation))
        let resumed = try train(config, in: part, resume: true)
        XCTAssertEqual(resumed.outcome, .completed)
        XCTAssertEqual(try bytes(full.appendingPathComponent("metrics.csv")), try bytes(part.appendingPathComponent("metrics.csv")))
        let last = "snapshots/" + RunDirectory(full).snapshotURL(step: config.steps).lastPathComponent
        XCTAssertEqual(try bytes(full.appendingPathComponent(last)), try bytes(part.appendingPathComponent(last)))
    }

    func testResumeAfterInterruptIsBitIdenticalCycleAdamW() throws {
        let config = smallConfig()
        let evals = EvaluationSchedule.log.steps(total: config.steps, snapshots: config.snapshots)
        try checkResume(config, stopAtEvaluation: evals[evals.count / 2])
    }

    /// The paper's widths, so the sparse kernels run (narrow layers fall back to dense), on one
    /// and two threads.
    func testResumeIsBitIdenticalWithSparseKernels() throws {
        for threads in [1, 2] {
            var config = smallConfig(steps: 30)
            config.widths = [784, 200, 200, 10]; config.kernels = .sparse; config.threads = threads
            let evals = EvaluationSchedule.log.steps(total: config.steps, snapshots: config.snapshots)
            try checkResume(config, stopAtEvaluation: evals[evals.count / 2])
        }
    }

    func testResumeAfterInterruptIsBitIdenticalReshuffleSGDFloat() throws {
        var config = smallConfig(steps: 45)   // 100 / 20 = 5 batches per epoch: several epochs
        config.batchOrder = .reshuffle; config.optimizer = .sgd; config.momentum = 0.9
        config.lr = 0.01; config.dtype = .f32
        let evals = EvaluationSchedule.log.steps(total: config.steps, snapshots: config.snapshots)
        try checkResume(config, stopAtEvaluation: evals[evals.count - 3])
    }

    func testDivergenceStopsWithTheStepAndKeepsTheLastGoodCheckpoint() throws {
        let dir = temporaryDirectory("nan"); defer { try? FileManager.default.removeItem(at: dir) }
        var config = smallConfig(steps: 200)
        config.optimizer = .sgd; config.lr = 1e6
        let result = try train(config, in: dir)
        guard case .diverged(let step) = result.outcome else { return XCTFail("expected divergence, got \(result.outcome)") }
        XCTAssertGreaterThan(step, 0)
        XCTAssertLessThan(step, 200)
        // The checkpoint on disk is a good one (finite weights) from at or before the divergence.
        let ckpt = try SafeTensors.read(RunDirectory(dir).checkpointURL)
        XCTAssertNil(ckpt["parameters"]!.firstNonFinite())
    }

    func testExistingRunDirectoryIsRefusedUnlessForced() throws {
        let dir = temporaryDirectory("exists"); defer { try? FileManager.default.removeItem(at: dir) }
        try train(smallConfig(steps: 2), in: dir)
        XCTAssertThrowsError(try RunDirectory(dir).create(force: false)) { XCTAssertTrue("\($0)".contains("--force")) }
        XCTAssertNoThrow(try RunDirectory(dir).create(force: true))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != ".lock" }, ["snapshots"])
    }
}
