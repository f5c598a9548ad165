import XCTest
import TestSupport
import RunFiles
import Foundation
import Runs

/// What a sweep promises about its runs' files and its own words: every grok-train flag known,
/// paths that hold from any directory, the per-run lines of --quiet, and a status that agrees
/// with the run directories when its own records are damaged or out of date.
final class SweepSafetyTests: XCTestCase {
    let tiny = ["--widths", "784,16,12,10", "--train-size", "100", "--batch-size", "20", "--snapshots", "10",
                "--htsr", "off", "--no-report"]
    var root: URL!

    override func setUpWithError() throws { root = try scratch("safety") }
    override func tearDownWithError() throws { if let root { try? FileManager.default.removeItem(at: root) } }

    /// grok-train's flags as its machine-readable help lists them: the sweep must know each
    /// one (to sweep it, take it once, or refuse it with a reason).
    func testTheSweepKnowsEveryGrokTrainFlag() throws {
        let dump = try Tool.run("grok-train", ["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let arguments = try XCTUnwrap((json["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        var names: [String] = []
        for a in arguments {
            guard let name = (a["names"] as? [[String: Any]])?.first(where: { $0["kind"] as? String == "long" })?["name"] as? String
            else { continue }
            names.append(name)
            guard let flag = TrainFlags.find(name) else {
                XCTFail("grok-sweep does not know grok-train's --\(name)"); continue
            }
            // The same shape: a switch is a toggle, an option takes a value, and an option with
            // a fixed set of words has those words, in the same order.
            XCTAssertEqual(flag.takesValue, a["kind"] as? String == "option", "--\(name): switch or value differ")
            if let words = a["allValues"] as? [String] {
                XCTAssertEqual(flag.kind, .choice(words), "--\(name): grok-sweep's words differ from grok-train's")
            } else if case .choice(let words) = flag.kind {
                XCTFail("--\(name): grok-sweep has the words \(words); grok-train takes any value")
            }
        }
        XCTAssertGreaterThan(names.count, 40)
        // And nothing the sweep knows that grok-train lost (but --seeds, the sweep's plural).
        XCTAssertEqual(Set(TrainFlags.all.map(\.name)).subtracting(names), [], "grok-sweep knows flags grok-train does not have")
    }

    /// --kernels and --on-warning reach every cell (one value, or swept).
    func testKernelsAndOnWarningAreForwarded() throws {
        let out = root.appendingPathComponent("forward")
        let r = try Tool.run("grok-sweep", tiny.filter { $0 != "--htsr" && $0 != "off" }
                             + ["--steps", "30", "--kernels", "sparse,dense", "--on-warning", "checkpoint", "--emit", "slurm", "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        for kernels in ["sparse", "dense"] {
            let config = try String(contentsOf: out.appendingPathComponent("configs/kernels=\(kernels).json"), encoding: .utf8)
            XCTAssertTrue(config.contains("\"kernels\" : \"\(kernels)\""), config)
            XCTAssertTrue(config.contains("\"on_warning\" : \"checkpoint\""), config)
        }
    }

    /// Relative --data-dir and --clamp-ref-run are checked once and stored absolute: a cell
    /// run from another directory (a Slurm task, a later shell) finds them.
    func testRelativePathsHoldFromAnyDirectory() throws {
        // The four standard MNIST files, made of the embedded images.
        let data = root.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let embedded = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Data/mnist-5k")
        for (name, source) in [("train-images-idx3-ubyte.gz", "images-idx3-ubyte.gz"), ("train-labels-idx1-ubyte.gz", "labels-idx1-ubyte.gz"),
                               ("t10k-images-idx3-ubyte.gz", "images-idx3-ubyte.gz"), ("t10k-labels-idx1-ubyte.gz", "labels-idx1-ubyte.gz")] {
            try FileManager.default.copyItem(at: embedded.appendingPathComponent(source), to: data.appendingPathComponent(name))
        }
        let free = try Tool.run("grok-train", tiny + ["--steps", "20", "--threads", "1", "--quiet", "--data-dir", "mnist",
                                                      "--out", "free"], cwd: root)
        XCTAssertEqual(free.status, 0, free.stderr)
        let sweep = root.appendingPathComponent("s")
        let emit = try Tool.run("grok-sweep", tiny + ["--steps", "20", "--data-dir", "mnist", "--clamp-norm", "0.9,1.1",
                                                      "--clamp-ref", "auto", "--clamp-ref-run", "free", "--clamp-ref-threshold", "0.01",
                                                      "--emit", "slurm", "--out", "s"], cwd: root)
        XCTAssertEqual(emit.status, 0, emit.stderr)
        let cell = try XCTUnwrap(try SweepDirectory(sweep).readManifest().runs.first)
        let standard = { (u: URL) in u.resolvingSymlinksInPath().path }
        XCTAssertEqual(cell.arguments.firstIndex(of: "--data-dir").map { cell.arguments[$0 + 1] }.map { standard(URL(fileURLWithPath: $0)) },
                       standard(data))
        XCTAssertEqual(cell.arguments.firstIndex(of: "--clamp-ref-run").map { cell.arguments[$0 + 1] }.map { standard(URL(fileURLWithPath: $0)) },
                       standard(root.appendingPathComponent("free")))
        // The task starts elsewhere, as a Slurm task may.
        let task = try Tool.run("grok-sweep", ["run-task", sweep.path, "0"], cwd: URL(fileURLWithPath: "/"))
        XCTAssertEqual(task.status, 0, task.stderr)
        XCTAssertTrue(RunDirectory(sweep.appendingPathComponent("runs/clamp-norm=0.9")).hasCompleted)
        // A path that is not there is refused once, before any cell is checked.
        let missing = try Tool.run("grok-sweep", tiny + ["--seeds", "0,1", "--data-dir", "nowhere", "--out", "t"], cwd: root)
        XCTAssertEqual(missing.status, 64, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("--data-dir nowhere: no such folder"), missing.stderr)
    }

    /// --quiet leaves out the live lines, not the line per run started and finished; a run
    /// that diverged makes the sweep's exit status non-zero, with no "done".
    func testQuietSaysEachRunAndADivergedRunIsNotDone() throws {
        let out = root.appendingPathComponent("quiet")
        let r = try Tool.run("grok-sweep", tiny + ["--steps", "30", "--seeds", "0,1", "--jobs", "1", "--quiet", "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        for line in ["started seed=0", "done seed=0", "started seed=1", "done seed=1"] {
            XCTAssertTrue(r.stderr.contains(line), "'\(line)' not in: \(r.stderr)")
        }
        let diverging = try Tool.run("grok-sweep", tiny + ["--optimizer", "sgd", "--lr", "0.1,1e6", "--steps", "100", "--jobs", "2",
                                                           "--out", root.appendingPathComponent("div").path])
        XCTAssertEqual(diverging.status, 1, diverging.stderr)
        XCTAssertTrue(diverging.stderr.contains("1 of 2 runs did not finish: 1 diverged (lr=1e6 diverged)"), diverging.stderr)
        XCTAssertFalse(diverging.stderr.contains("done: "), diverging.stderr)
        // Run again: the diverged run is not retried, and still counts.
        let again = try Tool.run("grok-sweep", tiny + ["--optimizer", "sgd", "--lr", "0.1,1e6", "--steps", "100", "--jobs", "2",
                                                       "--out", root.appendingPathComponent("div").path])
        XCTAssertEqual(again.status, 1, again.stderr)
        XCTAssertTrue(again.stderr.contains("2 of 2 runs already finished"), again.stderr)
    }

    /// The run directories outrank the sweep's state files: a damaged state file is said and
    /// the run's own files tell its status; a run that completed after its grok-sweep was
    /// killed (its state still "running", the pid gone) is done, and not resumed again.
    func testStatusFollowsTheRunsWhenTheStateFilesAreWrong() throws {
        let out = root.appendingPathComponent("state")
        let args = tiny + ["--steps", "30", "--seeds", "0,1", "--jobs", "1", "--out", out.path]
        XCTAssertEqual(try Tool.run("grok-sweep", args).status, 0)
        try "{\"status\": \"runn".write(to: out.appendingPathComponent("state/seed=0.json"), atomically: true, encoding: .utf8)
        // A pid that is surely gone: a process that has exited.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run(); gone.waitUntilExit()
        let stale = CellState(status: .running, pid: gone.processIdentifier, host: ProcessInfo.processInfo.hostName,
                              started: "2026-01-01T00:00:00Z", attempts: 1)
        try stale.write(out.appendingPathComponent("state/seed=1.json"))
        let status = try Tool.run("grok-sweep", ["status", out.path]).stdout
        let line0 = status.split(separator: "\n").first { $0.hasPrefix("seed=0 ") } ?? ""
        XCTAssertTrue(line0.contains(" done ") && line0.contains("unreadable"), status)
        let line1 = status.split(separator: "\n").first { $0.hasPrefix("seed=1 ") } ?? ""
        XCTAssertTrue(line1.contains(" done "), status)
        XCTAssertTrue(status.contains("2 runs: 2 done"), status)
        let logBefore = try String(contentsOf: out.appendingPathComponent("logs/seed=1.log"), encoding: .utf8)
        let again = try Tool.run("grok-sweep", args)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("2 of 2 runs already finished"), again.stderr)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("logs/seed=1.log"), encoding: .utf8), logBefore,
                       "a completed run is not resumed")
        XCTAssertEqual(CellState.read(out.appendingPathComponent("state/seed=1.json"))?.status, .done)
    }

    /// A cell whose recorded settings read differently from what this grok-train resolves (as
    /// after an upgrade that records one more setting) keeps its run: without --force the
    /// grid is the same, so nothing is deleted; with --force on a changed grid the run starts
    /// over, and says so.
    func testAnUpgradeThatRecordsMoreSettingsDeletesNoRun() throws {
        let out = root.appendingPathComponent("upgrade")
        let args = tiny + ["--steps", "30", "--seeds", "0", "--jobs", "1", "--out", out.path]
        XCTAssertEqual(try Tool.run("grok-sweep", args).status, 0)
        let config = out.appendingPathComponent("configs/run.json")
        let metrics = out.appendingPathComponent("runs/run/metrics.csv")
        let before = try Data(contentsOf: metrics)
        // What an older grok-train wrote: the same settings less one.
        var older = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any])
        older.removeValue(forKey: "kernels")
        try JSONSerialization.data(withJSONObject: older, options: [.prettyPrinted, .sortedKeys]).write(to: config)
        let again = try Tool.run("grok-sweep", args)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("run: this grok-train resolves the cell's settings differently"), again.stderr)
        XCTAssertTrue(again.stderr.contains("1 of 1 runs already finished"), again.stderr)
        XCTAssertEqual(try Data(contentsOf: metrics), before, "the finished run was touched")
        // --force with a changed grid: the changed cell starts over, said in a line.
        let forced = try Tool.run("grok-sweep", tiny + ["--steps", "40", "--seeds", "0", "--jobs", "1", "--force", "--out", out.path])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stderr.contains("run: settings changed (--force): its run starts over"), forced.stderr)
        XCTAssertEqual(try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n").last?.split(separator: ",").first, "40")
    }
}
