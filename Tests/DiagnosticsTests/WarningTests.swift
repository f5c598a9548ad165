import Foundation
import XCTest
import RunFiles
import Diagnostics
import GrokCore
import Model
import Phases
import Tensors
import Training

/// `--on-warning`: the scheduled analyzer's fc1 turns alpha 1.5 with 3 traps at step 1000, so
/// the HTSR anti-grokking rule first fires there (a synthetic trigger: a real run takes ~10^5 steps).
final class WarningTests: FakeRunTestCase {
    func run(_ action: WarningAction, through count: Int = steps.count) throws -> (URL, [String]) {
        StopSignal.reset()
        let dir = try temporaryDirectory()
        var c = RunDiagnostics.Configuration()
        c.onWarning = action
        let d = RunDiagnostics(shape: shape, configuration: c, analyzer: ScheduledAnalyzer())
        try drive(d, dir, 0..<count)
        return (dir, try d.runEnded(.completed))
    }

    func testStopWritesTheWarningCheckpointAndAsksTheLoopToStop() throws {
        defer { StopSignal.reset() }
        let (dir, summary) = try run(.stop)
        XCTAssertTrue(StopSignal.isRequested, "stop asks the loop to stop like an interrupt (resumable)")
        let file = try SafeTensors.read(dir.appendingPathComponent("warning-checkpoint.safetensors"))
        XCTAssertEqual(file.metadata["step"], "1000")
        // The weights of step 1000, in PyTorch's layout.
        let w = weights(step: 1000)
        XCTAssertEqual(try XCTUnwrap(file["fc1.weight"]).doubles(), Array(w[shape.weightRange(0)]))
        XCTAssertEqual(try XCTUnwrap(file["fc3.bias"]).doubles(), Array(w[shape.biasRange(2)]))
        let report = try PhasesReport.read(from: dir.appendingPathComponent("phases.json"))
        XCTAssertEqual(report.warningStep, 1000)
        XCTAssertEqual(report.warningTestAccuracy, 0.86)
        XCTAssertEqual(report.finalTestAccuracy, 0.5)
        XCTAssertTrue(summary.contains("HTSR warning at step 1000: test accuracy there 0.8600, peak 0.8600 at step 1000, end 0.5000"), "\(summary)")
        XCTAssertTrue(RunDirectory.runEntryNames.contains("warning-checkpoint.safetensors"))
    }

    func testContinueRecordsTheStepButWritesNothing() throws {
        let (dir, summary) = try run(.continue)
        XCTAssertFalse(StopSignal.isRequested)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("warning-checkpoint.safetensors").path))
        XCTAssertEqual(try PhasesReport.read(from: dir.appendingPathComponent("phases.json")).warningStep, 1000)
        XCTAssertTrue(summary.contains { $0.hasPrefix("HTSR warning at step 1000") }, "\(summary)")
    }

    func testNoWarningBeforeTheRuleFires() throws {
        let (dir, summary) = try run(.checkpoint, through: 5)   // steps 1 ... 500
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("warning-checkpoint.safetensors").path))
        XCTAssertNil(try PhasesReport.read(from: dir.appendingPathComponent("phases.json")).warningStep)
        XCTAssertTrue(summary.contains { $0.hasPrefix("HTSR warning: none") }, "\(summary)")
    }

    func testCheckpointWritesTheFileAndKeepsTraining() throws {
        let (dir, _) = try run(.checkpoint)
        XCTAssertFalse(StopSignal.isRequested)
        XCTAssertEqual(try SafeTensors.read(dir.appendingPathComponent("warning-checkpoint.safetensors")).metadata["step"], "1000")
    }
}
