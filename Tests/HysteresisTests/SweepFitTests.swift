import XCTest
import GrokCore
import Hysteresis

final class SweepFitTests: XCTestCase {
    func testLineFitAgainstHandValues() throws {
        let exact = try XCTUnwrap(LineFit.fit(x: [0, 1, 2, 3], y: [1, 3, 5, 7]))
        XCTAssertEqual(exact.slope, 2, accuracy: 1e-12)
        XCTAssertEqual(exact.intercept, 1, accuracy: 1e-12)
        XCTAssertEqual(exact.rSquared, 1, accuracy: 1e-12)
        // x = 0,1,2, y = 0,2,1: mean x 1, mean y 1, sxy = 1, sxx = 2 -> slope 0.5, intercept 0.5;
        // residuals -0.5, 1, -1 -> ssRes 2.25... (0.25 + 1 + 0.25 = 1.5), ssTot 2 -> R^2 0.25.
        let noisy = try XCTUnwrap(LineFit.fit(x: [0, 1, 2], y: [0, 2, 1]))
        XCTAssertEqual(noisy.slope, 0.5, accuracy: 1e-12)
        XCTAssertEqual(noisy.intercept, 0.5, accuracy: 1e-12)
        XCTAssertEqual(noisy.rSquared, 0.25, accuracy: 1e-12)
        XCTAssertNil(LineFit.fit(x: [1], y: [2]))
        XCTAssertNil(LineFit.fit(x: [1, 1], y: [2, 3]))
    }

    func testScheduleAndCriterionErrors() {
        XCTAssertEqual(try QuasiStaticSweep.grid(min: 0.3, max: 0.32, step: 0.01).count, 3)
        XCTAssertThrowsError(try QuasiStaticSweep.grid(min: 0.4, max: 0.3, step: 0.01))
        XCTAssertThrowsError(try QuasiStaticSweep.grid(min: -0.1, max: 0.3, step: 0.01))
        XCTAssertThrowsError(try QuasiStaticSweep.grid(min: 0, max: 0.3, step: 0))
        XCTAssertThrowsError(try QuasiStaticSweep(betas: [], lr: 0.01, batch: 64, seed: 0, criterion: ConvergenceCriterion()))
        XCTAssertThrowsError(try QuasiStaticSweep(betas: [-1], lr: 0.01, batch: 64, seed: 0, criterion: ConvergenceCriterion()))
        XCTAssertThrowsError(try ConvergenceCriterion(window: 15, evalEvery: 10))
    }

    /// Both branches of a short sweep: up from a small beta the network is full rank and stays
    /// so below beta_c; down from above beta_c of the weak mode it is rank one and stays so.
    func testSweepShowsBothBranches() throws {
        let task = try TeacherTask(teacher: GaussianTeacher())
        let bc = try task.sampleEtas().map { BalancedTheory.criticalBeta(eta: $0, depth: 3) }
        XCTAssertGreaterThan(bc[1], 0.3)
        let sweep = try QuasiStaticSweep(betas: [0.05, 0.3, 0.39], lr: 0.01, batch: 64, seed: 0,
                                         criterion: ConvergenceCriterion(window: 200, maxEpochs: 20000))
        let points = try sweep.run(shape: LinearShape(), task: task)
        XCTAssertEqual(points.map(\.direction), [.down, .down, .down, .up, .up, .up])
        XCTAssertEqual(points.map(\.beta), [0.39, 0.3, 0.05, 0.05, 0.3, 0.39])
        XCTAssertEqual(points.map { $0.record.rank() }, [1, 1, 1, 2, 2, 1])
        XCTAssertTrue(points.allSatisfy(\.converged))
        // At beta 0.3 the two branches differ: the hysteresis.
        XCTAssertGreaterThan(points[1].record.testMSE, points[4].record.testMSE + 0.3)
        let csv = QuasiStaticSweep.csv(points).split(separator: "\n")
        XCTAssertEqual(csv.count, 7)
        XCTAssertTrue(csv[1].hasPrefix("down,0.39,"))
    }
}
