import Datasets
import Foundation
import GrokCore
import HTSR
import Tensors
import Training
import TrapEffects
import XCTest

final class TrapEffectsTests: XCTestCase {
    func testJensenShannonByHand() {
        // Disjoint one-hot outputs: JS = ln 2; identical: 0; p = (1/2, 1/2) vs (1, 0):
        // m = (3/4, 1/4), JS = 1/2 [1/2 ln(2/3) + 1/2 ln 2] + 1/2 ln(4/3).
        XCTAssertEqual(AblationEvaluator.meanJensenShannon([1, 0], [0, 1], classes: 2), log(2), accuracy: 1e-15)
        XCTAssertEqual(AblationEvaluator.meanJensenShannon([0.3, 0.7], [0.3, 0.7], classes: 2), 0, accuracy: 1e-15)
        let want = 0.5 * (0.5 * log(2.0 / 3) + 0.5 * log(2.0)) + 0.5 * log(4.0 / 3)
        XCTAssertEqual(AblationEvaluator.meanJensenShannon([0.5, 0.5], [1, 0], classes: 2), want, accuracy: 1e-15)
        // Mean over probes.
        XCTAssertEqual(AblationEvaluator.meanJensenShannon([1, 0, 0.3, 0.7], [0, 1, 0.3, 0.7], classes: 2), log(2) / 2, accuracy: 1e-15)
    }

    func testVerdictThreshold() {
        XCTAssertEqual(TrapVerdict.judge(before: 0.80, after: 0.81, threshold: 0.005), .harmful)
        XCTAssertEqual(TrapVerdict.judge(before: 0.80, after: 0.803, threshold: 0.005), .benign)
        XCTAssertEqual(TrapVerdict.judge(before: 0.80, after: 0.79, threshold: 0.005), .useful)
    }

    /// A 784-200-200-10 snapshot with one planted outlier in fc1: the tool finds the trap,
    /// the ablated layer has none, the model is measured before/after on the embedded data,
    /// the saved file keeps every tensor name and is never overwritten, and the same seed
    /// gives the same report.
    func testSnapshotWithPlantedTrap() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trap-effects-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededRandom(seed: 1, stream: "snapshot")
        let widths = [784, 200, 200, 10]
        var tensors: [Tensor] = []
        for l in 0..<3 {
            let bound = 1 / Double(widths[l]).squareRoot()
            var w = (0..<(widths[l + 1] * widths[l])).map { _ in (2 * rng.nextUnit() - 1) * bound }
            if l == 0 { w[123 * 784 + 400] = 60 * bound }
            tensors.append(Tensor(name: "fc\(l + 1).weight", shape: [widths[l + 1], widths[l]], floats: w.map { Float($0) }))
            tensors.append(Tensor(name: "fc\(l + 1).bias", shape: [widths[l + 1]], floats: (0..<widths[l + 1]).map { _ in Float((2 * rng.nextUnit() - 1) * bound) }))
        }
        let file = dir.appendingPathComponent("snap.safetensors")
        try SafeTensors.write(tensors, to: file)

        var r = TrapsRequest(file: file)
        r.layers = ["fc1.weight"]
        r.data = .embedded
        r.probeCount = 200
        r.save = dir.appendingPathComponent("ablated.safetensors")
        let report = try TrapsTool.run(r)
        let fc1 = try XCTUnwrap(report.layers.first)
        XCTAssertEqual(fc1.traps.count, 1)
        let trap = try XCTUnwrap(fc1.traps.first)
        XCTAssertEqual(trap.topEntries.first?.row, 123)
        XCTAssertEqual(trap.topEntries.first?.column, 400)
        XCTAssertEqual(fc1.trapsAfter, 0)
        let before = try XCTUnwrap(fc1.before), after = try XCTUnwrap(fc1.after)
        XCTAssertEqual(before.confusion.flatMap { $0 }.reduce(0, +), 4000, "the embedded test set: 4000 images")
        XCTAssertEqual(after.confusion.flatMap { $0 }.reduce(0, +), 4000)
        // Accuracy from the confusion matrix's diagonal equals the evaluator's.
        XCTAssertEqual(Double((0..<10).reduce(0) { $0 + before.confusion[$1][$1] }) / 4000, before.testAccuracy, accuracy: 1e-12)
        XCTAssertGreaterThan(try XCTUnwrap(fc1.jsDivergence), 0)
        XCTAssertNotNil(fc1.verdict)

        let saved = try SafeTensors.read(try XCTUnwrap(r.save)).tensors
        XCTAssertEqual(saved.map(\.name).sorted(), tensors.map(\.name).sorted())
        XCTAssertEqual(saved.first { $0.name == "fc2.weight" }, tensors.first { $0.name == "fc2.weight" })
        let ablated = try XCTUnwrap(saved.first { $0.name == "fc1.weight" }).doubles()
        XCTAssertLessThan(abs(ablated[123 * 784 + 400]), 10 / 784.0.squareRoot(), "the planted entry is gone")
        // Never overwritten.
        XCTAssertThrowsError(try TrapsTool.run(r))

        r.save = nil
        let again = try TrapsTool.run(r)
        XCTAssertEqual(again.layers.first?.traps, fc1.traps)
        XCTAssertEqual(again.layers.first?.after, fc1.after)
        XCTAssertEqual(again.layers.first?.jsDivergence, fc1.jsDivergence)
    }
}
