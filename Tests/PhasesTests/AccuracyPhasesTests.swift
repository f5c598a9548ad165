import Foundation
import XCTest
import GrokCore
import Phases
import RunFiles

/// Synthetic curves with known boundaries. Steps are log-spaced, 20 per decade.
func logSteps(upTo maxStep: Int) -> [Int] {
    var out: [Int] = []
    var k = 0
    while true {
        let s = Int((pow(10.0, Double(k) / 20.0)).rounded())
        if s > maxStep { break }
        if out.last != s { out.append(s) }
        k += 1
    }
    return out
}

/// Train fits linearly by step 2000; test 0.1 -> 0.2 by step 1000 while memorizing, plateau 0.2 until 1e4,
/// rises linearly in log10(step) to 0.88 at 5e4, then stays (until `collapseAt`, if given,
/// where it drops to 0.5 at once).
func grokkingCurve(upTo maxStep: Int, collapseAt: Int? = nil, noise: Double = 0, seed: UInt64 = 1) -> [AccuracyPoint] {
    var rng = SeededRandom(seed: seed, stream: "curve")
    return logSteps(upTo: maxStep).map { s in
        let x = Double(s)
        let train = min(1.0, x / 2000)
        var test: Double
        if x <= 2000 { test = min(0.2, 0.1 + 0.1 * x / 1000) }
        else if x <= 1e4 { test = 0.2 }
        else if x < 5e4 { test = 0.2 + 0.68 * log(x / 1e4) / log(5.0) }
        else { test = 0.88 }
        if let c = collapseAt, s >= c { test = 0.5 }
        if noise > 0 { test += noise * (2 * rng.nextUnit() - 1) }
        return AccuracyPoint(step: s, trainAccuracy: train, testAccuracy: test)
    }
}

final class AccuracyPhasesTests: XCTestCase {
    func testCleanGrokkingCurveBoundaries() {
        let points = grokkingCurve(upTo: 100_000)
        let steps = points.map(\.step)
        let phases = AccuracyPhases(points: points)
        // Hand-derived: fit when step/2000 >= 0.99; the rise threshold is 10% of the
        // 0.2 -> 0.88 gap, reached when log(s/1e4)/log 5 >= 0.1; grokked at 90%.
        let fit = steps.first { Double($0) / 2000 >= 0.99 }!
        let rise = steps.first { Double($0) >= 1e4 * pow(5, 0.1) }!
        let grokked = steps.first { Double($0) >= 1e4 * pow(5, 0.9) }!
        XCTAssertEqual(phases.fitStep, fit)
        XCTAssertEqual(phases.grokkingStep, rise)
        XCTAssertEqual(phases.grokkedStep, grokked)
        XCTAssertEqual(phases.plateauTestAccuracy!, 0.2, accuracy: 1e-12)
        XCTAssertEqual(phases.peakTestAccuracy!, 0.88, accuracy: 1e-12)
        XCTAssertEqual(phases.peakStep, steps.first { $0 >= 50_000 })
        XCTAssertNil(phases.collapseStep)
        let before = { (s: Int) in steps.last { $0 < s }! }
        XCTAssertEqual(phases.segments, [
            PhaseSegment(phase: .memorizing, startStep: 1, endStep: before(fit)),
            PhaseSegment(phase: .preGrokking, startStep: fit, endStep: before(rise)),
            PhaseSegment(phase: .grokking, startStep: rise, endStep: before(grokked)),
            PhaseSegment(phase: .grokked, startStep: grokked, endStep: 100_000),
        ])
    }

    func testSuddenCollapseFlaggedWithinSustainWindow() {
        let points = grokkingCurve(upTo: 10_000_000, collapseAt: 2_000_000)
        let steps = points.map(\.step)
        let phases = AccuracyPhases(points: points)
        let onset = steps.firstIndex { $0 >= 2_000_000 }!
        XCTAssertEqual(phases.collapseStep, steps[onset])
        XCTAssertEqual(phases.collapseDetectedStep, steps[onset + 2])  // sustain = 3
        XCTAssertEqual(phases.segments.last, PhaseSegment(phase: .antiGrokking, startStep: steps[onset], endStep: 10_000_000))
        XCTAssertFalse(phases.labels[..<onset].contains(.antiGrokking))
        // The peak is the pre-collapse plateau, not disturbed by the collapse.
        XCTAssertEqual(phases.grokkedStep, steps.first { Double($0) >= 1e4 * pow(5, 0.9) })
    }

