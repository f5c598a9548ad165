import XCTest
import Foundation
import GrokCore
import Hysteresis

final class WarmStartEscapeTests: XCTestCase {
    private func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyst-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func testStateRoundTripAndShapeChecks() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shape = try LinearShape()
        let net = DeepLinearNetwork(shape: shape, seed: 4)
        let url = dir.appendingPathComponent("state.json")
        try NetworkState(network: net, beta: 0.361, lr: 0.01, batch: 64, epochs: 10).write(to: url)
        let back = try NetworkState.read(from: url).network(expecting: shape, source: "state.json")
        XCTAssertEqual(back, net)   // bit-exact: JSON doubles round-trip
        // Another shape: a one-line error naming both shapes.
        XCTAssertThrowsError(try NetworkState.read(from: url).network(expecting: LinearShape(width: 8), source: "state.json")) {
            let m = ($0 as? GrokError)?.message ?? ""
            XCTAssertTrue(m.contains("2->10->10->2") && m.contains("2->8->8->2"), m)
            XCTAssertFalse(m.contains("\n"))
        }
        XCTAssertThrowsError(try NetworkState.read(from: dir.appendingPathComponent("missing.json"))) {
            XCTAssertTrue(($0 as? GrokError)?.message.contains("no state file") ?? false)
        }
        let junk = dir.appendingPathComponent("junk.json")
        try "{\"a\": 1}".write(to: junk, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try NetworkState.read(from: junk))
    }

    func testWarmStartContinuesFromTheSavedWeights() throws {
        let task = try TeacherTask(teacher: GaussianTeacher(), trainCount: 128, testCount: 64)
        let shape = try LinearShape()
        var net = DeepLinearNetwork(shape: shape, seed: 1)
        let stage = try SGDStage(settings: SGDSettings(beta: 0.2, lr: 0.01, batch: 32, seed: 2), maxEpochs: 5)
        _ = stage.run(&net, on: task)
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("s.json")
        try NetworkState(network: net, beta: 0.2, lr: 0.01, batch: 32, epochs: 5).write(to: url)
        var warm = try NetworkState.read(from: url).network(expecting: shape, source: "s")
        var same = net
        let (a, _) = stage.run(&warm, on: task)
        let (b, _) = stage.run(&same, on: task)
        XCTAssertEqual(a.first!.testMSE, evaluate(net, on: task, beta: 0.2, epoch: 0).testMSE)
        XCTAssertEqual(a.last, b.last)
    }

    private func record(_ epoch: Int, mse: Double, sigma2: Double) -> EpochRecord {
        EpochRecord(epoch: epoch, trainMSE: mse, testMSE: mse, objective: mse, singularValues: [0.5, sigma2])
    }

    func testEscapeDetectionByBothCriteria() {
        let c = EscapeCriteria(plateau: 1.45, globalMinimum: 0.95)
        XCTAssertEqual(c.midpoint, 1.2, accuracy: 1e-12)
        let records = [record(0, mse: 1.46, sigma2: 0), record(10, mse: 1.44, sigma2: 5e-4),
                       record(20, mse: 1.30, sigma2: 2e-3), record(30, mse: 1.19, sigma2: 0.1),
                       record(40, mse: 0.96, sigma2: 0.3)]
        XCTAssertEqual(c.escapeEpochs(records), EscapeEpochs(byMSE: 30, bySigma2: 20))
        // Never crossing: censored (nil), not zero.
        XCTAssertEqual(c.escapeEpochs(Array(records.prefix(2))), EscapeEpochs(byMSE: nil, bySigma2: nil))
        // Exactly at the midpoint is not yet across.
        XCTAssertNil(c.escapeEpochs([record(5, mse: 1.2, sigma2: 0)]).byMSE)
    }

    /// The trap is real: a rank-one state of the trained network, continued at a beta below
    /// beta_c without noise, stays rank one, while a fresh init at the same beta reaches rank 2.
    func testFreshInitReachesRankTwoWhileTheTrapHolds() throws {
        let task = try TeacherTask(teacher: GaussianTeacher())
        let shape = try LinearShape()
        var trapped = DeepLinearNetwork(shape: shape, seed: 0)
        relaxWithoutNoise(&trapped, on: task, beta: 0.40, lr: 0.05, steps: 3000)   // above beta_c(eta2)
        XCTAssertEqual(evaluate(trapped, on: task, beta: 0.40, epoch: 0).rank(), 1)
        relaxWithoutNoise(&trapped, on: task, beta: 0.32, lr: 0.05, steps: 3000)
        var fresh = DeepLinearNetwork(shape: shape, seed: 0)
        relaxWithoutNoise(&fresh, on: task, beta: 0.32, lr: 0.05, steps: 3000)
        let t = evaluate(trapped, on: task, beta: 0.32, epoch: 0), f = evaluate(fresh, on: task, beta: 0.32, epoch: 0)
        XCTAssertEqual(t.rank(), 1)
        XCTAssertEqual(f.rank(), 2)
        XCTAssertGreaterThan(t.testMSE, f.testMSE + 0.2)   // the plateau lies well above the global minimum
    }
}

final class TrapInvarianceTests: XCTestCase {
    /// Why plain SGD cannot escape a collapsed trap: if every layer is rank one with aligned
    /// hidden directions, every minibatch gradient keeps it so (dW_l = A_l^T G B_l^T stays in the
    /// same row and column spaces), so sigma2 stays at round-off whatever the noise.
    func testRankOneManifoldIsInvariantUnderMinibatchSGD() throws {
        let task = try TeacherTask(teacher: GaussianTeacher(), trainCount: 256, testCount: 64)
        let shape = try LinearShape(width: 6)
        func unit(_ n: Int, _ i: Int) -> [Double] { (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        func outer(_ a: [Double], _ b: [Double], _ s: Double) -> SmallMatrix {
            SmallMatrix(rows: a.count, cols: b.count, values: a.flatMap { ai in b.map { s * ai * $0 } })
        }
        var net = try DeepLinearNetwork(shape: shape, layers: [
            outer(unit(6, 0), [0.6, 0.8], 0.7), outer(unit(6, 0), unit(6, 0), 0.7), outer([0.8, -0.6], unit(6, 0), 0.7),
        ])
        let stage = try SGDStage(settings: SGDSettings(beta: 0.05, lr: 0.05, batch: 4, seed: 9), maxEpochs: 300, evalEvery: 30)
        let (records, _) = stage.run(&net, on: task)
        XCTAssertTrue(records.allSatisfy { $0.sigma2 < 1e-12 }, "\(records.map(\.sigma2))")
        XCTAssertGreaterThan(records.last!.singularValues[0], 0.3)   // the live mode did train
        // One off-manifold entry in each layer breaks the invariance and the second mode grows.
        net.layers[0][1, 1] = 0.3; net.layers[1][1, 1] = 0.3; net.layers[2][1, 1] = 0.3
        let (after, _) = stage.run(&net, on: task)
        XCTAssertGreaterThan(after.last!.sigma2, 0.1)
    }
}
