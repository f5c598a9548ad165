import XCTest
import TestSupport
import Foundation

/// `grok-analyze warn` on run directories written here by hand: it knows nothing about them
/// but what their files say.
final class WarnToolTests: XCTestCase {
    static let steps = [0, 10, 100, 1000, 10_000, 100_000, 1_000_000]

    /// A run directory: config.json (the seed), htsr.csv with the given per-step fc1 alpha and
    /// centered traps (fc2 quiet), and, unless `metrics` is nil, metrics.csv with that test accuracy.
    func makeRun(_ name: String, seed: Int, alpha: [Double], traps: [Int], metrics test: [Double]?,
                 layers: (String, String) = ("fc1", "fc2"), totalSteps: Int = 1_000_000) throws -> URL {
        let dir = try temporaryDirectory(self, name)
        try "{\"seed\": \(seed), \"steps\": \(totalSteps), \"diagnostics\": {\"collapse_drop\": 0.1, \"collapse_sustain\": 2, \"grokked_fraction\": 0.9, \"htsr\": \"paper\", \"rise_fraction\": 0.1, \"sparsity_threshold\": 1, \"train_fit\": 0.99}}\n"
            .write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        var htsr = ["step,layer,N,M,alpha,num_traps,num_traps_centered,ks_stat,stable_rank,log_norm,status"]
        for (i, s) in Self.steps.enumerated() {
            htsr.append("\(s),\(layers.0),784,200,\(alpha[i]),\(traps[i] + 1),\(traps[i]),0.01,50,3,ok")
            htsr.append("\(s),\(layers.1),200,200,4,0,0,0.01,40,2,ok")
        }
        try (htsr.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("htsr.csv"), atomically: true, encoding: .utf8)
        if let test {
            var m = ["step,train_loss,train_acc,test_loss,test_acc"]
            for (i, s) in Self.steps.enumerated() { m.append("\(s),0.01,\(i == 0 ? 0.3 : 1.0),0.1,\(test[i])") }
            try (m.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// Peak 0.9 at 10^3, then 0.7 and 0.6: two evaluations (the config's sustain) 0.1 below it,
    /// so the collapse begins at 10^5.
    static let collapsing = [0.1, 0.2, 0.5, 0.9, 0.85, 0.7, 0.6]

    func testFirstFiringStepsAndScoresOfRunsItHasNeverSeen() throws {
        let early = try makeRun("early", seed: 4, alpha: [6, 5, 4, 3, 1.9, 1.8, 1.7], traps: [0, 0, 0, 0, 1, 2, 3], metrics: Self.collapsing)
        let late = try makeRun("late", seed: 5, alpha: [6, 5, 4, 3, 3, 1.9, 1.5], traps: [0, 0, 0, 0, 0, 0, 4], metrics: Self.collapsing)
        let r = try Tool.analyze(["warn", early.path, late.path, "--format", "csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = parseCSV(r.stdout)
        for column in ["run", "signal", "first_step", "outcome", "lead_steps", "test_acc_at_warning"] {
            XCTAssertNotNil(rows.first?[column], "column \(column)")
        }
        func row(_ run: URL, _ signal: String) throws -> [String: String] {
            try XCTUnwrap(rows.first { $0["run"] == run.path && $0["signal"] == signal }, "\(run.lastPathComponent) \(signal)")
        }
        XCTAssertEqual(try row(early, "alpha<2 raw fc1")["first_step"], "10000")
        XCTAssertEqual(try row(early, "alpha<2 raw fc1")["outcome"], "in time")
        XCTAssertEqual(try row(early, "alpha<2 raw fc1")["lead_steps"], "90000")
        XCTAssertEqual(try row(early, "alpha<2 raw fc1")["test_acc_at_warning"], "0.85")
        XCTAssertEqual(try row(early, "traps>=1 centered fc1")["first_step"], "10000")
        XCTAssertEqual(try row(early, "paper rule steady")["first_step"], "10000")
        XCTAssertEqual(try row(late, "alpha<2 raw fc1")["first_step"], "100000")
        XCTAssertEqual(try row(late, "alpha<2 raw fc1")["outcome"], "late")
        XCTAssertEqual(try row(late, "paper rule steady")["first_step"], "1000000")
        XCTAssertEqual(try row(late, "alpha<2 raw fc2")["first_step"], "", "never fires: empty")
        XCTAssertEqual(try row(late, "alpha<2 raw fc2")["outcome"], "missed")
        XCTAssertEqual(try row(late, "ERG gap<=0 fc1")["outcome"], "unavailable", "no ERG_gap column in this htsr.csv")

        let table = try Tool.analyze(["warn", early.path, late.path])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("1 of 2"), table.stdout)
        XCTAssertTrue(table.stdout.contains("No signal warned every collapsed run in time"), table.stdout)
        XCTAssertTrue(table.stdout.contains("This rests on 2 collapsed runs and 0 controls."), table.stdout)
        XCTAssertTrue(table.stdout.contains("HTSR's rule (paper rule steady: alpha < 2 with a correlation trap) warned in time on 1 of 2 "
                                            + "collapsed runs (0 before the accuracy peak, 1 after the onset, 0 never) and had no control "
                                            + "to raise a false alarm on."), table.stdout)
    }

    /// The answer in words with a control (alpha < 2 from 10^4, WeightWatcher's trap count 1, no
    /// centered trap: a false alarm for the raw rule) and a run still training: the best other
    /// signal is the one that warned the collapsed run in time without the alarm.
    func testTheAnswerCountsControlsAndRunsWithoutAVerdict() throws {
        let collapsing = try makeRun("collapsing", seed: 1, alpha: [6, 5, 4, 3, 1.9, 1.8, 1.7], traps: [0, 0, 0, 0, 1, 2, 3],
                                     metrics: Self.collapsing)
        let control = try makeRun("control", seed: 2, alpha: [6, 5, 4, 3, 1.9, 1.9, 1.9], traps: [0, 0, 0, 0, 0, 0, 0],
                                  metrics: [0.1, 0.2, 0.5, 0.9, 0.9, 0.9, 0.9])
        let training = try makeRun("training", seed: 3, alpha: [6, 5, 4, 3, 3, 3, 3], traps: [0, 0, 0, 0, 0, 0, 0],
                                   metrics: [0.1, 0.2, 0.5, 0.9, 0.9, 0.9, 0.9], totalSteps: 10_000_000)
        let r = try Tool.analyze(["warn", collapsing.path, control.path, training.path, "--format", "markdown"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("This rests on 1 collapsed run and 1 control; 1 run still training, not collapsed yet, has no verdict."), r.stdout)
        XCTAssertTrue(r.stdout.contains("HTSR's rule (paper rule raw: alpha < 2 with a correlation trap) warned in time on 1 of 1 "
                                        + "collapsed run (0 before the accuracy peak, 0 after the onset, 0 never) and raised a false "
                                        + "alarm on 1 of 1 control."), r.stdout)   // WeightWatcher's trap count is 1 on the control
        XCTAssertTrue(r.stdout.contains("The best other weight-only signal, traps>=1 centered fc1, warned in time on 1 of 1 "
                                        + "collapsed run (0 before the accuracy peak, 0 after the onset, 0 never) and raised a false "
                                        + "alarm on 0 of 1 control."), r.stdout)
    }

    /// A run that collapsed but is still training: what has not fired on it may yet (late).
    func testACollapsedRunStillTrainingIsSaidToBe() throws {
        let run = try makeRun("collapsing-training", seed: 1, alpha: [6, 5, 4, 3, 3, 3, 3], traps: [0, 0, 0, 0, 0, 0, 0],
                              metrics: Self.collapsing, totalSteps: 10_000_000)
        let r = try Tool.analyze(["warn", run.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("This rests on 1 collapsed run and 0 controls. 1 of the collapsed runs is still training: "
                                        + "a signal that has not fired on it may yet fire, after the onset."), r.stdout)
    }

    /// Other layer names, no metrics.csv: first steps still, no scores.
    func testAnyLayersAndNoMetrics() throws {
        let run = try makeRun("tokens", seed: 0, alpha: [6, 5, 1.5, 3, 3, 3, 3], traps: [0, 0, 0, 0, 0, 0, 0], metrics: nil,
                              layers: ("embed", "head"))
        let r = try Tool.analyze(["warn", run.path, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let firings = try XCTUnwrap(root["firings"] as? [[String: Any]])
        let raw = try XCTUnwrap(firings.first { $0["signal"] as? String == "alpha<2 raw embed" })
        XCTAssertEqual(raw["first_step"] as? Int, 100)
        XCTAssertEqual(raw["outcome"] as? String, "unscored")
        let only = try Tool.analyze(["warn", run.path, "--layers", "head", "--format", "csv"])
        XCTAssertEqual(only.status, 0, only.stderr)
        XCTAssertFalse(only.stdout.contains("embed"))
    }

    func testBadInputIsOneLine() throws {
        let notRun = try temporaryDirectory(self, "empty")
        let r = try Tool.analyze(["warn", notRun.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("not a GrokLab run directory"), r.stderr)
        let run = try makeRun("x", seed: 0, alpha: [6, 5, 4, 3, 3, 3, 3], traps: [0, 0, 0, 0, 0, 0, 0], metrics: nil)
        let missing = try Tool.analyze(["warn", run.path, "--layers", "fc9"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no layer 'fc9'"), missing.stderr)
        let zero = try Tool.analyze(["warn", run.path, "--sustain", "0"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertFalse(zero.stderr.contains("Fatal"), zero.stderr)
    }
}