    /// The 10^7-step paper run ends with train accuracy slipping to 0.983 after test accuracy
    /// collapsed: those evaluations stay anti-grokking (they used to read "grokked"), while a
    /// train dip with test accuracy at its peak is not a collapse, and the onset is unchanged.
    func testATrainDipAfterTheCollapseStaysAntiGrokking() {
        var points = grokkingCurve(upTo: 10_000_000, collapseAt: 2_000_000)
        let steps = points.map(\.step)
        let dip = steps.firstIndex { $0 >= 8_000_000 }!
        for k in dip..<points.count {
            points[k] = AccuracyPoint(step: steps[k], trainAccuracy: 0.983, testAccuracy: 0.47)
        }
        let phases = AccuracyPhases(points: points)
        let onset = steps.firstIndex { $0 >= 2_000_000 }!
        XCTAssertEqual(phases.collapseStep, steps[onset])
        XCTAssertEqual(phases.labels[onset...], ArraySlice(Array(repeating: .antiGrokking, count: steps.count - onset)))

        var noCollapse = grokkingCurve(upTo: 10_000_000)
        for k in dip..<noCollapse.count {
            noCollapse[k] = AccuracyPoint(step: steps[k], trainAccuracy: 0.983, testAccuracy: 0.88)
        }
        XCTAssertFalse(AccuracyPhases(points: noCollapse).labels.contains(.antiGrokking))
    }

    func testCollapseIsDetectedLiveFromPastDataOnly() {
        let points = grokkingCurve(upTo: 10_000_000, collapseAt: 2_000_000)
        let onset = points.firstIndex { $0.step >= 2_000_000 }!
        // Two collapsed evaluations seen: not yet (could be noise). Three: flagged at onset.
        let early = AccuracyPhases(points: Array(points[...(onset + 1)]))
        XCTAssertNil(early.collapseStep)
        XCTAssertFalse(early.labels.contains(.antiGrokking))
        let live = AccuracyPhases(points: Array(points[...(onset + 2)]))
        XCTAssertEqual(live.collapseStep, points[onset].step)
        XCTAssertEqual(live.labels.suffix(3), [.antiGrokking, .antiGrokking, .antiGrokking])
    }

    func testGradualCollapseOnsetWhereDropExceedsThreshold() {
        // Test falls linearly in log10(step) from 0.88 at 1e6 to 0.45 at 1e7.
        let points = grokkingCurve(upTo: 10_000_000).map { p -> AccuracyPoint in
            guard p.step > 1_000_000 else { return p }
            let f = log10(Double(p.step) / 1e6)
            return AccuracyPoint(step: p.step, trainAccuracy: 1, testAccuracy: 0.88 - 0.43 * f)
        }
        let expected = points.first { $0.step > 1_000_000 && 0.88 - $0.testAccuracy > 0.1 }!.step
        XCTAssertEqual(AccuracyPhases(points: points).collapseStep, expected)
        XCTAssertGreaterThan(expected, Int(1e6 * pow(10, 0.1 / 0.43) * 0.99))
    }

    func testNoiseDoesNotCreateFalseCollapses() {
        for seed in UInt64(1)...20 {
            let noisy = AccuracyPhases(points: grokkingCurve(upTo: 10_000_000, noise: 0.04, seed: seed))
            XCTAssertNil(noisy.collapseStep, "seed \(seed)")
            XCTAssertFalse(noisy.labels.contains(.antiGrokking))
            XCTAssertNotNil(noisy.grokkedStep)
            let collapsing = AccuracyPhases(points: grokkingCurve(upTo: 10_000_000, collapseAt: 2_000_000, noise: 0.04, seed: seed))
            XCTAssertEqual(collapsing.collapseStep, logSteps(upTo: 10_000_000).first { $0 >= 2_000_000 }, "seed \(seed)")
        }
    }

