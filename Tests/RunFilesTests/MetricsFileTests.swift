import XCTest
import Phases
import RunFiles

/// metrics.csv, timing.csv and the step-first CSV logs against hand-written files.
final class MetricsFileTests: XCTestCase {
    /// A completed run as older builds left it: the diagnostics appended a phase column.
    let oldFormat = """
        step,train_loss,train_acc,test_loss,test_acc,l2_norm,l2_weights,l2_fc1,l2_fc2,sparsity,phase
        0,2.3,0.1,2.31,0.09,10.0,9.5,7.0,6.0,0.5,memorizing
        10,1.2,0.6,1.5,0.4,11.0,10.5,8.0,6.5,0.4,memorizing
        100,0.1,1.0,0.9,0.7,12.0,11.5,9.0,6.8,0.3,grokking

        """

    func testBaseColumnsAreTheTrainersInOrder() {
        XCTAssertEqual(MetricsFile.baseColumns(layerNames: ["fc1", "fc2", "fc3"]).joined(separator: ","),
                       "step,train_loss,train_acc,test_loss,test_acc,l2_norm,l2_weights,l2_fc1,l2_fc2,l2_fc3")
        XCTAssertEqual(TimingFile.columns.joined(separator: ","),
                       "step,wall_s,train_s,eval_s,diagnostics_s,wait_s,analysis_s,overlap_s,pending")
        XCTAssertEqual(TimingFile.legacyColumns.joined(separator: ","), "step,wall_s,train_s,eval_s,diagnostics_s")
        XCTAssertEqual(ClampFile.columns.joined(separator: ","), "step,factor")
    }

