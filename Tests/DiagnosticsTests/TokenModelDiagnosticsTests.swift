import XCTest
import Foundation
import Diagnostics
import Training
import RunFiles
import Model

/// The diagnostics observer on a token-model run (--dataset modadd): HTSR rows for E, W1, W2,
/// and the layers too small to fit named in the summary instead of failing the run.
final class TokenModelDiagnosticsTests: XCTestCase {
    func testHTSRRowsForEW1W2AndUnfittedLayersNamed() throws {
        var config = TrainingConfig.delayLaw
        config.modulus = 11; config.trainFraction = 0.5; config.embedDim = 4; config.hidden = 16
        config.deriveModularAddition()
        config.steps = 30; config.snapshots = 4; config.threads = 1; config.dtype = .f64
        let run = try makeRunDirectory("tokendiag", config: config)
        let dir = run.url
        defer { try? FileManager.default.removeItem(at: dir) }
        var settings = DiagnosticsSettings()
        settings.htsr = .plain
        let network = try config.networkLayout()
        XCTAssertNil(network.shape)
        let diagnostics = RunDiagnostics(layout: network.layout, shape: nil, configuration: settings.configuration)
        XCTAssertEqual(diagnostics.extraMetricColumns, [], "the MLP's progress measures are not computed for the token model")
        StopSignal.reset()
        let result = try Trainer.run(config: config, data: try TrainingData.load(config), directory: run, resume: false,
                                     observers: [diagnostics], progress: ProgressReporter(totalSteps: config.steps, quiet: true))
        XCTAssertEqual(result.outcome, .completed)
        let rows = try String(contentsOf: dir.appendingPathComponent("htsr.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        let last = rows.filter { $0.hasPrefix("30,") }
        XCTAssertEqual(last.map { String($0.split(separator: ",")[1]) }, ["embed", "fc1", "fc2"])
        // E is 11 x 4: 4 eigenvalues, below the analyzer's minimum of 8, so it is skipped.
        XCTAssertTrue(last[0].hasSuffix("skipped: M = 4 < 8: too few eigenvalues"), String(last[0]))
        let line = result.summary.first { $0.hasPrefix("HTSR: not fitted at step 30") }
        XCTAssertNotNil(line, "\(result.summary)")
        XCTAssertTrue(line?.contains("embed (11 x 4) skipped: M = 4 < 8") ?? false, line ?? "")
    }
}
