import Foundation
import XCTest
import RunFiles
import Diagnostics
import GrokCore
import Model
import Phases
import Training

final class RunDiagnosticsTests: FakeRunTestCase {
    func testFullRunWritesHTSRCsvPhasesAndSummary() throws {
        let dir = try temporaryDirectory()
        let d = RunDiagnostics(shape: shape, analyzer: ScheduledAnalyzer())
        XCTAssertEqual(d.extraMetricColumns, ["sparsity", "sparsity_smooth", "entropy_fc1", "entropy_fc2",
                                              "entropy_fc3", "lcc_paper", "lcc_code"])
        let values = try drive(d, dir, 0..<steps.count)
        let summary = try d.runEnded(.completed)

        // The measures returned for a step are the ProgressMeter's on the same probe and seed.
        let expected = try ProgressMeter(shape: shape, probeInputs: probe(), seed: 42).measure(parameters: weights(step: 500), step: 500)
        XCTAssertEqual(values[4], [expected.sparsity, expected.sparsitySmooth] + expected.entropy + [expected.lccPaper, expected.lccCode])
        XCTAssertTrue(values.allSatisfy { $0.count == 7 && $0.allSatisfy(\.isFinite) })

        // htsr.csv: the header, then one row per (step, layer) in step order.
        let text = try String(contentsOf: dir.appendingPathComponent("htsr.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "step,layer,N,M,alpha,D,xmin,xmax,sigma,num_pl_spikes,alpha_weighted,log_norm,log_spectral_norm,stable_rank,mp_softrank,num_spikes,num_traps,ks_stat,ks_pvalue,max_trap_height,mean_std_ratio,mean_spike,num_traps_centered,detX_num,detX_val,ERG_gap,status")
        XCTAssertEqual(lines.count, 1 + 3 * steps.count)
        XCTAssertTrue(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 27 })
        let rows = try HTSRFile.read(dir.appendingPathComponent("htsr.csv"))
        XCTAssertEqual(rows.map(\.step), steps.flatMap { [$0, $0, $0] })
        XCTAssertEqual(rows.prefix(3).map(\.layer), ["fc1", "fc2", "fc3"])
        XCTAssertEqual(rows.prefix(3).map(\.N), [784, 20, 20])
        XCTAssertEqual(rows.prefix(3).map(\.M), [20, 20, 10])
        XCTAssertEqual(rows[2].status.description, "failed: only 10 eigenvalues; too few")
        XCTAssertNil(rows[2].alpha)
        XCTAssertEqual(rows[0].logNorm, weights(step: 1)[0])  // fc1.weight[0, 0], full precision
        XCTAssertEqual(rows[15].alpha, 1.5); XCTAssertEqual(rows[15].numTraps, 3)

        // phases.json: accuracy collapse at 2000 (0.5 < 0.86 - 0.1 for three evaluations),
        // HTSR collapse at 1000, so HTSR leads by 1000 steps.
        let report = try PhasesReport.read(from: dir.appendingPathComponent("phases.json"))
        XCTAssertEqual(report.evaluations, steps.count)
        XCTAssertEqual(report.accuracy.map(\.phase), [.memorizing, .preGrokking, .grokking, .grokked, .antiGrokking])
        XCTAssertEqual(report.collapseStep, 2000)
        XCTAssertEqual(report.htsrCollapseStep, 1000)
        XCTAssertEqual(report.leadSteps, 1000)
        XCTAssertEqual(report.htsr, [PhaseSegment(phase: .preGrokking, startStep: 1, endStep: 10),
                                     PhaseSegment(phase: .grokking, startStep: 100, endStep: 500),
                                     PhaseSegment(phase: .antiGrokking, startStep: 1000, endStep: 10000)])
        XCTAssertEqual(report.peakTestAccuracy, 0.86); XCTAssertEqual(report.peakStep, 1000)
        XCTAssertEqual(report.finalLayers.map(\.alpha), [1.5, 2.5, nil])

        XCTAssertTrue(summary.contains { $0.contains("lead 1000 steps") }, "\(summary)")
        XCTAssertTrue(summary.contains { $0.contains("peak test accuracy 0.8600 at step 1000") }, "\(summary)")
        XCTAssertTrue(summary.contains { $0.hasPrefix("phases (accuracy): memorizing 1-1, pre-grokking 10-100") }, "\(summary)")
        XCTAssertTrue(summary.contains { $0.contains("fc1 alpha 1.50, 3 traps") }, "\(summary)")
        XCTAssertTrue(summary.contains { $0.hasPrefix("diagnostics time:") })
        let spent = d.timeSpent
        XCTAssertGreaterThan(spent.observe, 0); XCTAssertGreaterThan(spent.background, 0)
    }

    func testPhasesAreLiveDuringTheRun() throws {
        let dir = try temporaryDirectory()
        let d = RunDiagnostics(shape: shape, analyzer: ScheduledAnalyzer())
        try drive(d, dir, 0..<4)
        _ = d.timeSpent  // waits for the background queue
        let live = try PhasesReport.read(from: dir.appendingPathComponent("phases.json"))
        XCTAssertEqual(live.evaluations, 4)
        XCTAssertEqual(live.htsr.last?.endStep, 200)
        XCTAssertNil(live.collapseStep)
    }

    func testResumeDropsLaterRowsAndMatchesAnUninterruptedRun() throws {
        let full = try temporaryDirectory()
        let whole = RunDiagnostics(shape: shape, analyzer: ScheduledAnalyzer())
        try drive(whole, full, 0..<steps.count)
        _ = try whole.runEnded(.completed)

        let dir = try temporaryDirectory()
        let first = RunDiagnostics(shape: shape, analyzer: ScheduledAnalyzer())
        try drive(first, dir, 0..<8)  // killed after step 5000 ...
        _ = try first.runEnded(.interrupted(step: 5000))
        // ... with a half-written row at the end, and a checkpoint at step 1000 (index 5):
        let h = try FileHandle(forWritingTo: dir.appendingPathComponent("htsr.csv"))
        h.seekToEndOfFile(); h.write(Data("10000,fc1,784,20,1.".utf8)); try h.close()
        var metricsText = try String(contentsOf: dir.appendingPathComponent("metrics.csv"), encoding: .utf8)
        metricsText = metricsText.split(separator: "\n").prefix(1 + 6).joined(separator: "\n") + "\n"
        try metricsText.write(to: dir.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)

        let resumed = RunDiagnostics(shape: shape, analyzer: ScheduledAnalyzer())
        try resumed.runStarted(context(dir, resumedFrom: 1000))
        let kept = try HTSRFile.read(dir.appendingPathComponent("htsr.csv"))
        XCTAssertEqual(kept.map(\.step), steps[...5].flatMap { [$0, $0, $0] })
        // phases.json at once reflects the history read back from metrics.csv.
        XCTAssertEqual(try PhasesReport.read(from: dir.appendingPathComponent("phases.json")).evaluations, 6)

        for i in 6..<steps.count {
            _ = try resumed.observe(WeightSnapshot(step: steps[i], shape: shape, parameters: weights(step: steps[i])), metrics: metrics(i))
        }
        _ = try resumed.runEnded(.completed)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("htsr.csv"), encoding: .utf8),
                       try String(contentsOf: full.appendingPathComponent("htsr.csv"), encoding: .utf8))
        let a = try PhasesReport.read(from: dir.appendingPathComponent("phases.json"))
        let b = try PhasesReport.read(from: full.appendingPathComponent("phases.json"))
        XCTAssertEqual(a, b)
    }

    func testHTSROffWritesNoHTSRFile() throws {
        let dir = try temporaryDirectory()
        var c = RunDiagnostics.Configuration(); c.htsrMode = .off
        let d = RunDiagnostics(shape: shape, configuration: c)
        try drive(d, dir, 0..<steps.count)
        let summary = try d.runEnded(.completed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("htsr.csv").path))
        let report = try PhasesReport.read(from: dir.appendingPathComponent("phases.json"))
        XCTAssertEqual(report.htsr, [])
        XCTAssertEqual(report.collapseStep, 2000)
        XCTAssertNil(report.leadSteps)
        XCTAssertFalse(summary.isEmpty)
    }

    func testBackgroundWriteFailureIsReported() throws {
        let dir = try temporaryDirectory()
        let d = RunDiagnostics(shape: shape, analyzer: ScheduledAnalyzer())
        try drive(d, dir, 0..<2)
        _ = d.timeSpent
        try FileManager.default.removeItem(at: dir)  // phases.json can no longer be written
        _ = try? d.observe(WeightSnapshot(step: steps[2], shape: shape, parameters: weights(step: steps[2])), metrics: metrics(2))
        XCTAssertThrowsError(try d.runEnded(.completed)) { e in
            XCTAssertTrue((e as? GrokError)?.message.contains("phases.json") ?? false, "\(e)")
        }
    }

    func testMismatchedShapeAndOrderErrors() throws {
        let dir = try temporaryDirectory()
        let d = RunDiagnostics(shape: shape, analyzer: ScheduledAnalyzer())
        XCTAssertThrowsError(try d.observe(WeightSnapshot(step: 1, shape: shape, parameters: weights(step: 1)), metrics: metrics(0)))
        let other = try MLPShape(widths: [784, 30, 10])
        XCTAssertThrowsError(try d.runStarted(RunContext(directory: dir, shape: other, probeInputs: probe(),
                                                         probeLabels: [], seed: 0, resumedFromStep: nil)))
    }
}
