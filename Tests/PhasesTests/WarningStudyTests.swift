import Phases
import XCTest
import RunFiles

/// Scoring against the accuracy collapse, and thresholds held out by seed, on hand-made runs.
final class WarningStudyTests: XCTestCase {
    static let steps = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000]
    /// Peak 0.9 at 10^3; 0.7, 0.6, 0.5 from 10^5: three evaluations 0.1 below the peak, so the
    /// collapse onset is 10^5.
    static let collapsing = [0.1, 0.2, 0.5, 0.9, 0.85, 0.7, 0.6, 0.5]
    static let steady = [0.1, 0.2, 0.5, 0.9, 0.88, 0.87, 0.86, 0.85]

    /// A signal read from fc1's KS column, fired above a threshold chosen from 0.1 ... 0.9.
    static let signal = WarningSignal(name: "test", meaning: "fc1's KS above a threshold", side: .above, fixedThreshold: nil,
                                      tuning: .init(grid: (1...9).map { Double($0) / 10 }, fallback: 0.35)) { $0.ksStat["fc1"] ?? [] }

    static func run(_ name: String, seed: Int, test: [Double], signal values: [Double]) -> WarningRun {
        let points = steps.indices.map { HTSRLayerPoint(step: steps[$0], layer: "fc1", alpha: 3, numTraps: 0, ksStat: values[$0]) }
        let accuracy = steps.indices.map { AccuracyPoint(step: steps[$0], trainAccuracy: $0 == 0 ? 0.5 : 1, testAccuracy: test[$0]) }
        return WarningRun(name: name, seed: seed, series: WeightSeries(points: points, layers: ["fc1"]), accuracyPoints: accuracy)
    }

    /// On seed 1 alone the best threshold is 0.4 (in time at 10^4, the control peaks at 0.4 and
    /// stays quiet); on seed 0 alone it is 0.2. Held out, each seed is scored with the other's:
    /// seed 0's collapse is then caught late (at 10^5, its onset) and seed 1's control raises
    /// a false alarm: a threshold tuned on the scored runs themselves would have hidden both.
    static let runs = [
        run("s0-collapse", seed: 0, test: collapsing, signal: [0, 0, 0.1, 0.1, 0.3, 0.5, 0.9, 0.9]),
        run("s0-control", seed: 0, test: steady, signal: [0, 0, 0, 0.1, 0.1, 0.2, 0.2, 0.2]),
        run("s1-collapse", seed: 1, test: collapsing, signal: [0, 0, 0.1, 0.2, 0.6, 0.7, 0.8, 0.9]),
        run("s1-control", seed: 1, test: steady, signal: [0, 0, 0.1, 0.1, 0.3, 0.4, 0.4, 0.4]),
    ]

    func testTheAccuracyTruthOfTheHandMadeRuns() throws {
        let a = try XCTUnwrap(Self.runs[0].accuracy)
        XCTAssertEqual(a.collapseStep, 100_000)
        XCTAssertEqual(a.peakStep, 1000)
        XCTAssertNil(Self.runs[1].accuracy?.collapseStep)
    }

    func testLeaveOneSeedOutScoresEachSeedWithTheOthersThreshold() throws {
        let (firings, summaries) = WarningStudy.evaluate(runs: Self.runs, signals: [Self.signal])
        func f(_ run: String) throws -> SignalFiring { try XCTUnwrap(firings.first { $0.run == run }) }
        XCTAssertEqual(try f("s0-collapse").threshold, 0.4)
        XCTAssertEqual(try f("s0-collapse").thresholdSource, "seeds 1")
        XCTAssertEqual(try f("s0-collapse").firstStep, 100_000)
        XCTAssertEqual(try f("s0-collapse").outcome, .late)
        XCTAssertEqual(try f("s0-control").outcome, .quiet)
        XCTAssertEqual(try f("s1-collapse").threshold, 0.2)
        XCTAssertEqual(try f("s1-collapse").thresholdSource, "seeds 0")
        XCTAssertEqual(try f("s1-collapse").outcome, .inTime)
        XCTAssertEqual(try f("s1-collapse").leadSteps, 90_000)
        XCTAssertEqual(try XCTUnwrap(try f("s1-collapse").leadDecades), 1, accuracy: 1e-12)
        XCTAssertEqual(try f("s1-collapse").testAccuracyAtWarning, 0.85)
        XCTAssertEqual(try f("s1-control").firstStep, 10_000)
        XCTAssertEqual(try f("s1-control").outcome, .falseAlarm)

        let s = try XCTUnwrap(summaries.first)
        XCTAssertEqual(s.collapsedRuns, 2)
        XCTAssertEqual(s.inTime, 1)
        XCTAssertEqual(s.late, 1)
        XCTAssertEqual(s.controlRuns, 2)
        XCTAssertEqual(s.falseAlarms, 1)
        XCTAssertFalse(s.warnsInTime)
        // Median lead over the two collapsed runs: +90,000 (in time) and 0 (at the onset).
        XCTAssertEqual(try XCTUnwrap(s.medianLeadSteps), 45_000, accuracy: 1e-9)
    }

    func testOneSeedHasNothingToHoldOutAndUsesTheFallback() throws {
        let (firings, _) = WarningStudy.evaluate(runs: Array(Self.runs.prefix(2)), signals: [Self.signal])
        for f in firings {
            XCTAssertEqual(f.threshold, 0.35)
            XCTAssertEqual(f.thresholdSource, "fallback")
        }
        XCTAssertEqual(firings[0].firstStep, 100_000)
    }

    func testOutcomesBeforeThePeakAndMissed() throws {
        let fixed = WarningSignal(name: "fixed", meaning: "", side: .above, fixedThreshold: 0.05, tuning: nil) { $0.ksStat["fc1"] ?? [] }
        let never = WarningSignal(name: "never", meaning: "", side: .above, fixedThreshold: 5, tuning: nil) { $0.ksStat["fc1"] ?? [] }
        let (firings, summaries) = WarningStudy.evaluate(runs: Self.runs, signals: [fixed, never])
        // 0.1 > 0.05 at step 100, before the peak at 10^3.
        XCTAssertEqual(firings.first { $0.signal == "fixed" && $0.run == "s0-collapse" }?.outcome, .beforePeak)
        XCTAssertEqual(firings.first { $0.signal == "never" && $0.run == "s0-collapse" }?.outcome, .missed)
        XCTAssertEqual(summaries[1].missed, 2)
        XCTAssertEqual(summaries[0].beforePeak, 2)
        XCTAssertEqual(summaries[0].falseAlarms, 2)
    }

    func testRunsWithoutTheColumnOrTheTruth() {
        let noKS = WarningRun(name: "old", seed: 0, series: WeightSeries(points: Self.steps.map {
            HTSRLayerPoint(step: $0, layer: "fc1", alpha: 3, numTraps: 0) }, layers: ["fc1"]), accuracyPoints: [])
        let (firings, summaries) = WarningStudy.evaluate(runs: [noKS], signals: [Self.signal])
        XCTAssertEqual(firings[0].outcome, .unavailable)
        XCTAssertEqual(summaries[0].unavailable, 1)
        let noMetrics = WarningRun(name: "bare", seed: 0, series: Self.runs[0].series, accuracyPoints: [])
        XCTAssertEqual(WarningStudy.evaluate(runs: [noMetrics], signals: [Self.signal]).firings[0].outcome, .unscored)
        XCTAssertEqual(WarningStudy.evaluate(runs: [noMetrics], signals: [Self.signal]).firings[0].firstStep, 100_000)
    }

    /// A run still training that has not collapsed yet (a 'steady' run stopped early) is not a
    /// control: the same firing that is a false alarm on a finished run is no verdict on it.
    func testAnUnfinishedRunWithoutCollapseIsNoControl() {
        let control = Self.runs[3]
        let running = WarningRun(name: "s1-running", seed: 1, series: control.series, accuracyPoints: control.accuracyPoints,
                                 finished: false)
        let finished = WarningStudy.evaluate(runs: [control], signals: [Self.signal])
        XCTAssertEqual(finished.firings[0].outcome, .falseAlarm)
        XCTAssertEqual(finished.summaries[0].controlRuns, 1)
        let open = WarningStudy.evaluate(runs: [running], signals: [Self.signal])
        XCTAssertEqual(open.firings[0].outcome, .unfinished)
        XCTAssertNotNil(open.firings[0].firstStep, "the firing step is still reported")
        XCTAssertEqual(open.summaries[0].controlRuns, 0)
        XCTAssertEqual(open.summaries[0].falseAlarms, 0)
        // A collapse already seen is scored, finished or not.
        let collapsing = Self.runs[2]
        let stillRunning = WarningRun(name: "s1-c", seed: 1, series: collapsing.series, accuracyPoints: collapsing.accuracyPoints,
                                      finished: false)
        XCTAssertNotEqual(WarningStudy.evaluate(runs: [stillRunning], signals: [Self.signal]).firings[0].outcome, .unfinished)
    }
}
