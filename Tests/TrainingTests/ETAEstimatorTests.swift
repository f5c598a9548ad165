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

    /// The step cost is a time-weighted exponential average: a new stretch of `dt` seconds
    /// moves it by 1 - exp(-dt / tau) of the way, tau = max(20 s, measured / 2).
    func testStepCostSmoothsOverTimeNotOverCalls() throws {
        var e = ETAEstimator(totalSteps: 10_000)
        e.recordSteps(count: 1000, seconds: 10)          // 10 ms
        e.recordSteps(count: 100, seconds: 2)            // 20 ms for 2 s: tau = 20 s
        let w = 1 - exp(-2.0 / 20)
        XCTAssertEqual(try XCTUnwrap(e.estimate(atStep: 1100)).secondsPerStep, 0.01 + w * 0.01, accuracy: 1e-12)
        // Later the time constant is half the measured step time: 100 s measured -> 50 s.
        var late = ETAEstimator(totalSteps: 100_000)
        late.recordSteps(count: 10_000, seconds: 100)    // 10 ms
        late.recordSteps(count: 500, seconds: 10)        // 20 ms for 10 s
        XCTAssertEqual(try XCTUnwrap(late.estimate(atStep: 10_500)).secondsPerStep,
                       0.01 + (1 - exp(-10.0 / 50)) * 0.01, accuracy: 1e-12)
        // Many tiny stretches weigh what one stretch of the same total time does (to first order).
        var a = ETAEstimator(totalSteps: 10_000), b = a
        a.recordSteps(count: 1000, seconds: 10); b.recordSteps(count: 1000, seconds: 10)
        for _ in 0..<200 { a.recordSteps(count: 1, seconds: 0.02) }
        b.recordSteps(count: 200, seconds: 4)
        XCTAssertEqual(try XCTUnwrap(a.estimate(atStep: 1200)).secondsPerStep,
                       try XCTUnwrap(b.estimate(atStep: 1200)).secondsPerStep, accuracy: 2e-4)
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
