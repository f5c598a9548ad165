import Foundation
import XCTest
import RunFiles
import Diagnostics
import Phases
import Training

/// The real HTSR analyzer behind RunDiagnostics on a small fake run ([784, 20, 20, 10]:
/// every layer has M >= 8, so all three are fitted).
final class HTSRIntegrationTests: FakeRunTestCase {
    func testRealAnalyzerRowsAndSeededResume() throws {
        let full = try temporaryDirectory()
        let whole = RunDiagnostics(shape: shape)  // paper mode: clip_xmax + randomization
        try drive(whole, full, 0..<steps.count)
        _ = try whole.runEnded(.completed)
        let rows = try HTSRFile.read(full.appendingPathComponent("htsr.csv"))
        XCTAssertEqual(rows.count, 3 * steps.count)
        for r in rows {
            XCTAssertEqual(r.status, .ok, "\(r.layer) at \(r.step)")
            XCTAssertNotNil(r.alpha); XCTAssertNotNil(r.numTraps); XCTAssertNotNil(r.logNorm)
            XCTAssertGreaterThan(r.alpha ?? 0, 1)
        }
        // Random uniform weights: the whole Frobenius norm is known, log_norm = log10 sum w^2.
        let w = weights(step: 1)
        let fc1 = w[shape.weightRange(0)].reduce(0) { $0 + $1 * $1 }
        XCTAssertEqual(rows[0].logNorm!, log10(fc1), accuracy: 1e-9)

        // Resume from step 1000: the randomized trap counts are seeded per step, so the file
        // equals the uninterrupted run's byte for byte.
        let dir = try temporaryDirectory()
        let first = RunDiagnostics(shape: shape)
        try drive(first, dir, 0..<7)
        _ = try first.runEnded(.interrupted(step: 2000))
        let resumed = RunDiagnostics(shape: shape)
        try resumed.runStarted(context(dir, resumedFrom: 1000))
        for i in 6..<steps.count {
            _ = try resumed.observe(WeightSnapshot(step: steps[i], shape: shape, parameters: weights(step: steps[i])), metrics: metrics(i))
        }
        _ = try resumed.runEnded(.completed)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("htsr.csv"), encoding: .utf8),
                       try String(contentsOf: full.appendingPathComponent("htsr.csv"), encoding: .utf8))
    }
}