    func testShortDipsBelowSustainAreIgnored() {
        var points = grokkingCurve(upTo: 10_000_000)
        let i = points.firstIndex { $0.step >= 3_000_000 }!
        for k in i...(i + 1) { points[k] = AccuracyPoint(step: points[k].step, trainAccuracy: 1, testAccuracy: 0.4) }
        let phases = AccuracyPhases(points: points)
        XCTAssertNil(phases.collapseStep)
        XCTAssertFalse(phases.labels.contains(.antiGrokking))
        // Three in a row is a collapse (and the run recovers to grokked afterwards).
        points[i + 2] = AccuracyPoint(step: points[i + 2].step, trainAccuracy: 1, testAccuracy: 0.4)
        let collapsed = AccuracyPhases(points: points)
        XCTAssertEqual(collapsed.collapseStep, points[i].step)
        XCTAssertEqual(collapsed.labels[i..<(i + 4)], [.antiGrokking, .antiGrokking, .antiGrokking, .grokked])
    }

    func testCollapseNeedsTrainFitted() {
        // Test falls, but train accuracy falls too: divergence, not anti-grokking.
        let points = grokkingCurve(upTo: 10_000_000, collapseAt: 2_000_000).map {
            $0.step >= 2_000_000 ? AccuracyPoint(step: $0.step, trainAccuracy: 0.6, testAccuracy: $0.testAccuracy) : $0
        }
        XCTAssertNil(AccuracyPhases(points: points).collapseStep)
    }

    func testCurveThatNeverGroks() {
        let points = logSteps(upTo: 1_000_000).enumerated().map { i, s in
            AccuracyPoint(step: s, trainAccuracy: min(1, Double(s) / 2000),
                          testAccuracy: 0.2 + (i % 2 == 0 ? 0.02 : -0.02))
        }
        let phases = AccuracyPhases(points: points)
        XCTAssertNil(phases.grokkingStep)
        XCTAssertNil(phases.collapseStep)
        XCTAssertEqual(Set(phases.labels), [.memorizing, .preGrokking])
        XCTAssertEqual(phases.segments.map(\.phase), [.memorizing, .preGrokking])
    }

    func testNeverFitsIsAllMemorizing() {
        let points = (1...10).map { AccuracyPoint(step: $0 * 100, trainAccuracy: 0.5, testAccuracy: 0.3) }
        let phases = AccuracyPhases(points: points)
        XCTAssertEqual(phases.labels, Array(repeating: .memorizing, count: 10))
        XCTAssertNil(phases.fitStep)
    }

    func testEmptyAndSinglePointCurves() {
        let empty = AccuracyPhases(points: [])
        XCTAssertEqual(empty.labels, [])
        XCTAssertEqual(empty.segments, [])
        XCTAssertNil(empty.peakTestAccuracy)
        let one = AccuracyPhases(points: [AccuracyPoint(step: 5, trainAccuracy: 1, testAccuracy: 0.3)])
        XCTAssertEqual(one.labels, [.preGrokking])
        XCTAssertEqual(one.segments, [PhaseSegment(phase: .preGrokking, startStep: 5, endStep: 5)])
        let nan = AccuracyPhases(points: [AccuracyPoint(step: 5, trainAccuracy: .nan, testAccuracy: .nan)])
        XCTAssertEqual(nan.labels, [.memorizing])
    }

    func testUnsortedInputIsSortedAndDuplicatesKeepTheLast() {
        let points = [
            AccuracyPoint(step: 30, trainAccuracy: 1, testAccuracy: 0.3),
            AccuracyPoint(step: 10, trainAccuracy: 0.5, testAccuracy: 0.1),
            AccuracyPoint(step: 30, trainAccuracy: 1, testAccuracy: 0.25),
        ]
        let phases = AccuracyPhases(points: points)
        XCTAssertEqual(phases.steps, [10, 30])
        XCTAssertEqual(phases.peakTestAccuracy, 0.25)
    }
}
