import XCTest
import Foundation
import GrokCore
import Hysteresis

/// The injected noise: Langevin noise against the stationary distribution it must sample, label
/// noise against its moments, and what each does at a collapsed trap.
final class NoiseTests: XCTestCase {
    /// A depth-1 network is one matrix P and its loss is quadratic: per output row p,
    /// L = p H p^T / 2 + linear terms with H = 2 (Sxx + beta I). Full-batch Langevin
    /// p <- p - lr grad + sqrt(2 lr T) xi is then a linear (AR(1)) process whose stationary
    /// covariance is exact: C = T (H (I - lr H / 2))^-1, i.e. exp(-L / T) up to the O(lr)
    /// discretization term. The sample covariance of a long run must match it.
    func testLangevinSamplesTheStationaryDistributionOfAQuadraticLoss() throws {
        let task = try TeacherTask(teacher: GaussianTeacher(), trainCount: 256, testCount: 16)
        let shape = try LinearShape(width: 1, depth: 1)
        let beta = 0.3, lr = 0.02, temperature = 0.01
        let sxx = task.trainMoments.xx
        // H = 2 (Sxx + beta I), M = H (I - lr H / 2); C = T M^-1 (2x2, by hand).
        let h = [[2 * (sxx[0, 0] + beta), 2 * sxx[0, 1]], [2 * sxx[1, 0], 2 * (sxx[1, 1] + beta)]]
        var m = [[0.0, 0.0], [0.0, 0.0]]
        for i in 0..<2 { for j in 0..<2 {
            m[i][j] = h[i][j] - lr / 2 * (h[i][0] * h[0][j] + h[i][1] * h[1][j])
        } }
        let det = m[0][0] * m[1][1] - m[0][1] * m[1][0]
        let expected = [[m[1][1] / det, -m[0][1] / det], [-m[1][0] / det, m[0][0] / det]].map { $0.map { temperature * $0 } }

        var net = DeepLinearNetwork(shape: shape, seed: 1)
        let settings = try SGDSettings(beta: beta, lr: lr, batch: task.train.count, seed: 3, temperature: temperature)
        _ = try SGDStage(settings: settings, maxEpochs: 2000).run(&net, on: task)   // burn-in
        var samples: [[Double]] = []
        for _ in 0..<8000 {
            _ = try SGDStage(settings: SGDSettings(beta: beta, lr: lr, batch: task.train.count, seed: UInt64(samples.count + 10),
                                                   temperature: temperature), maxEpochs: 10, evalEvery: 10).run(&net, on: task)
            samples.append(net.layers[0].values)   // rows: output 0 (p00, p01), output 1 (p10, p11)
        }
        for row in 0..<2 {
            let a = samples.map { $0[2 * row] }, b = samples.map { $0[2 * row + 1] }
            let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
            let caa = a.map { ($0 - ma) * ($0 - ma) }.reduce(0, +) / Double(a.count - 1)
            let cbb = b.map { ($0 - mb) * ($0 - mb) }.reduce(0, +) / Double(b.count - 1)
            XCTAssertEqual(caa, expected[0][0], accuracy: 0.1 * expected[0][0], "row \(row) variance of p0")
            XCTAssertEqual(cbb, expected[1][1], accuracy: 0.1 * expected[1][1], "row \(row) variance of p1")
        }
    }