    func testOldFormatWithPhaseColumnReads() throws {
        let url = try temporaryDirectory().appendingPathComponent("metrics.csv")
        try oldFormat.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try MetricsFile.readAccuracy(url), [
            AccuracyPoint(step: 0, trainAccuracy: 0.1, testAccuracy: 0.09),
            AccuracyPoint(step: 10, trainAccuracy: 0.6, testAccuracy: 0.4),
            AccuracyPoint(step: 100, trainAccuracy: 1.0, testAccuracy: 0.7),
        ])
        XCTAssertEqual(try MetricsFile.steps(url), [0, 10, 100])
        let table = try MetricsFile.read(url)
        XCTAssertEqual(MetricsFile.phaseColumn(table), ["memorizing", "memorizing", "grokking"])
        XCTAssertEqual(table.numbers("sparsity"), [0.5, 0.4, 0.3])
        XCTAssertEqual(lastCompleteStep(url), 100)
    }

    func testMissingAccuracyColumnIsAnError() throws {
        let url = try temporaryDirectory().appendingPathComponent("metrics.csv")
        try "step,train_acc\n0,0.5\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MetricsFile.readAccuracy(url)) { XCTAssertTrue("\($0)".contains("test_acc")) }
    }

    func testResumeDropsThePhaseColumnAndLaterRows() throws {
        let url = try temporaryDirectory().appendingPathComponent("metrics.csv")
        try (oldFormat + "1000,0.0,1.0,0.5,0.8,13").write(to: url, atomically: true, encoding: .utf8)  // + a cut row
        let columns = MetricsFile.baseColumns(layerNames: ["fc1", "fc2"]) + ["sparsity"]
        let log = try MetricsLog(url: url, columns: columns, keepThroughStep: 10)
        try log.append(["20", "1", "0.7", "1.4", "0.5", "11", "10.6", "8", "6.6", "0.35"])
        XCTAssertEqual(try text(url), """
            step,train_loss,train_acc,test_loss,test_acc,l2_norm,l2_weights,l2_fc1,l2_fc2,sparsity
            0,2.3,0.1,2.31,0.09,10.0,9.5,7.0,6.0,0.5
            10,1.2,0.6,1.5,0.4,11.0,10.5,8.0,6.5,0.4
            20,1,0.7,1.4,0.5,11,10.6,8,6.6,0.35

            """)
    }

    func testResumeRefusesOtherColumns() throws {
        let url = try temporaryDirectory().appendingPathComponent("metrics.csv")
        try oldFormat.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MetricsLog(url: url, columns: MetricsFile.baseColumns(layerNames: ["fc1", "fc2"]), keepThroughStep: 10)) {
            XCTAssertTrue("\($0)".contains("columns of metrics.csv differ"))
        }
        XCTAssertEqual(try text(url), oldFormat, "nothing rewritten on a refusal")
    }

    func testPhaseColumnFromPhasesJSON() throws {
        let dir = try temporaryDirectory()
        let run = RunDirectory(dir)
        let log = try MetricsLog(url: run.metricsURL, columns: ["step", "test_acc"], keepThroughStep: nil)
        for (s, a) in [(0, "0.1"), (10, "0.2"), (50, "0.5"), (100, "0.9")] { try log.append([String(s), a]) }
        try log.addPhaseColumn(phasesFile: run.phasesURL)   // no phases.json: nothing changes
        XCTAssertEqual(try text(run.metricsURL), "step,test_acc\n0,0.1\n10,0.2\n50,0.5\n100,0.9\n")
        try """
            {"accuracy": [{"phase": "memorizing", "start_step": 0, "end_step": 10},
                          {"phase": "grokked", "start_step": 100, "end_step": 100}]}
            """.write(to: run.phasesURL, atomically: true, encoding: .utf8)
        try log.addPhaseColumn(phasesFile: run.phasesURL)
        XCTAssertEqual(try text(run.metricsURL), "step,test_acc,phase\n0,0.1,memorizing\n10,0.2,memorizing\n50,0.5,\n100,0.9,grokked\n")
        try log.addPhaseColumn(phasesFile: run.phasesURL)   // once only
        XCTAssertEqual(try text(run.metricsURL).filter { $0 == "\n" }.count, 5)
        XCTAssertEqual(try text(run.metricsURL).components(separatedBy: "phase").count, 2)
    }

    /// A relabel replaces a completed run's labels in place; a file without the column (a
    /// run still going) is not touched.
    func testRelabelReplacesThePhaseColumn() throws {
        let dir = try temporaryDirectory()
        let url = RunDirectory(dir).metricsURL
        try oldFormat.write(to: url, atomically: true, encoding: .utf8)
        let segments = [PhaseSegment(phase: .memorizing, startStep: 0, endStep: 0),
                        PhaseSegment(phase: .preGrokking, startStep: 10, endStep: 10),
                        PhaseSegment(phase: .antiGrokking, startStep: 100, endStep: 100)]
        XCTAssertTrue(try MetricsFile.relabelPhaseColumn(url, segments: segments))
        XCTAssertEqual(try text(url), """
            step,train_loss,train_acc,test_loss,test_acc,l2_norm,l2_weights,l2_fc1,l2_fc2,sparsity,phase
            0,2.3,0.1,2.31,0.09,10.0,9.5,7.0,6.0,0.5,memorizing
            10,1.2,0.6,1.5,0.4,11.0,10.5,8.0,6.5,0.4,pre-grokking
            100,0.1,1.0,0.9,0.7,12.0,11.5,9.0,6.8,0.3,anti-grokking

            """)
        let live = "step,test_acc\n0,0.1\n"
        try live.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertFalse(try MetricsFile.relabelPhaseColumn(url, segments: segments))
        XCTAssertEqual(try text(url), live)
    }

    func testTimingAndLastCompleteStep() throws {
        let dir = try temporaryDirectory()
        let run = RunDirectory(dir)
        try "step,wall_s,train_s,eval_s,diagnostics_s\n0,0.5,0,0.5,0\n10,2.25,1.5,0.75,0\n20,3".write(to: run.timingURL, atomically: true, encoding: .utf8)
        XCTAssertEqual(TimingFile.lastWallSeconds(run.timingURL), 2.25)
        XCTAssertEqual(lastCompleteStep(run.timingURL), 10, "the cut last line is not complete")
        XCTAssertNil(TimingFile.lastWallSeconds(run.clampURL))
        XCTAssertNil(lastCompleteStep(run.clampURL))
        try "step,factor\n".write(to: run.clampURL, atomically: true, encoding: .utf8)
        XCTAssertNil(lastCompleteStep(run.clampURL), "a header is no row")
        try "step,factor\n1e3,1\n2000.0,1\n".write(to: run.clampURL, atomically: true, encoding: .utf8)
        XCTAssertEqual(lastCompleteStep(run.clampURL), 2000, "steps written as floating-point numbers")
    }
}
