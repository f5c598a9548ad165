import XCTest
import Training

final class ScheduleTests: XCTestCase {
    func testStepCountAcceptsTheUsualSpellings() throws {
        XCTAssertEqual(try StepCount.parse("1e7"), 10_000_000)
        XCTAssertEqual(try StepCount.parse("10000000"), 10_000_000)
        XCTAssertEqual(try StepCount.parse("10_000_000"), 10_000_000)
        XCTAssertEqual(try StepCount.parse("3e5"), 300_000)
        XCTAssertEqual(try StepCount.parse("2.5e3"), 2500)
    }

    func testStepCountRejectsNonPositiveAndFractional() {
        for bad in ["0", "-5", "1.5", "abc", "", "1e-3", "nan", "inf", "-1e7"] {
            XCTAssertThrowsError(try StepCount.parse(bad), bad)
        }
    }

    func testLogScheduleHasExactlyNDistinctStepsPlusZero() {
        let steps = EvaluationSchedule.log.steps(total: 10_000_000, snapshots: 200)
        XCTAssertEqual(steps.count, 201)                 // 200 steps from 1 to 1e7, plus step 0
        XCTAssertEqual(steps.first, 0)
        XCTAssertEqual(steps[1], 1)
        XCTAssertEqual(steps.last, 10_000_000)
        XCTAssertEqual(Set(steps).count, steps.count)
        XCTAssertEqual(steps, steps.sorted())
        // Evenly spread in log(step): in the sparse upper part the ratio between neighbours is
        // (1e7)^(1/199) = 1.0843.
        let ratio = Double(steps[200]) / Double(steps[199])
        XCTAssertEqual(ratio, pow(1e7, 1.0 / 199), accuracy: 1e-3)
        // Middle: step index 100 of 0..199 is at 1e7^(100/199) = 3321 (rounded).
        XCTAssertEqual(steps[101], Int(pow(1e7, 100.0 / 199).rounded()))
    }

    func testLogScheduleWithMoreSnapshotsThanStepsTakesEveryStep() {
        XCTAssertEqual(EvaluationSchedule.log.steps(total: 5, snapshots: 200), [0, 1, 2, 3, 4, 5])
    }

    func testAuthorsSchedule() {
        // steps 1500: every step below 30, every 10 from 30 to 140, then every ceil(1500/150) = 10.
        let s = EvaluationSchedule.authors.steps(total: 1500, snapshots: 0)
        XCTAssertEqual(Array(s.prefix(31)), Array(0...29) + [30])
        XCTAssertTrue(s.contains(140) && s.contains(150) && s.contains(1500))
        XCTAssertEqual(s.count, 30 + 148)   // 0..29, then 30, 40, ..., 1500
        // 10^7 steps: after 140, every 66,667 steps.
        let big = EvaluationSchedule.authors.steps(total: 10_000_000, snapshots: 0)
        let after = big.filter { $0 > 140 }
        XCTAssertEqual(after.first, 66_667)
        XCTAssertEqual(after[1] - after[0], 66_667)
        XCTAssertEqual(big.last, 10_000_000)
    }
}
