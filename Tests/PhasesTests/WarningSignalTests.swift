import Phases
import XCTest
import RunFiles

/// The weight-only signals on hand-made series whose first firing steps are known.
final class WarningSignalTests: XCTestCase {
    static let steps = [0, 10, 100, 1000, 10_000, 100_000]

    /// fc1's alpha falls through 2 at 10^4, its centered trap appears at 10^5; fc2 stays put.
    /// fc1's squared norm 10^log_norm: 100, 79.4, 63.1, 100, 158.5, 251.2; fc2's is 1.
    static func series(fc1Alpha: [Double?] = [6, 5, 4, 3, 1.9, 1.5]) -> WeightSeries {
        var points: [HTSRLayerPoint] = []
        let logNorm = [2, 1.9, 1.8, 2.0, 2.2, 2.4]
        let centered = [0, 0, 0, 0, 0, 2]
        for (i, s) in steps.enumerated() {
            points.append(HTSRLayerPoint(step: s, layer: "fc1", alpha: fc1Alpha[i], numTraps: centered[i] + 1,
                                         numTrapsCentered: centered[i], stableRank: 80 - 10 * Double(i),
                                         ksStat: 0.01 * Double(i + 1), logNorm: logNorm[i], ergGap: 5 - 2 * i))
            points.append(HTSRLayerPoint(step: s, layer: "fc2", alpha: 5, numTraps: 0, numTrapsCentered: 0,
                                         stableRank: 40, ksStat: 0.01, logNorm: 0, ergGap: 10))
        }
        // A layer the signals do not watch, and a step only fc1 has: both ignored.
        points.append(HTSRLayerPoint(step: 10, layer: "fc3", alpha: 1, numTraps: 9))
        points.append(HTSRLayerPoint(step: 5, layer: "fc1", alpha: 0.5, numTraps: 9, numTrapsCentered: 9))
        return WeightSeries(points: points, layers: ["fc1", "fc2"])
    }

    func signal(_ name: String) throws -> WarningSignal {
        try XCTUnwrap(WarningSignal.all(layers: ["fc1", "fc2"]).first { $0.name == name }, name)
    }

    func testSeriesKeepsOnlyStepsEveryWatchedLayerHas() {
        let s = Self.series()
        XCTAssertEqual(s.steps, Self.steps)
        XCTAssertEqual(s.layers, ["fc1", "fc2"])
    }

    func testFixedRulesFireWhereTheDataSays() throws {
        let s = Self.series()
        XCTAssertEqual(try signal("alpha<2 raw fc1").firstStep(s, threshold: 2), 10_000)
        XCTAssertNil(try signal("alpha<2 raw fc2").firstStep(s, threshold: 2))
        XCTAssertEqual(try signal("traps>=1 centered fc1").firstStep(s, threshold: 0.5), 100_000)
        // WeightWatcher's count is 1 everywhere (the mean's spike), so the raw paper rule fires
        // as soon as alpha < 2; the steady rule needs a centered trap.
        XCTAssertEqual(try signal("paper rule raw").firstStep(s, threshold: 0.5), 10_000)
        XCTAssertEqual(try signal("paper rule steady").firstStep(s, threshold: 0.5), 100_000)
        // ERG gap 5, 3, 1, -1, ...: at or below 0 from 10^3.
        XCTAssertEqual(try signal("ERG gap<=0 fc1").firstStep(s, threshold: 0.5), 1000)
        XCTAssertNil(try signal("ERG gap<=0 fc2").firstStep(s, threshold: 0.5))
    }

    /// The steady alpha is a causal median over 0.1 decades: with evaluations a decade apart
    /// each window holds one value, so it equals the raw alpha here; a one-off dip among close
    /// evaluations does not move it.
    func testSteadyAlphaIgnoresAOneOffDip() throws {
        let steps = [1000, 1050, 1100, 1150, 1200]
        var points: [HTSRLayerPoint] = []
        for (i, s) in steps.enumerated() {
            points.append(HTSRLayerPoint(step: s, layer: "fc1", alpha: i == 2 ? 1.5 : 3, numTraps: 1))
        }
        let series = WeightSeries(points: points, layers: ["fc1"])
        XCTAssertEqual(try signal("alpha<2 raw fc1").firstStep(series, threshold: 2), 1100)
        XCTAssertNil(try signal("alpha<2 steady fc1").firstStep(series, threshold: 2))
    }

