import Foundation
import XCTest
import Phases
import RunFiles

final class SteadyAlphaTests: XCTestCase {
    func testCausalMedianByHand() {
        // Window 0.25 decades: step s sees the evaluations in [s / 1.778, s].
        let steps = [0, 10, 12, 15, 18, 100]
        let values: [Double?] = [6, 3.5, 8, 3.6, 3.7, nil]
        let m = SteadyAlpha.causalMedian(steps: steps, values: values, decades: 0.25)
        XCTAssertEqual(m[0], 6)           // step 0 is its own window
        XCTAssertEqual(m[1], 3.5)         // {10}
        XCTAssertEqual(m[2], 5.75)        // {10, 12}: (3.5 + 8) / 2
        XCTAssertEqual(m[3], 3.6)         // {10, 12, 15}
        XCTAssertEqual(m[4], 3.7)         // {12, 15, 18}: 10 < 18 / 1.778 = 10.1 drops out
        XCTAssertNil(m[5])                // {100}: no fit
        XCTAssertEqual(SteadyAlpha.causalMedian(steps: steps, values: values, decades: 0).map { $0 }, values)
    }

    func testCausal() {
        let steps = Array(1...60)
        let a: [Double?] = steps.map { Double($0 % 7) }
        var b = a
        for i in 40..<60 { b[i] = 100 }
        let ma = SteadyAlpha.causalMedian(steps: steps, values: a, decades: 0.3)
        let mb = SteadyAlpha.causalMedian(steps: steps, values: b, decades: 0.3)
        XCTAssertEqual(Array(ma[0..<40]), Array(mb[0..<40]), "later evaluations never change earlier values")
        XCTAssertNotEqual(ma[59], mb[59])
    }

    /// FC1's alpha flips between two KS minima (3.4 twice, then 8 once, repeating), FC2 sits at 3:
    /// per snapshot the rule flips pre-grokking / grokking every third evaluation; on the
    /// running median it settles on grokking once the window holds enough evaluations.
    func testMedianStopsPhaseFlipping() {
        let steps = (0..<60).map { Int((1000 * pow(10, Double($0) * 0.04)).rounded()) }
        var points: [HTSRLayerPoint] = []
        for (k, s) in steps.enumerated() { points += rows(s, k % 3 == 2 ? 8 : 3.4, 0, 3, 0) }
        let perSnapshot = HTSRPhases(points: points, thresholds: raw)
        let flips = zip(perSnapshot.labels, perSnapshot.labels.dropFirst()).filter { $0 != $1 }.count
        XCTAssertGreaterThan(flips, 30)
        var paperRule = HTSRThresholds(); paperRule.rule = .paper
        let steady = HTSRPhases(points: points, thresholds: paperRule)
        XCTAssertEqual(Set(steady.labels.dropFirst(3)), [.grokking])
        XCTAssertEqual(steady.ruleAlpha["fc1"]?.last!, 3.4)
        XCTAssertEqual(perSnapshot.ruleAlpha["fc1"]?.last!, 8)
    }

    func testCenteredTrapCount() {
        func layer(_ step: Int, _ name: String, _ alpha: Double, _ traps: Int, _ centered: Int?) -> HTSRLayerPoint {
            HTSRLayerPoint(step: step, layer: name, alpha: alpha, numTraps: traps, numTrapsCentered: centered)
        }
        // Step 1: grokking-range alphas, each layer's one trap is the mean's (centered 0).
        // Step 2: fc1 alpha < 2 with a mean-only trap: anti-grokking only by WeightWatcher's count.
        // Step 3: no centered column (an old htsr.csv): the rule falls back to num_traps.
        let points = [layer(1, "fc1", 3, 1, 0), layer(1, "fc2", 3, 1, 0),
                      layer(2, "fc1", 1.5, 1, 0), layer(2, "fc2", 3, 0, 0),
                      layer(3, "fc1", 1.5, 2, nil), layer(3, "fc2", 3, 0, nil)]
        var centered = raw; centered.trapCount = .centered
        var ww = raw; ww.trapCount = .weightwatcher
        XCTAssertEqual(HTSRPhases(points: points, thresholds: centered).labels, [.grokking, .grokking, .antiGrokking])
        XCTAssertEqual(HTSRPhases(points: points, thresholds: ww).labels, [.unknown, .antiGrokking, .antiGrokking])
    }

