import XCTest
import Foundation
import TrapEffects
import Training
import RunFiles

/// `grok-analyze traps` on a --dataset modadd run's snapshot: traps are located, the MLP-only
/// evaluation is not attempted (and refused when asked for explicitly).
final class TokenModelTrapsTests: XCTestCase {
    func testModularAdditionSnapshotIsAnalysedWithoutEvaluation() throws {
        var config = TrainingConfig.delayLaw
        config.modulus = 11; config.trainFraction = 0.5; config.embedDim = 8; config.hidden = 16
        config.deriveModularAddition()
        config.steps = 10; config.snapshots = 2; config.threads = 1
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("groklab-tokentraps-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = RunDirectory(dir)
        try run.create(force: false)
        try config.write(to: run, extra: [:])
        StopSignal.reset()
        _ = try Trainer.run(config: config, data: try TrainingData.load(config), directory: run, resume: false,
                            observers: [], progress: ProgressReporter(totalSteps: config.steps, quiet: true))
        let report = try TrapsTool.run(TrapsRequest(file: run.snapshotURL(step: 10)))
        XCTAssertEqual(report.layers.map(\.layer), ["embed.weight", "fc1.weight", "fc2.weight"])
        XCTAssertTrue(report.layers.allSatisfy { $0.before == nil && $0.after == nil }, "no MLP evaluation of a token model")
        var explicit = TrapsRequest(file: run.snapshotURL(step: 10))
        explicit.run = dir
        do {
            _ = try TrapsTool.run(explicit)
            XCTFail("an explicit --run of a modadd run must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("--dataset modadd run"), "\(error)")
        }
    }
}
