import Foundation
import XCTest
import RunFiles
import GrokCore
import Phases

func rows(_ step: Int, _ a1: Double?, _ t1: Int?, _ a2: Double?, _ t2: Int?) -> [HTSRLayerPoint] {
    [HTSRLayerPoint(step: step, layer: "fc1", alpha: a1, numTraps: t1),
     HTSRLayerPoint(step: step, layer: "fc2", alpha: a2, numTraps: t2),
     HTSRLayerPoint(step: step, layer: "fc3", alpha: 0.5, numTraps: 4)]  // ignored by the rule
}

/// The paper's alpha rule on raw per-snapshot alpha: these tests are about its logic, not the smoothing.
let raw: HTSRThresholds = { var t = HTSRThresholds(); t.alphaWindowDecades = 0; t.rule = .paper; return t }()

final class HTSRPhasesTests: XCTestCase {
    func testKnownTransitions() {
        var points: [HTSRLayerPoint] = []
        points += rows(100, 8.0, 0, 7.0, 0)     // under-trained start: pre-grokking
        points += rows(200, 5.0, 0, 2.9, 0)     // Prakash & Martin's pre-grokking (5.0 / 2.9)
        points += rows(300, 4.6, 0, 3.8, 0)     // mean 4.2: in between, holds pre-grokking
        points += rows(400, 3.6, 0, 2.3, 0)     // grokking (3.6 / 2.3)
        points += rows(500, 1.9, 0, 2.3, 0)     // alpha < 2 but no trap: mean 2.1, grokking
        points += rows(600, 0.9, 7, 1.3, 1)     // anti-grokking (0.9 / 1.3, traps 7 / 1)
        points += rows(700, nil, nil, 1.3, 1)   // fc1 fit failed: unknown
        points += rows(800, 1.5, 2, 2.5, 0)     // anti-grokking again
        let h = HTSRPhases(points: points.shuffled(), thresholds: raw)
        XCTAssertEqual(h.steps, [100, 200, 300, 400, 500, 600, 700, 800])
        XCTAssertEqual(h.labels, [.preGrokking, .preGrokking, .preGrokking, .grokking, .grokking,
                                  .antiGrokking, .unknown, .antiGrokking])
        XCTAssertEqual(h.meanAlpha[3]!, 2.95, accuracy: 1e-12)
        XCTAssertNil(h.meanAlpha[6])
        XCTAssertEqual(h.collapseStep, 600)
        XCTAssertEqual(h.segments.map(\.phase), [.preGrokking, .grokking, .antiGrokking, .unknown, .antiGrokking])
    }

    func testTrapsMustBeInTheLowAlphaLayer() {
        // fc1 has alpha < 2 without traps, fc2 has traps with alpha 2.5: not anti-grokking,
        // and not grokking either (traps present): the previous label holds.
        let points = rows(1, 3.0, 0, 2.5, 0) + rows(2, 1.5, 0, 2.5, 3)
        XCTAssertEqual(HTSRPhases(points: points, thresholds: raw).labels, [.grokking, .grokking])
        var t = raw; t.holdLastLabel = false
        XCTAssertEqual(HTSRPhases(points: points, thresholds: t).labels, [.grokking, .unknown])
    }

    func testStrictPaperPreGrokkingRule() {
        let points = rows(1, 6.0, 0, 4.5, 0)
        XCTAssertEqual(HTSRPhases(points: points, thresholds: raw).labels, [.preGrokking])
        var t = raw; t.preGrokkingOthersMax = 4.0
        XCTAssertEqual(HTSRPhases(points: points, thresholds: t).labels, [.unknown])
        XCTAssertEqual(HTSRPhases(points: rows(1, 6.0, 0, 3.9, 0), thresholds: t).labels, [.preGrokking])
    }

    func testMissingLayersAndEmptyInput() {
        XCTAssertEqual(HTSRPhases(points: [], thresholds: raw).labels, [])
        let onlyFc1 = [HTSRLayerPoint(step: 3, layer: "fc1", alpha: 3, numTraps: 0)]
        XCTAssertEqual(HTSRPhases(points: onlyFc1, thresholds: raw).labels, [.unknown])
        let nanAlpha = rows(4, .nan, 0, 3, 0)
        XCTAssertEqual(HTSRPhases(points: nanAlpha, thresholds: raw).labels, [.unknown])
    }

    func testSustainDelaysHTSRCollapse() {
        let points = rows(1, 3, 0, 3, 0) + rows(2, 1.5, 2, 3, 0) + rows(3, 3, 0, 3, 0)
            + rows(4, 1.5, 2, 3, 0) + rows(5, 1.4, 3, 3, 0)
        XCTAssertEqual(HTSRPhases(points: points, thresholds: raw).collapseStep, 2)
        var t = raw; t.sustain = 2
        let h = HTSRPhases(points: points, thresholds: t)
        XCTAssertEqual(h.collapseStep, 4)
        XCTAssertEqual(h.collapseDetectedStep, 5)
    }
}

