import XCTest
import Foundation
import Training

final class ETAEstimatorTests: XCTestCase {
    /// Steps and evaluations are costed separately: hand-computed.
    func testRemainingTimeIsStepsTimesStepCostPlusEvaluationsTimesTheirCost() throws {
        var e = ETAEstimator(totalSteps: 1000, evaluationSteps: [0, 1, 2, 10, 100, 500, 1000])
        XCTAssertNil(e.estimate(atStep: 0))
        e.recordEvaluation(step: 0, seconds: 0.4)
        e.recordSteps(count: 100, seconds: 1.0)       // 10 ms a step
        // At step 100 before its evaluation: 900 steps x 0.01 s + 3 evaluations (100, 500,
        // 1000) x 0.4 s.
        let before = try XCTUnwrap(e.estimate(atStep: 100))
        XCTAssertEqual(before.remainingEvaluations, 3)
        XCTAssertEqual(before.seconds, 900 * 0.01 + 3 * 0.4, accuracy: 1e-12)
        e.recordEvaluation(step: 100, seconds: 0.2)   // running mean: (0.4 + 0.2) / 2
        let after = try XCTUnwrap(e.estimate(atStep: 100))
        XCTAssertEqual(after.remainingEvaluations, 2)
        XCTAssertEqual(after.secondsPerEvaluation, 0.3, accuracy: 1e-12)
        XCTAssertEqual(after.seconds, 900 * 0.01 + 2 * 0.3, accuracy: 1e-12)
        XCTAssertEqual(e.remainingEvaluations(atStep: 1000), 1)
    }

    /// The step cost is a least-squares fit over the recent stretches, each weighted by
    /// exp(-age / tau) with tau = max(20 s, measured / 2): hand-computed.
    func testStepCostIsARecencyWeightedFit() throws {
        var e = ETAEstimator(totalSteps: 10_000)
        e.recordSteps(count: 1000, seconds: 10)          // 10 ms, ended 2 s before the last
        e.recordSteps(count: 100, seconds: 2)            // 20 ms; tau = 20 s
        let w = exp(-2.0 / 20)
        let fitted = (w * 1000 * 10 + 100 * 2) / (w * 1000 * 1000 + 100 * 100)
        XCTAssertEqual(try XCTUnwrap(e.estimate(atStep: 1100)).secondsPerStep, fitted, accuracy: 1e-12)
        // Later the time constant is half the measured step time: 110 s measured -> 55 s.
        var late = ETAEstimator(totalSteps: 100_000)
        late.recordSteps(count: 10_000, seconds: 100)    // 10 ms
        late.recordSteps(count: 500, seconds: 10)        // 20 ms
        let v = exp(-10.0 / 55)
        XCTAssertEqual(try XCTUnwrap(late.estimate(atStep: 10_500)).secondsPerStep,
                       (v * 10_000 * 100 + 500 * 10) / (v * 1e8 + 500 * 500), accuracy: 1e-12)
    }

    /// Stretches made by the model itself (s n + k o, two step costs' worth of data) give back
    /// its s and k; without overlaps k is 0, and a fit that would exceed the bound is held at it.
    func testStepCostAndContentionAreRecoveredFromOverlappedStretches() throws {
        let s = 0.002, k = 0.6
        var e = ETAEstimator(totalSteps: 100_000)
        for (n, o) in [(10, 0.05), (40, 0.05), (80, 0.1), (160, 0.02), (320, 0.0), (640, 0.2)] {
            let seconds = s * Double(n) + k * o
            e.recordSteps(count: n, seconds: seconds, overlap: min(o, seconds))
        }
        let model = try XCTUnwrap(e.stepModel)
        XCTAssertEqual(model.secondsPerStep, s, accuracy: 1e-12)
        XCTAssertEqual(model.contention, k, accuracy: 1e-9)
        var plain = ETAEstimator(totalSteps: 1000)
        plain.recordSteps(count: 100, seconds: 1)
        XCTAssertEqual(try XCTUnwrap(plain.stepModel).contention, 0)
        var extreme = ETAEstimator(totalSteps: 1000)
        extreme.recordSteps(count: 10, seconds: 1.0, overlap: 0.9)   // 0.9 s lost in 0.9 s overlapped
        extreme.recordSteps(count: 100, seconds: 0.1, overlap: 0)
        XCTAssertEqual(try XCTUnwrap(extreme.stepModel).contention, ETAEstimator.maximumContention)
    }

