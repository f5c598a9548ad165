import XCTest
import RunFiles
import Runs
import Report
import GrokCore

/// The summary's numbers against a hand-built sweep: four run directories written here by hand
/// (two finished, one running, one not started), every expected value worked out from them.
final class SummaryTests: XCTestCase {
    var sweep: SweepDirectory!

    func write(_ text: String, _ path: String) throws {
        let url = sweep.url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    override func setUpWithError() throws {
        sweep = SweepDirectory(try scratch("summary"))
        let grid = try SweepGrid(arguments: ["--wd", "0,0.1", "--seeds", "0,1"])
        let m = SweepManifest(created: "t", commandLine: "grok-sweep --wd 0,0.1 --seeds 0,1", engine: .local, grid: grid, grokThreshold: 0.8)
        try sweep.createLayout()
        try sweep.writeManifest(m)
        let header = "step,train_loss,train_acc,test_loss,test_acc,l2_norm,l2_weights\n"
        // Run 1: memorizes at 100 (0.995 >= 0.99), groks at 1000 (0.85 >= 0.8), peaks at 10000
        // (0.9), collapses to 0.6.
        try write(header + """
        0,1,0.1,1,0.1,10,9
        10,1,0.5,1,0.3,11,10
        100,1,0.995,1,0.5,12,11
        1000,1,1.0,1,0.85,20,19
        10000,1,1.0,1,0.9,30,29
        100000,1,1.0,1,0.6,42.5,41.5

        """, "runs/wd=0,seed=0/metrics.csv")
        try write(#"{"steps": 100000, "seed": 0, "diagnostics": {"train_fit": 0.99}}"#, "runs/wd=0,seed=0/config.json")
        try write(#"{"accuracy": [], "htsr": [], "collapse_step": 100000, "htsr_collapse_step": 10000, "lead_steps": 90000}"#,
                  "runs/wd=0,seed=0/phases.json")
        try write("""
        step,layer,alpha,num_traps,status
        10000,fc1,3.0,0,ok
        10000,fc2,3.5,0,ok
        100000,fc1,1.8,2,ok
        100000,fc2,2.5,0,ok
        100000,fc3,,,failed: too small

        """, "runs/wd=0,seed=0/htsr.csv")
        try write("step,wall_s,train_s,eval_s,diagnostics_s\n10000,12,10,1,1\n100000,123.5,100,10,13.5\n", "runs/wd=0,seed=0/timing.csv")
        try write("<html></html>", "runs/wd=0,seed=0/report.html")
        try CellState(status: .done, attempts: 1).write(sweep.stateURL.appendingPathComponent("wd=0,seed=0.json"))

        // Run 2: its own fit threshold 0.95 (memorized at 10), never reaches 0.8, no collapse.
        try write(header + "0,1,0.1,1,0.1,10,9\n10,1,0.96,1,0.4,11,10\n1000,1,1.0,1,0.7,12,11\n", "runs/wd=0,seed=1/metrics.csv")
        try write(#"{"steps": 1000, "seed": 1, "diagnostics": {"train_fit": 0.95}}"#, "runs/wd=0,seed=1/config.json")
        try write(#"{"accuracy": [], "htsr": [], "collapse_step": null, "htsr_collapse_step": null, "lead_steps": null}"#,
                  "runs/wd=0,seed=1/phases.json")
        try write("step,layer,alpha,num_traps,status\n1000,fc1,4.0,0,ok\n1000,fc2,3.0,1,ok\n", "runs/wd=0,seed=1/htsr.csv")
        try CellState(status: .done, attempts: 1).write(sweep.stateURL.appendingPathComponent("wd=0,seed=1.json"))

        // Run 3: still running (this process stands in for its grok-train); its numbers must not
        // reach the figures.
        try write(header + "0,1,0.1,1,0.1,10,9\n10,1,1.0,1,0.99,11,10\n", "runs/wd=0.1,seed=0/metrics.csv")
        try CellState(status: .running, pid: getpid(), host: ProcessInfo.processInfo.hostName, attempts: 1)
            .write(sweep.stateURL.appendingPathComponent("wd=0.1,seed=0.json"))
        // Run 4: not started.
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: sweep.url) }

    func testRowsFromHandBuiltRuns() throws {
        let (_, rows) = try SweepSummary.rows(sweep)
        XCTAssertEqual(rows.map(\.status), [.done, .done, .running, .pending])
        let a = rows[0]
        XCTAssertEqual(a.stepsDone, 100000); XCTAssertEqual(a.totalSteps, 100000)
        XCTAssertEqual(a.tMem, 100); XCTAssertEqual(a.tGrok, 1000)
        XCTAssertEqual(a.peakTestAccuracy, 0.9); XCTAssertEqual(a.peakTestStep, 10000)
        XCTAssertEqual(a.finalTestAccuracy, 0.6); XCTAssertEqual(a.finalTrainAccuracy, 1.0)
        XCTAssertEqual(a.antiGrokking, true); XCTAssertEqual(a.collapseStep, 100000)
        XCTAssertEqual(a.htsrCollapseStep, 10000); XCTAssertEqual(a.leadSteps, 90000)
        XCTAssertEqual(a.finalAlpha, ["fc1": 1.8, "fc2": 2.5])   // fc3 failed: no value, not a guess
        XCTAssertEqual(a.finalTraps, ["fc1": 2, "fc2": 0])
        XCTAssertEqual(a.finalL2Norm, 42.5); XCTAssertEqual(a.finalL2Weights, 41.5)
        XCTAssertEqual(a.wallSeconds, 123.5)
        XCTAssertEqual(a.seed, "0")
        let b = rows[1]
        XCTAssertEqual(b.fitThreshold, 0.95); XCTAssertEqual(b.tMem, 10); XCTAssertNil(b.tGrok)
        XCTAssertEqual(b.peakTestAccuracy, 0.7); XCTAssertEqual(b.antiGrokking, false)
        XCTAssertEqual(rows[3].stepsDone, nil)
    }

    func testCSVAndPageAndFiguresUseFinishedRunsOnly() throws {
        let r = try SweepSummary.build(sweep, png: false)
        let csv = try CSVTable.read(r.csv)
        XCTAssertEqual(csv.header, ["run", "wd", "seed", "status", "steps_done", "total_steps", "fit_threshold", "t_mem",
                                    "grok_threshold", "t_grok", "peak_test_acc", "peak_test_step", "final_test_acc",
                                    "final_train_acc", "anti_grokking", "collapse_step", "htsr_collapse_step",
                                    "htsr_lead_steps", "final_alpha_fc1", "final_alpha_fc2", "final_traps_fc1",
                                    "final_traps_fc2", "final_l2_norm", "final_l2_weights", "wall_s"])
        XCTAssertEqual(csv.rowCount, 4)
        XCTAssertEqual(csv.strings("run"), ["wd=0,seed=0", "wd=0,seed=1", "wd=0.1,seed=0", "wd=0.1,seed=1"])
        XCTAssertEqual(csv.strings("status"), ["done", "done", "running", "pending"])
        // What an unfinished run has measured so far is in its row, marked by its status.
        XCTAssertEqual(csv.strings("t_grok"), ["1000", "", "10", ""])
        XCTAssertEqual(csv.strings("anti_grokking"), ["true", "false", "", ""])
        XCTAssertEqual(csv.numbers("final_alpha_fc1")?[0], 1.8)

        let page = try String(contentsOf: r.html, encoding: .utf8)
        XCTAssertTrue(page.contains("Not in the figures (not finished): wd=0.1,seed=0 (running), wd=0.1,seed=1 (pending)"), page)
        XCTAssertTrue(page.contains("<a href=\"runs/wd=0,seed=0/report.html\">"))
        XCTAssertFalse(page.contains("<a href=\"runs/wd=0,seed=1/report.html\">"), "no report there: no link")
        XCTAssertEqual(r.figures.map(\.lastPathComponent).sorted(), ["1-test-accuracy.svg", "2-t-grok.svg", "3-accuracy.svg",
                                                                    "4-final-alpha.svg", "5-traps.svg", "6-alpha-curves.svg"])

        // Only wd=0's two finished runs are grouped; the running run's 0.99 is nowhere.
        let figs = SummaryFigures(rows: r.rows, axes: try sweep.readManifest().grid.axes, layers: ["fc1", "fc2"])
        XCTAssertEqual(figs.groups.map(\.label), ["wd=0"])
        XCTAssertEqual(figs.groups[0].runs.count, 2)
        // Mean and spread over seeds at the steps both runs have (0 is off the log axis).
        let band = SummaryFigures.band(figs.groups[0].runs.map(\.testCurve))
        XCTAssertEqual(band.x, [10, 1000])
        XCTAssertEqual(band.mean[0], (0.3 + 0.4) / 2, accuracy: 1e-12)
        XCTAssertEqual(band.mean[1], (0.85 + 0.7) / 2, accuracy: 1e-12)
        XCTAssertEqual(band.lo, [0.3, 0.7]); XCTAssertEqual(band.hi, [0.4, 0.85])
        // wd spans 0 and 0.1 only: a linear axis.
        XCTAssertEqual(figs.xAxis.scale, .linear)
        let svg = try String(contentsOf: sweep.figuresURL.appendingPathComponent("2-t-grok.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("never grokked"), "the run that never grokked is drawn, not dropped")
    }

    func testStatusTableAndNotASweep() throws {
        let (m, lines) = try SweepStatus.lines(sweep)
        let text = SweepStatus.render(m, lines)
        XCTAssertTrue(text.contains("4 runs: 1 pending, 1 running, 2 done"), text)
        XCTAssertEqual(lines[0].step, 100000); XCTAssertEqual(lines[0].testAccuracy, 0.6)
        let empty = try scratch("notasweep")
        XCTAssertThrowsError(try SweepStatus.lines(SweepDirectory(empty))) { e in
            XCTAssertTrue((e as? GrokError)?.message.contains("is not a sweep directory (no sweep.json)") ?? false)
        }
        XCTAssertThrowsError(try SweepSummary.build(SweepDirectory(empty), png: false))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: empty.path), [], "nothing half-written")
    }

    func testLogAxisWhenXSpansDecadesAndZeroIsPlacedAndSaid() throws {
        let grid = try SweepGrid(arguments: ["--wd", "0,1e-3,1e-1"])
        let f = SummaryFigures(rows: [], axes: grid.axes, layers: [])
        XCTAssertEqual(f.xAxis.scale, .log10)
        XCTAssertEqual(f.xAxis.position["0"], 1e-4)
        XCTAssertTrue(f.xAxis.note.contains("wd = 0 is drawn at 0.0001"))
    }
}