    /// One full-batch step from the same weights with and without Langevin noise differs by the
    /// noise alone: zero mean, variance 2 lr T per weight.
    func testLangevinAddsVariance2LrTToEveryWeight() throws {
        let task = try TeacherTask(teacher: GaussianTeacher(), trainCount: 64, testCount: 16)
        let shape = try LinearShape(width: 40)
        let start = DeepLinearNetwork(shape: shape, seed: 2)
        var plain = start, noisy = start
        let lr = 0.01, t = 0.5
        _ = try SGDStage(settings: SGDSettings(beta: 0.1, lr: lr, batch: 64, seed: 4), maxEpochs: 1).run(&plain, on: task)
        _ = try SGDStage(settings: SGDSettings(beta: 0.1, lr: lr, batch: 64, seed: 4, temperature: t), maxEpochs: 1).run(&noisy, on: task)
        let d = zip(noisy.layers.flatMap(\.values), plain.layers.flatMap(\.values)).map { $0 - $1 }
        XCTAssertEqual(d.count, 2 * 40 + 40 * 40 + 40 * 2)
        let mean = d.reduce(0, +) / Double(d.count)
        let variance = d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d.count - 1)
        XCTAssertEqual(variance, 2 * lr * t, accuracy: 0.1 * 2 * lr * t)
        XCTAssertEqual(mean, 0, accuracy: 4 * (2 * lr * t / Double(d.count)).squareRoot())
        // Without noise the stage is what it always was: the noise streams are not even drawn.
        var again = start
        _ = try SGDStage(settings: SGDSettings(beta: 0.1, lr: lr, batch: 64, seed: 4, temperature: 0), maxEpochs: 1).run(&again, on: task)
        XCTAssertEqual(again, plain)
    }

    /// Label noise changes the targets only: Sxx is untouched, Syx moves by mean(S xi x^T) and
    /// mean ||y||^2 grows by about outputs * S^2 over a large batch; S = 0 gives the plain moments.
    func testLabelNoiseMoments() throws {
        let teacher = try GaussianTeacher()
        let samples = try teacher.sample(count: 20000, seed: 1, stream: "t")
        var rng = SeededRandom(seed: 2, stream: "x")
        let plain = samples.moments(0..<samples.count)
        let zero = samples.moments(0..<samples.count, labelNoise: 0, rng: &rng)
        XCTAssertEqual(zero.xx, plain.xx); XCTAssertEqual(zero.yx, plain.yx); XCTAssertEqual(zero.yy, plain.yy)
        let s = 0.7
        let noisy = samples.moments(0..<samples.count, labelNoise: s, rng: &rng)
        XCTAssertEqual(noisy.xx, plain.xx)
        XCTAssertEqual(noisy.yy - plain.yy, 2 * s * s, accuracy: 0.05 * 2 * s * s)
        for i in 0..<4 { XCTAssertEqual(noisy.yx.values[i], plain.yx.values[i], accuracy: 4 * s / (20000.0).squareRoot()) }
    }

    /// At a fully collapsed rank-one state (aligned hidden directions), label noise, like
    /// minibatch noise, enters only through dLoss/dP and keeps every layer rank one: sigma2 stays
    /// at round-off. Langevin noise acts on the weights themselves and leaves the rank-one set.
    func testLabelNoiseKeepsTheCollapsedTrapAndLangevinLeavesIt() throws {
        let task = try TeacherTask(teacher: GaussianTeacher(), trainCount: 256, testCount: 64)
        let shape = try LinearShape(width: 6)
        func unit(_ n: Int, _ i: Int) -> [Double] { (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        func outer(_ a: [Double], _ b: [Double], _ s: Double) -> SmallMatrix {
            SmallMatrix(rows: a.count, cols: b.count, values: a.flatMap { ai in b.map { s * ai * $0 } })
        }
        let collapsed = try DeepLinearNetwork(shape: shape, layers: [
            outer(unit(6, 0), [0.6, 0.8], 0.7), outer(unit(6, 0), unit(6, 0), 0.7), outer([0.8, -0.6], unit(6, 0), 0.7),
        ])
        var labels = collapsed
        let (l, _) = try SGDStage(settings: SGDSettings(beta: 0.05, lr: 0.05, batch: 4, seed: 9, labelNoise: 1.0),
                                  maxEpochs: 100, evalEvery: 10).run(&labels, on: task)
        XCTAssertTrue(l.allSatisfy { $0.sigma2 < 1e-12 }, "\(l.map(\.sigma2))")
        XCTAssertNotEqual(labels, collapsed, "the label noise did move the live mode")
        var langevin = collapsed
        let (r, _) = try SGDStage(settings: SGDSettings(beta: 0.05, lr: 0.05, batch: 4, seed: 9, temperature: 1e-4),
                                  maxEpochs: 100, evalEvery: 10).run(&langevin, on: task)
        XCTAssertGreaterThan(r.last!.sigma2, 1e-3)
    }

    /// The barrier against a brute-force scan of the mode loss: the largest value of
    /// f(lambda) - f(0) on the way from 0 to the nonzero minimum; none at or above beta_c.
    func testBarrierAgainstABruteForceScanOfTheModeLoss() throws {
        for (eta, beta) in [(0.8262, 0.32), (0.8, 0.2), (0.9, 0.38)] {
            let b = try XCTUnwrap(BalancedTheory.barrier(eta: eta, beta: beta, depth: 3))
            let f0 = BalancedTheory.modeLoss(lambda: 0, eta: eta, beta: beta, depth: 3)
            var best = -Double.infinity, at = 0.0
            // Up to the critical lambda eta (1-k)/(2-k) = eta / 4 (past the barrier top, short of the minimum).
            for i in 1...200_000 {
                let lambda = Double(i) / 200_000 * eta / 4
                let v = BalancedTheory.modeLoss(lambda: lambda, eta: eta, beta: beta, depth: 3) - f0
                if v > best { best = v; at = lambda }
            }
            XCTAssertEqual(b.height, best, accuracy: 1e-9, "eta \(eta) beta \(beta)")
            XCTAssertEqual(b.lambda, at, accuracy: 1e-4)
        }
        // Hand check for the trap of Experiments/l2-hysteresis (eta 0.8262, beta 0.32): the top at
        // lambda ~ 0.078 (README), f = (0.078 - 0.8262)^2 + 0.96 * 0.078^(2/3) - 0.8262^2 ~ 0.052.
        XCTAssertEqual(BalancedTheory.barrier(eta: 0.8262, beta: 0.32, depth: 3)!.height, 0.052, accuracy: 0.002)
        XCTAssertNil(BalancedTheory.barrier(eta: 0.8, beta: BalancedTheory.criticalBeta(eta: 0.8, depth: 3) + 1e-6, depth: 3))
    }

    /// The censored maximum-likelihood mean: time trapped over all runs / escapes.
    func testCensoredMeanAndTheNoiseAxis() throws {
        let record = EpochRecord(epoch: 0, trainMSE: 1, testMSE: 1, objective: 1, singularValues: [1, 0])
        func run(_ escape: Int?) -> EscapeRun {
            EscapeRun(lr: 0.005, batch: 64, seed: 1, budget: 1000, escape: EscapeEpochs(byMSE: escape, bySigma2: escape),
                      final: record, temperature: 0.02)
        }
        let p = ArrheniusPoint(lr: 0.005, batch: 64, runs: [run(100), run(300), run(nil)], axis: .inverseTemperature, temperature: 0.02)
        XCTAssertEqual(p.meanEscapeCensoredMLE!, (100 + 300 + 1000) / 2.0)
        XCTAssertEqual(p.meanEscapeLowerBound, 1400 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(p.noiseInverse, 50, accuracy: 1e-12)
        XCTAssertEqual(p.censored, 1)
        XCTAssertNil(ArrheniusPoint(lr: 0.005, batch: 64, runs: [run(nil)]).meanEscapeCensoredMLE)
        XCTAssertTrue(p.csvRows[2].hasSuffix(",true,1.0,0.0,0.02,0.0"), p.csvRows[2])

        let e = try ArrheniusExperiment(lrs: [], temperatures: [0.01, 0.02], labelNoises: [], batch: 64, seeds: 2, budget: 10, evalEvery: 1)
        XCTAssertEqual(e.axis, .inverseTemperature)
        XCTAssertEqual(e.levels, [.init(lr: 0.005, temperature: 0.01), .init(lr: 0.005, temperature: 0.02)])
        func message(_ lrs: [Double], _ ts: [Double], _ ss: [Double]) -> String {
            do { _ = try ArrheniusExperiment(lrs: lrs, temperatures: ts, labelNoises: ss, batch: 64, seeds: 2, budget: 10, evalEvery: 1); return "" }
            catch { return (error as? GrokError)?.message ?? "\(error)" }
        }
        XCTAssertEqual(message([0.1, 0.2], [0.01, 0.02], []), "list one noise axis at a time: --lrs and --noise-temperature both have several values")
        XCTAssertTrue(message([0.1], [0.01], []).hasPrefix("give several values to one of"))
        XCTAssertEqual(message([], [0.01, -1], []), "--noise-temperature: every temperature must be > 0")
        XCTAssertThrowsError(try SGDSettings(beta: 0.1, lr: 0.01, batch: 4, temperature: -1)) {
            XCTAssertEqual(($0 as? GrokError)?.message, "--noise-temperature must be a finite number >= 0 (got -1.0)")
        }
        XCTAssertThrowsError(try SGDSettings(beta: 0.1, lr: 0.01, batch: 4, labelNoise: .nan))
    }

    func testLineFitSlopeStandardErrorAgainstHandValues() throws {
        // x = 0,1,2, y = 0,2,1: slope 0.5, ssRes 1.5, sxx 2 -> s.e. = sqrt(1.5 / 1 / 2) = 0.8660.
        let fit = try XCTUnwrap(LineFit.fit(x: [0, 1, 2], y: [0, 2, 1]))
        XCTAssertEqual(fit.slopeStandardError!, 0.75.squareRoot(), accuracy: 1e-12)
        XCTAssertNil(LineFit.fit(x: [0, 1], y: [0, 2])!.slopeStandardError)
    }
}