    /// The schedule ahead played forward with a backlog of analyses: hand-computed on a small
    /// schedule. s = 1 ms, k = 0.5, a = 0.3 s per snapshot, e = 0.1 s per evaluation, two
    /// snapshots pending at step 100.
    func testBacklogOfAnalysesSlowsTheStepsAhead() throws {
        var e = ETAEstimator(totalSteps: 2000, evaluationSteps: [0, 100, 200, 400, 2000])
        // Teach it s and k: stretches that follow s n + k o exactly.
        for (n, o) in [(20, 0.0), (40, 0.02), (40, 0.0)] {
            let seconds = 0.001 * Double(n) + 0.5 * o
            e.recordSteps(count: n, seconds: seconds, overlap: o)
        }
        e.recordEvaluation(step: 0, seconds: 0.1, background: BackgroundWork(pending: 1, completed: 0))
        e.recordEvaluation(step: 100, seconds: 0.1, background: BackgroundWork(pending: 2, completed: 1, completedSeconds: 0.3))
        let model = try XCTUnwrap(e.stepModel)
        XCTAssertEqual(model.secondsPerStep, 0.001, accuracy: 1e-12)
        XCTAssertEqual(model.contention, 0.5, accuracy: 1e-9)
        // Backlog 0.6 s. Stretch 100 -> 200: 0.1 s of steps, slowed to 0.2 s, all of it
        // overlapped (backlog 0.4 s left); evaluation 0.1 s (backlog 0.3 + 0.3 = 0.6).
        // Stretch 200 -> 400: 0.2 s slowed to 0.4 s, overlapped (0.2 left); evaluation 0.1 s
        // (0.1 + 0.3 = 0.4). Stretch 400 -> 2000: 1.6 s of steps, the backlog (0.4 s) costs
        // 0.5 x 0.4 = 0.2 s; the last evaluation 0.1 s.
        let expected = 0.2 + 0.1 + 0.4 + 0.1 + (1.6 + 0.2) + 0.1
        let estimate = try XCTUnwrap(e.estimate(atStep: 100))
        XCTAssertEqual(estimate.seconds, expected, accuracy: 1e-9)
        XCTAssertEqual(estimate.remainingEvaluations, 3)
        // Without the backlog the same schedule costs its steps and evaluations only, plus a
        // snapshot's analysis k a in each stretch after an evaluation.
        var idle = e
        idle.recordEvaluation(step: 100, seconds: 0.1, background: BackgroundWork(pending: 0, completed: 3, completedSeconds: 0.9))
        XCTAssertEqual(try XCTUnwrap(idle.estimate(atStep: 100)).seconds, 1.9 + 3 * 0.1 + 2 * 0.5 * 0.3, accuracy: 1e-9)
    }

    func testAGuessUntilOnePercentAndFiveSecondsAndThreeEvaluationsAreMeasured() throws {
        var e = ETAEstimator(totalSteps: 100_000, evaluationSteps: Array(0...10) + [100_000])
        for s in 0...3 { e.recordEvaluation(step: s, seconds: 0.1) }
        e.recordSteps(count: 999, seconds: 10)
        XCTAssertTrue(try XCTUnwrap(e.estimate(atStep: 999)).isGuess)     // < 1% of the steps
        e.recordSteps(count: 1, seconds: 0.01)
        XCTAssertFalse(try XCTUnwrap(e.estimate(atStep: 1000)).isGuess)
        var fast = ETAEstimator(totalSteps: 1000)
        fast.recordSteps(count: 500, seconds: 1)
        XCTAssertTrue(try XCTUnwrap(fast.estimate(atStep: 500)).isGuess)  // only 1 s measured
        // Steps that the analyses overlapped all the time: their own cost is unknown.
        var crowded = ETAEstimator(totalSteps: 100_000)
        crowded.recordSteps(count: 2000, seconds: 30, overlap: 30)
        XCTAssertTrue(try XCTUnwrap(crowded.estimate(atStep: 2000)).isGuess)
        crowded.recordSteps(count: 1000, seconds: 10, overlap: 2)
        XCTAssertFalse(try XCTUnwrap(crowded.estimate(atStep: 3000)).isGuess)
    }

    func testProgressLineSaysETATildeWhileAGuess() {
        let guess = ETAEstimator.Estimate(seconds: 9300, isGuess: true, secondsPerStep: 0.01,
                                          secondsPerEvaluation: 0.1, remainingEvaluations: 3)
        XCTAssertEqual(ProgressReporter.etaText(guess), "ETA ~2h35m")
        var sure = guess; sure.isGuess = false; sure.seconds = 545
        XCTAssertEqual(ProgressReporter.etaText(sure), "ETA 9m05s")
        XCTAssertEqual(ProgressReporter.etaText(nil), "ETA ?")
    }
}