    func testThresholdsWrittenBeforeTheNewKeysReadAsTheOldRule() throws {
        let old = #"{"layers": ["fc1", "fc2"], "pre_grokking_alpha": 5, "grokking_low": 2, "grokking_high": 4, "anti_grokking_alpha": 2, "hold_last_label": true, "sustain": 1}"#
        let t = try JSONDecoder().decode(HTSRThresholds.self, from: Data(old.utf8))
        XCTAssertEqual(t.alphaWindowDecades, 0)
        XCTAssertEqual(t.trapCount, .weightwatcher)
        XCTAssertEqual(t, HTSRThresholds().baseline)
        let now = try JSONDecoder().decode(HTSRThresholds.self, from: JSONEncoder().encode(HTSRThresholds()))
        XCTAssertEqual(now, HTSRThresholds())
    }
}

final class PhaseConfusionTests: XCTestCase {
    func testCountsAndRecallByHand() throws {
        // The PhaseComparisonTests run: accuracy mem, pre, grokking, grokked, grokked, anti x3;
        // HTSR pre, pre, grokking, grokking, anti, anti, unknown, (none at 80).
        let acc: [(Int, Double, Double)] = [(10, 0.5, 0.1), (20, 1, 0.2), (30, 1, 0.5), (40, 1, 0.85),
                                            (50, 1, 0.86), (60, 1, 0.5), (70, 1, 0.5), (80, 1, 0.5)]
        var t = PhaseThresholds(); t.smoothingRadius = 0
        let a = AccuracyPhases(points: acc.map { AccuracyPoint(step: $0.0, trainAccuracy: $0.1, testAccuracy: $0.2) }, thresholds: t)
        var h: [HTSRLayerPoint] = []
        h += rows(10, 6, 0, 6, 0); h += rows(20, 5, 0, 3, 0); h += rows(30, 3, 0, 3, 0)
        h += rows(40, 3, 0, 2.5, 0); h += rows(50, 1.5, 1, 2.5, 0); h += rows(60, 1.5, 1, 2, 0)
        h += rows(70, nil, nil, 2, 0)
        let c = PhaseConfusion(accuracy: a, htsr: HTSRPhases(points: h, thresholds: raw))
        // Columns: pre-grokking, grokking, anti-grokking, unknown.
        XCTAssertEqual(c.counts, [[1, 0, 0, 0],   // memorizing
                                  [1, 0, 0, 0],   // pre-grokking
                                  [0, 1, 0, 0],   // grokking
                                  [0, 1, 1, 0],   // grokked
                                  [0, 0, 1, 1]])  // anti-grokking (80 has no HTSR row)
        XCTAssertEqual(c.evaluations, 7)
        XCTAssertEqual(c.recall(.memorizing), 1)
        XCTAssertEqual(c.recall(.grokked), 0.5)
        XCTAssertEqual(c.recall(.antiGrokking), 0.5)
        XCTAssertEqual(try XCTUnwrap(c.balancedRecall), 0.8, accuracy: 1e-15)
        XCTAssertEqual(c.total(.grokked), 2)

        // Round trip through JSON, and the explicit expectations in the file.
        let data = try JSONEncoder().encode(c)
        XCTAssertEqual(try JSONDecoder().decode(PhaseConfusion.self, from: data), c)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual((json["expected"] as? [String: String])?["memorizing"], "pre-grokking")
        XCTAssertEqual((json["expected"] as? [String: String])?["grokked"], "grokking")
        XCTAssertEqual((json["recall"] as? [String: Any])?["grokked"] as? Double, 0.5)
    }

    func testRunWithoutAPhaseHasNoRecallForIt() {
        let a = AccuracyPhases(points: grokkingCurve(upTo: 100_000))
        let h = HTSRPhases(points: a.steps.flatMap { rows($0, 6, 0, 6, 0) })
        let c = PhaseConfusion(accuracy: a, htsr: h)
        XCTAssertNil(c.recall(.antiGrokking))
        XCTAssertEqual(c.recall(.grokking), 0, "HTSR said pre-grokking throughout")
        XCTAssertEqual(c.recall(.preGrokking), 1)
        XCTAssertEqual(c.evaluations, a.steps.count)
    }
}