    /// Total norm sqrt(10^x + 1): 10.05, 8.97, 8.01 (the minimum), 10.05, 12.63, 15.88; the rise
    /// over the running minimum is 0, 0, 0, 0.255, 0.577, 0.984.
    func testWeightNormRiseOverItsRunningMinimum() throws {
        let sig = try signal("weight norm rise")
        let v = sig.values(Self.series())
        let norms = [2, 1.9, 1.8, 2.0, 2.2, 2.4].map { (pow(10, $0) + 1).squareRoot() }
        for (i, n) in norms.enumerated() {
            XCTAssertEqual(try XCTUnwrap(v[i]), n / norms[0...min(i, 2)].min()! - 1, accuracy: 1e-12)
        }
        XCTAssertEqual(sig.firstStep(Self.series(), threshold: 0.1), 1000)
        XCTAssertEqual(sig.firstStep(Self.series(), threshold: 0.3), 10_000)
        XCTAssertEqual(sig.firstStep(Self.series(), threshold: 0.6), 100_000)
        XCTAssertNil(sig.firstStep(Self.series(), threshold: 1))
    }

    func testStableRankAndKSAgainstTheirThresholds() throws {
        let s = Self.series()
        // Stable rank 80, 70, 60, 50, 40, 30 over its first value 80: below 0.6 from 10^4.
        XCTAssertEqual(try signal("stable rank fc1").firstStep(s, threshold: 0.6), 10_000)
        // KS 0.01 ... 0.06: above 0.035 from 10^3.
        XCTAssertEqual(try signal("KS fc1").firstStep(s, threshold: 0.035), 1000)
    }

    /// alpha = 10 - 2 log10(step) has slope -2 per decade: the signal reads 2 wherever the last
    /// decade holds three evaluations.
    func testAlphaSlopeIsTheLeastSquaresSlopePerDecade() throws {
        let steps = [0, 1, 2, 3, 5, 10, 20, 30, 50, 100]
        let points = steps.map { HTSRLayerPoint(step: $0, layer: "fc1", alpha: 10 - 2 * log10(Double(max($0, 1))), numTraps: 0) }
        let v = try signal("alpha slope fc1").values(WeightSeries(points: points, layers: ["fc1"]))
        XCTAssertNil(v[0], "step 0 has no logarithm")
        XCTAssertNil(v[1], "one evaluation in its decade")
        XCTAssertNil(v[2], "two evaluations in its decade")
        for i in 3..<steps.count { XCTAssertEqual(try XCTUnwrap(v[i]), 2, accuracy: 1e-12, "step \(steps[i])") }
    }

    func testSustainNeedsConsecutiveEvaluations() throws {
        // alpha < 2 at 10 and from 1000 on: one evaluation fires at 10, two in a row at 1000.
        let s = Self.series(fc1Alpha: [6, 1.5, 4, 1.9, 1.8, 1.7])
        let sig = try signal("alpha<2 raw fc1")
        XCTAssertEqual(sig.firstStep(s, threshold: 2, sustain: 1), 10)
        XCTAssertEqual(sig.firstStep(s, threshold: 2, sustain: 2), 1000)
        // A missing alpha breaks a run.
        let gap = Self.series(fc1Alpha: [6, 5, 1.5, nil, 1.8, 1.7])
        XCTAssertEqual(sig.firstStep(gap, threshold: 2, sustain: 2), 10_000)
        XCTAssertFalse(sig.isAvailable(Self.series(fc1Alpha: [nil, nil, nil, nil, nil, nil])))
        // A column filled in at a few steps only (a later relabel of a run with pruned
        // snapshots) is not enough: 90% of the steps must have it.
        XCTAssertFalse(sig.isAvailable(Self.series(fc1Alpha: [nil, nil, nil, nil, 1.8, 1.7])))
        XCTAssertFalse(sig.isAvailable(Self.series(fc1Alpha: [6, 5, 4, 3, 1.8, nil])))
        XCTAssertTrue(sig.isAvailable(Self.series()))
    }
}