final class PhaseComparisonTests: XCTestCase {
    func testAgreementAndLeadByHand() {
        // Accuracy: memorizing 10, pre 20, grokking 30, grokked 40 50, anti 60 70 80 (sustain 3).
        let acc: [(Int, Double, Double)] = [(10, 0.5, 0.1), (20, 1, 0.2), (30, 1, 0.5), (40, 1, 0.85),
                                            (50, 1, 0.86), (60, 1, 0.5), (70, 1, 0.5), (80, 1, 0.5)]
        let points = acc.map { AccuracyPoint(step: $0.0, trainAccuracy: $0.1, testAccuracy: $0.2) }
        var t = PhaseThresholds(); t.smoothingRadius = 0
        let a = AccuracyPhases(points: points, thresholds: t)
        XCTAssertEqual(a.labels, [.memorizing, .preGrokking, .grokking, .grokked, .grokked,
                                  .antiGrokking, .antiGrokking, .antiGrokking])
        // HTSR: pre 10, pre 20, grokking 30, grokking 40, anti 50, anti 60, unknown 70; none at 80.
        var h: [HTSRLayerPoint] = []
        h += rows(10, 6, 0, 6, 0); h += rows(20, 5, 0, 3, 0); h += rows(30, 3, 0, 3, 0)
        h += rows(40, 3, 0, 2.5, 0); h += rows(50, 1.5, 1, 2.5, 0); h += rows(60, 1.5, 1, 2, 0)
        h += rows(70, nil, nil, 2, 0)
        let cmp = PhaseComparison(accuracy: a, htsr: HTSRPhases(points: h, thresholds: raw))
        // Compared: 10..60 (70 unknown, 80 missing) = 6; agree at 10, 20, 30, 40, 60 = 5.
        XCTAssertEqual(cmp.comparedSteps, 6)
        XCTAssertEqual(cmp.agreement!, 5.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(cmp.collapseStep, 60)
        XCTAssertEqual(cmp.htsrCollapseStep, 50)
        XCTAssertEqual(cmp.leadSteps, 10)  // HTSR warned one evaluation (10 steps) earlier
    }

    func testNoCollapseGivesNilLead() {
        let a = AccuracyPhases(points: grokkingCurve(upTo: 100_000))
        let h = HTSRPhases(points: rows(50_000, 1.5, 3, 2, 0), thresholds: raw)
        let cmp = PhaseComparison(accuracy: a, htsr: h)
        XCTAssertEqual(cmp.htsrCollapseStep, 50_000)
        XCTAssertNil(cmp.collapseStep)
        XCTAssertNil(cmp.leadSteps)
        XCTAssertEqual(cmp.comparedSteps, 0)  // 50,000 is not an evaluated step here
        XCTAssertNil(cmp.agreement)
    }
}

final class PhasesReportTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("phases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testWriteReadRoundTripAndFormat() throws {
        let points = grokkingCurve(upTo: 10_000_000, collapseAt: 2_000_000)
        let htsr = rows(1_000_000, 1.2, 5, 1.6, 1) + rows(10_000_000, 0.9, 7, 1.3, 1) + rows(100, 8, 0, 7, 0)
        let report = PhasesReport(accuracy: points, htsr: htsr)
        let url = try temporaryDirectory().appendingPathComponent("phases.json")
        try report.write(to: url)
        let back = try PhasesReport.read(from: url)
        XCTAssertEqual(back, report)
        let collapse = points.first { $0.step >= 2_000_000 }!.step
        XCTAssertEqual(back.collapseStep, collapse)
        XCTAssertEqual(back.htsrCollapseStep, 1_000_000)
        XCTAssertEqual(back.leadSteps, collapse - 1_000_000)
        // The rule's alpha: the causal median over 0.25 decades holds only the step itself here
        // (the evaluations are a decade apart); fc3 is not a rule layer.
        XCTAssertEqual(back.finalLayers, [FinalLayer(layer: "fc1", step: 10_000_000, alpha: 0.9, numTraps: 7, ruleAlpha: 0.9),
                                          FinalLayer(layer: "fc2", step: 10_000_000, alpha: 1.3, numTraps: 1, ruleAlpha: 1.3),
                                          FinalLayer(layer: "fc3", step: 10_000_000, alpha: 0.5, numTraps: 4)])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let first = (json["accuracy"] as! [[String: Any]])[0]
        XCTAssertEqual(first["phase"] as? String, "memorizing")
        XCTAssertEqual(first["start_step"] as? Int, 1)
        XCTAssertEqual(json["collapse_step"] as? Int, collapse)
        XCTAssertEqual(json["htsr_collapse_step"] as? Int, 1_000_000)
        XCTAssertEqual(json["lead_steps"] as? Int, collapse - 1_000_000)
        XCTAssertNotNil(json["agreement"] as? Double)
    }

    func testEmptyRunWritesNulls() throws {
        let url = try temporaryDirectory().appendingPathComponent("phases.json")
        try PhasesReport(accuracy: [], htsr: []).write(to: url)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        XCTAssertTrue(json["collapse_step"] is NSNull)
        XCTAssertTrue(json["lead_steps"] is NSNull)
        XCTAssertTrue(json["agreement"] is NSNull)
        XCTAssertEqual((json["accuracy"] as? [Any])?.count, 0)
        XCTAssertEqual(try PhasesReport.read(from: url).evaluations, 0)
    }

    func testReaderToleratesMissingFieldsAndRejectsGarbage() throws {
        let dir = try temporaryDirectory()
        let minimal = dir.appendingPathComponent("min.json")
        try #"{"accuracy": [{"phase": "grokked", "start_step": 3, "end_step": 9}], "agreement": 0.5}"#
            .write(to: minimal, atomically: true, encoding: .utf8)
        let r = try PhasesReport.read(from: minimal)
        XCTAssertEqual(r.accuracy, [PhaseSegment(phase: .grokked, startStep: 3, endStep: 9)])
        XCTAssertEqual(r.agreement, 0.5)
        XCTAssertNil(r.leadSteps)
        let bad = dir.appendingPathComponent("bad.json")
        try #"{"accuracy": [{"phase": "sleeping", "start_step": 3, "end_step": 9}]}"#
            .write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PhasesReport.read(from: bad)) { e in
            let m = (e as? GrokError)?.message ?? ""
            XCTAssertTrue(m.contains("bad.json"), m)
            XCTAssertFalse(m.contains("\n"))
        }
        XCTAssertThrowsError(try PhasesReport.read(from: dir.appendingPathComponent("missing.json")))
    }
}
