import XCTest
import Foundation
import GrokCore
import RunFiles

/// Event files of real runs, read back by the real tensorboard package and checked tag by tag
/// and value by value against the run's metrics.csv, htsr.csv and phases.json (parsed here,
/// independently of the exporter).
final class RunLogTests: XCTestCase {
    static var fixture: URL { Bundle.module.url(forResource: "Fixtures/run", withExtension: nil)! }

    func temporaryDirectory(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("groklab-tb-\(getpid())-\(name)-\(UInt32.random(in: 0...UInt32.max))")
    }

    /// A copy of the fixture run (config.json, metrics.csv, htsr.csv, phases.json, timing.csv).
    func copyOfFixture(to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.fixture, to: dir)
    }

    /// CSV rows as dictionaries column -> cell.
    func rows(_ url: URL) throws -> [[String: String]] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, cells))
        }
    }

    /// What the event file must hold: every finite metrics.csv cell under its tag, the kept
    /// htsr.csv columns per layer, and the phase text of every evaluated step.
    func expected(_ run: URL) throws -> (scalars: [String: [(Int, Float)]], texts: [(Int, String)]) {
        var scalars: [String: [(Int, Float)]] = [:]
        let named = ["train_loss": "loss/train", "test_loss": "loss/test", "train_acc": "accuracy/train", "test_acc": "accuracy/test"]
        let metrics = try rows(run.appendingPathComponent("metrics.csv"))
        for row in metrics {
            let step = Int(row["step"]!)!
            for (column, cell) in row where column != "step" && column != "phase" {
                guard let v = Double(cell), v.isFinite else { continue }
                let tag = named[column] ?? (column.hasPrefix("l2_") ? "norm/" + column : "measures/" + column)
                scalars[tag, default: []].append((step, Float(v)))
            }
        }
        for row in try rows(run.appendingPathComponent("htsr.csv")) {
            for column in ["alpha", "D", "stable_rank", "num_traps", "num_traps_centered", "ks_stat", "ks_pvalue"] {
                guard let v = Double(row[column] ?? ""), v.isFinite else { continue }
                scalars[column + "/" + row["layer"]!, default: []].append((Int(row["step"]!)!, Float(v)))
            }
        }
        let phases = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("phases.json"))) as! [String: Any]
        func label(_ key: String, _ step: Int) -> String? {
            (phases[key] as? [[String: Any]] ?? []).first { ($0["start_step"] as! Int) <= step && step <= ($0["end_step"] as! Int) }?["phase"] as? String
        }
        let texts = metrics.compactMap { row -> (Int, String)? in
            let step = Int(row["step"]!)!
            guard let a = label("accuracy", step) else { return nil }
            return (step, "accuracy: \(a)" + (label("htsr", step).map { "; HTSR: \($0)" } ?? ""))
        }
        return (scalars, texts)
    }

    func checkEventFile(of run: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let read = try TensorBoardReader.run(run)
        let want = try expected(run)
        XCTAssertEqual(Set(read.scalars.keys), Set(want.scalars.keys), "tags", file: file, line: line)
        for (tag, points) in want.scalars {
            let got = read.scalars[tag] ?? []
            XCTAssertEqual(got.map(\.0), points.map(\.0), "\(tag): steps", file: file, line: line)
            XCTAssertEqual(got.map { Float($0.1) }, points.map(\.1), "\(tag): values", file: file, line: line)
        }
        XCTAssertEqual(Array(read.texts.keys), ["phase"], file: file, line: line)
        XCTAssertEqual(read.textPluginTags, ["phase"], "the text plugin sees the phase", file: file, line: line)
        XCTAssertEqual(read.texts["phase"]?.map(\.0), want.texts.map(\.0), file: file, line: line)
        XCTAssertEqual(read.texts["phase"]?.map(\.1), want.texts.map(\.1), file: file, line: line)
        XCTAssertGreaterThan(want.texts.count, 10)
        XCTAssertGreaterThan(want.scalars.count, 30)
    }

    func testExportOfARunHoldsEveryTagAndValueOfItsFiles() throws {
        let dir = temporaryDirectory("export"); defer { try? FileManager.default.removeItem(at: dir) }
        try copyOfFixture(to: dir)
        let url = try TensorBoardLog.export(run: RunDirectory(dir))
        XCTAssertEqual(url.lastPathComponent, "events.out.tfevents.groklab")
        try checkEventFile(of: dir)
    }

    /// A resumed run's live log: the file a killed run left (with steps past its checkpoint) is
    /// cut back to the checkpoint's step, then the rows written since are appended: the result
    /// holds each step once, exactly as a whole export.
    func testLiveLogResumedMidwayEqualsAWholeExport() throws {
        let dir = temporaryDirectory("live"); defer { try? FileManager.default.removeItem(at: dir) }
        try copyOfFixture(to: dir)
        let run = RunDirectory(dir)
        try TensorBoardLog.export(run: run)   // what the killed process had logged (everything)
        let metrics = try rows(run.metricsURL)
        let checkpoint = Int(metrics[metrics.count / 2]["step"]!)!
        let log = try TensorBoardLog.startLive(run: run, throughStep: checkpoint)
        let partial = try TensorBoardReader.run(dir)
        XCTAssertEqual(partial.scalars["accuracy/test"]?.last?.0, checkpoint)
        XCTAssertTrue(partial.texts.isEmpty, "phase labels wait for the end")
        try log.appendNew()
        try log.appendNew()   // nothing new: nothing appended twice
        try log.appendPhases()
        try checkEventFile(of: dir)
    }

    /// grok-train --tensorboard: the live file of a real (small) run against its own files.
    func testGrokTrainTensorboardFlag() throws {
        let dir = temporaryDirectory("train"); defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Tool.run("grok-train", ["--widths", "784,32,24,10", "--train-size", "100", "--batch-size", "20", "--steps", "120",
                                            "--snapshots", "12", "--threads", "1", "--quiet", "--no-report", "--tensorboard", "--out", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("tensorboard --logdir"), r.stdout)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as! [String: Any]
        XCTAssertEqual((config["diagnostics"] as? [String: Any])?["tensorboard"] as? Bool, true, "kept for --resume")
        try checkEventFile(of: dir)
    }

    /// A sweep directory (runs/<cell>) opens in TensorBoard as one run per cell; a run that is
    /// training (its lock held) is skipped, not written under it.
    func testSweepOpensAsOneRunPerCellAndLiveRunsAreSkipped() throws {
        let sweep = temporaryDirectory("sweep"); defer { try? FileManager.default.removeItem(at: sweep) }
        for cell in ["wd=0.01,seed=0", "wd=2,seed=0", "busy"] { try copyOfFixture(to: sweep.appendingPathComponent("runs/" + cell)) }
        let busy = try RunDirectory(sweep.appendingPathComponent("runs/busy")).lock()
        let result = try TensorBoardLog.exportAll(sweep)
        busy.release()
        XCTAssertEqual(result.written.count, 2)
        XCTAssertEqual(result.skipped.map(\.run.lastPathComponent), ["busy"])
        XCTAssertTrue(result.skipped[0].why.contains("in use"), result.skipped[0].why)
        let read = try TensorBoardReader.read("sweep", sweep)
        XCTAssertEqual(read["runs"] as? [String], ["runs/wd=0.01,seed=0", "runs/wd=2,seed=0"])
        let points = try rows(Self.fixture.appendingPathComponent("metrics.csv")).count
        XCTAssertEqual(read["test_accuracy_points"] as? [String: Int], ["runs/wd=0.01,seed=0": points, "runs/wd=2,seed=0": points])
        XCTAssertThrowsError(try TensorBoardLog.exportAll(sweep.appendingPathComponent("runs/none"))) {
            XCTAssertTrue(($0 as? GrokError)?.message.contains("neither a run directory") ?? false)
        }
    }

    /// grok-report --tensorboard DIR: written for a run; bad input is one line and a non-zero exit.
    func testGrokReportTensorboard() throws {
        let dir = temporaryDirectory("report"); defer { try? FileManager.default.removeItem(at: dir) }
        try copyOfFixture(to: dir)
        let ok = try Tool.run("grok-report", ["--tensorboard", dir.path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("wrote 1 event file(s); view with: tensorboard --logdir"), ok.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: RunDirectory(dir).tensorBoardEventsURL.path))
        for args in [["--tensorboard", dir.appendingPathComponent("missing").path], ["--tensorboard", dir.path, dir.path]] {
            let bad = try Tool.run("grok-report", args)
            XCTAssertNotEqual(bad.status, 0)
            XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, bad.stderr)
            XCTAssertTrue(bad.stderr.hasPrefix("error: "), bad.stderr)
        }
    }
}
