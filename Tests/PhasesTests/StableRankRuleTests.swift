import Foundation
import XCTest
import Phases
import RunFiles

/// The stable-rank rule (the default): grokking once a rule layer's stable rank has fallen
/// by the drop fraction below its value at the earliest analysed step.
final class StableRankRuleTests: XCTestCase {
    func point(_ step: Int, _ layer: String, alpha: Double = 4, traps: Int? = 0, sr: Double?) -> HTSRLayerPoint {
        HTSRLayerPoint(step: step, layer: layer, alpha: alpha, numTraps: traps, numTrapsCentered: traps, stableRank: sr)
    }

    var rule: HTSRThresholds { var t = HTSRThresholds(); t.alphaWindowDecades = 0; return t }

    func testLabelsByHand() {
        var p: [HTSRLayerPoint] = []
        p += [point(0, "fc1", alpha: 7, sr: 100), point(0, "fc2", alpha: 6, sr: 50)]
        p += [point(10, "fc1", alpha: 7, sr: 98), point(10, "fc2", alpha: 6, sr: 49.5)]     // -2%, -1%: pre-grokking
        p += [point(20, "fc1", alpha: 7, sr: 97.5), point(20, "fc2", alpha: 6, sr: 48)]     // FC2 -4%: grokking, alpha >= 5 or not
        p += [point(30, "fc1", alpha: 3, sr: 90), point(30, "fc2", alpha: 3, traps: 1, sr: 40)]  // a trap, alpha >= 2: holds
        p += [point(40, "fc1", alpha: 1.5, traps: 2, sr: 80), point(40, "fc2", alpha: 3, sr: 30)] // alpha < 2 with traps
        p += [point(40, "fc3", alpha: 0.5, traps: 9, sr: 1)]                                  // not a rule layer
        let h = HTSRPhases(points: p.shuffled(), thresholds: rule)
        XCTAssertEqual(h.steps, [0, 10, 20, 30, 40])
        XCTAssertEqual(h.labels, [.preGrokking, .preGrokking, .grokking, .grokking, .antiGrokking])
        XCTAssertEqual(h.stableRankRatio["fc1"]![2]!, 0.975, accuracy: 1e-15)
        XCTAssertEqual(h.stableRankRatio["fc2"]![2]!, 0.96, accuracy: 1e-15)
        XCTAssertNil(h.stableRankRatio["fc3"], "only the rule's layers")

        var loose = rule; loose.stableRankDrop = 0.05
        XCTAssertEqual(HTSRPhases(points: p, thresholds: loose).labels[2], .preGrokking, "-4% is not a 5% fall")
        var paper = rule; paper.rule = .paper
        XCTAssertEqual(HTSRPhases(points: p, thresholds: paper).labels[2], .preGrokking, "Prakash & Martin's rule reads FC1's alpha 7")
    }

    func testTheReferenceIsTheFirstStepWithAStableRank() {
        let p = [point(0, "fc1", sr: nil), point(0, "fc2", sr: nil),
                 point(5, "fc1", sr: 80), point(5, "fc2", sr: 40),
                 point(9, "fc1", sr: 79), point(9, "fc2", sr: 38)]   // FC2 -5% from step 5's value
        let h = HTSRPhases(points: p, thresholds: rule)
        XCTAssertEqual(h.stableRankRatio["fc2"]!.map { $0 ?? -1 }, [-1, 1, 0.95])
        XCTAssertEqual(h.labels, [.preGrokking, .preGrokking, .grokking])
    }

    func testThresholdsWithoutTheRuleReadAsThePapersRule() throws {
        let written = #"{"layers": ["fc1", "fc2"], "alpha_window_decades": 0.1, "trap_count": "centered"}"#
        let t = try JSONDecoder().decode(HTSRThresholds.self, from: Data(written.utf8))
        XCTAssertEqual(t.rule, .paper, "phases.json files from before the rule existed were labelled by alpha")
        XCTAssertEqual(t.stableRankDrop, 0.03)
        let now = try JSONDecoder().decode(HTSRThresholds.self, from: JSONEncoder().encode(HTSRThresholds()))
        XCTAssertEqual(now.rule, .stableRank)
        XCTAssertEqual(HTSRThresholds().baseline.rule, .paper)
        XCTAssertTrue(HTSRThresholds().ruleDescription.contains("3% below"))
    }
}
