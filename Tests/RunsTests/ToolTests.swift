import XCTest
import TestSupport
import RunFiles
import Foundation
import Runs
import Report

/// grok-sweep and grok-train as a user runs them: tiny real runs of a few seconds.
final class ToolTests: XCTestCase {
    /// A small network on 100 images: real training, seconds per run.
    let tiny = ["--widths", "784,16,12,10", "--train-size", "100", "--batch-size", "20", "--snapshots", "20"]

    func expectOneLineError(_ r: Tool.Result, _ words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(r.status, 0, file: file, line: line)
        let lines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("checking ") }
        XCTAssertEqual(lines.count, 1, "one line expected: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains("error: "), r.stderr, file: file, line: line)
        for w in words { XCTAssertTrue(r.stderr.contains(w), "'\(w)' not in: \(r.stderr)", file: file, line: line) }
    }

    func testEveryFlagInTheTableIsAGrokTrainFlag() throws {
        let help = try Tool.run("grok-train", ["--help"]).stdout
        for f in TrainFlags.all { XCTAssertTrue(help.contains("--\(f.name)"), "--\(f.name) is not in grok-train --help") }
    }

    func testBadCellsStopTheWholeSweepBeforeAnythingStarts() throws {
        let dir = try scratch("badcell")
        let out = dir.appendingPathComponent("s").path
        // -1 parses as a number; grok-train's own check rejects it, for that one cell.
        expectOneLineError(try Tool.run("grok-sweep", tiny + ["--lr", "1e-3,-1", "--steps", "50", "--out", out]),
                           ["cell lr=-1", "--lr", "nothing was started"])
        // Different spellings of one run: paper with all of omnigrok's values is omnigrok.
        expectOneLineError(try Tool.run("grok-sweep", tiny + ["--preset", "paper,omnigrok", "--lr", "1e-3", "--wd", "0.01",
                                                           "--batch-order", "reshuffle", "--subset", "first", "--steps", "50", "--out", out]),
                           ["would train the same run", "duplicate"])
        expectOneLineError(try Tool.run("grok-sweep", tiny + ["--wd", "0,,1", "--out", out]), ["--wd", "empty"])
        expectOneLineError(try Tool.run("grok-sweep", tiny + ["--wd", "0,1", "--jobs", "0", "--out", out]), ["--jobs"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a refused sweep writes nothing")
        expectOneLineError(try Tool.run("grok-sweep", tiny + ["--wd", "0,1", "--steps", "50", "--out", "/proc/groklab/s"]),
                           ["/proc/groklab"])
        expectOneLineError(try Tool.run("grok-sweep", ["status", dir.path]), ["not a sweep directory"])
        expectOneLineError(try Tool.run("grok-sweep", ["summary", dir.path]), ["not a sweep directory"])
        expectOneLineError(try Tool.run("grok-sweep", ["submit", dir.path]), ["not a sweep directory"])
    }

    /// --emit slurm writes the sweep without running anything; submit says in one line what is
    /// missing (the script, or Slurm itself).
    func testEmitWritesAndSubmitNeedsScriptAndSlurm() throws {
        let dir = try scratch("emit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = dir.appendingPathComponent("s")
        let r = try Tool.run("grok-sweep", tiny + ["--steps", "50", "--wd", "0,0.01", "--emit", "slurm", "--out", s.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let m = try SweepDirectory(s).readManifest()
        XCTAssertEqual(m.engine, .slurm)
        XCTAssertEqual(m.runs.map(\.name), ["wd=0", "wd=0.01"])
        for name in ["sweep.json", "sweep.sbatch", "configs/wd=0.json", "configs/wd=0.01.json", "logs"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: s.appendingPathComponent(name).path), name)
        }
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: s.appendingPathComponent("configs/wd=0.01.json"))) as! [String: Any]
        XCTAssertEqual(config["wd"] as? Double, 0.01)
        XCTAssertEqual(config["steps"] as? Int, 50)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: s.appendingPathComponent("runs").path), [], "nothing ran")
        expectOneLineError(try Tool.run("grok-sweep", ["submit", s.path], environment: ["PATH": "/nonexistent"]),
                           ["sbatch not found", "Slurm is not installed"])
        try FileManager.default.removeItem(at: s.appendingPathComponent("sweep.sbatch"))
        expectOneLineError(try Tool.run("grok-sweep", ["submit", s.path]), ["no sweep.sbatch", "--emit slurm"])
    }

    /// SIGKILL of grok-sweep mid-sweep, then the same command again: the children it left are
    /// stopped at a checkpoint and resumed, and every run's metrics.csv is byte-identical to
    /// an uninterrupted sweep's. A third time touches nothing.
    func testResumeAfterSIGKILLGivesTheUninterruptedResult() throws {
        let root = try scratch("resume")
        defer { try? FileManager.default.removeItem(at: root) }
        let grid = ["--dtype", "f32", "--steps", "3000", "--htsr", "off", "--no-report", "--wd", "0,0.05", "--jobs", "2"]
        let killed = root.appendingPathComponent("killed"), whole = root.appendingPathComponent("whole")
        let args = ["--widths", "784,64,64,10", "--train-size", "200", "--batch-size", "20", "--snapshots", "30"] + grid

        let first = try Tool.start("grok-sweep", args + ["--out", killed.path])
        // Wait until both runs are training, then kill grok-sweep (not its children) with SIGKILL.
        let deadline = Date().addingTimeInterval(60)
        func midRun(_ name: String) -> Bool {
            let m = killed.appendingPathComponent("runs/\(name)/metrics.csv")
            return ((try? CSVTable.read(m))?.numbers("step")?.last ?? 0) >= 1
        }
        while !(midRun("wd=0") && midRun("wd=0.05")) && Date() < deadline { usleep(20_000) }
        kill(first.process.processIdentifier, SIGKILL)
        _ = Tool.finish(first)
        let unfinished = ["wd=0", "wd=0.05"].filter {
            let steps = (try? CSVTable.read(killed.appendingPathComponent("runs/\($0)/metrics.csv")))?.numbers("step") ?? []
            return (steps.last ?? 0) < 3000
        }
        XCTAssertFalse(unfinished.isEmpty, "the kill came after the runs ended: make them longer")

        let again = try Tool.run("grok-sweep", args + ["--out", killed.path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("resumed"), again.stderr)
        let reference = try Tool.run("grok-sweep", args + ["--out", whole.path])
        XCTAssertEqual(reference.status, 0, reference.stderr)
        for name in ["wd=0", "wd=0.05"] {
            let a = try Data(contentsOf: killed.appendingPathComponent("runs/\(name)/metrics.csv"))
            let b = try Data(contentsOf: whole.appendingPathComponent("runs/\(name)/metrics.csv"))
            XCTAssertEqual(a, b, "\(name): metrics.csv after SIGKILL + resume differs from the uninterrupted run's")
        }
        let status = try Tool.run("grok-sweep", ["status", killed.path])
        XCTAssertTrue(status.stdout.contains("2 runs: 2 done"), status.stdout)

        // Finished runs are left alone: same bytes, same modification times.
        let files = ["runs/wd=0/metrics.csv", "runs/wd=0/checkpoint.safetensors", "runs/wd=0.05/config.json"]
        func stamps() throws -> [Date] {
            try files.map { try FileManager.default.attributesOfItem(atPath: killed.appendingPathComponent($0).path)[.modificationDate] as! Date }
        }
        let before = try stamps()
        let third = try Tool.run("grok-sweep", args + ["--out", killed.path])
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(third.stderr.contains("2 of 2 runs already finished"), third.stderr)
        XCTAssertEqual(try stamps(), before)

        // Another grid in the same directory is refused.
        let other = try Tool.run("grok-sweep", args.map { $0 == "0,0.05" ? "0,0.1" : $0 } + ["--out", killed.path])
        expectOneLineError(other, ["holds a different sweep", "--force"])
        // With --force: the unchanged run stays as it is, the new one is trained.
        let forced = try Tool.run("grok-sweep", args.map { $0 == "0,0.05" ? "0,0.1" : $0 } + ["--out", killed.path, "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stderr.contains("1 of 2 runs already finished"), forced.stderr)
        XCTAssertEqual(try stamps(), before)
        let manifest = try SweepDirectory(killed).readManifest()
        XCTAssertEqual(manifest.runs.map(\.directory), ["runs/wd=0", "runs/wd=0.1"])
        XCTAssertEqual(try CSVTable.read(killed.appendingPathComponent("runs/wd=0.1/metrics.csv")).numbers("step")?.last, 3000)
    }

    /// SIGTERM (or Ctrl-C) to grok-sweep: every running grok-train checkpoints and stops, the
    /// sweep exits 130, and status says the runs are stopped, not failed.
    func testStopSignalReachesEveryRun() throws {
        let root = try scratch("stop")
        defer { try? FileManager.default.removeItem(at: root) }
        let args = ["--widths", "784,64,64,10", "--train-size", "200", "--batch-size", "20", "--snapshots", "30",
                    "--dtype", "f32", "--htsr", "off", "--no-report", "--steps", "200000", "--wd", "0,0.05", "--jobs", "2",
                    "--out", root.path + "/s"]
        let sweep = try Tool.start("grok-sweep", args)
        let deadline = Date().addingTimeInterval(60)
        func training(_ name: String) -> Bool {
            ((try? CSVTable.read(root.appendingPathComponent("s/runs/\(name)/metrics.csv")))?.numbers("step")?.last ?? 0) >= 1
        }
        while !(training("wd=0") && training("wd=0.05")) && Date() < deadline { usleep(20_000) }
        kill(sweep.process.processIdentifier, SIGTERM)
        let r = Tool.finish(sweep)
        XCTAssertEqual(r.status, 130, r.stderr)
        XCTAssertTrue(r.stderr.contains("stopping: asking 2 running run(s) to checkpoint and exit"), r.stderr)
        for name in ["wd=0", "wd=0.05"] {
            let log = try String(contentsOf: root.appendingPathComponent("s/logs/\(name).log"), encoding: .utf8)
            XCTAssertTrue(log.contains("checkpoint written"), log)
            let state = try String(contentsOf: root.appendingPathComponent("s/state/\(name).json"), encoding: .utf8)
            XCTAssertTrue(state.contains("\"interrupted\""), state)
        }
        let status = try Tool.run("grok-sweep", ["status", root.path + "/s"]).stdout
        XCTAssertTrue(status.contains("2 runs: 2 stopped"), status)
    }

    /// A run that fails and one that diverges are recorded as such; the others finish.
    func testFailedAndDivergedRunsAreRecordedAndOthersFinish() throws {
        let root = try scratch("failing")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("s")
        // The failing cell: after a first pass, its run directory's place is taken by a file,
        // which grok-train refuses.
        let args = tiny + ["--optimizer", "sgd", "--lr", "0.1,1e6", "--seeds", "0,1", "--steps", "200", "--htsr", "off",
                           "--no-report", "--jobs", "2", "--out", out.path]
        let first = try Tool.run("grok-sweep", args + ["--wd", "0"])
        XCTAssertTrue(first.stderr.contains("DIVERGED lr=1e6,seed=0"), first.stderr)
        XCTAssertEqual(first.status, 1, "diverged runs did not finish: \(first.stderr)")
        let blocked = out.appendingPathComponent("runs/lr=0.1,seed=1")
        try? FileManager.default.removeItem(at: blocked)
        try? FileManager.default.removeItem(at: out.appendingPathComponent("state/lr=0.1,seed=1.json"))
        try "not a run directory".write(to: blocked, atomically: true, encoding: .utf8)
        let r = try Tool.run("grok-sweep", args + ["--wd", "0"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("FAILED lr=0.1,seed=1 (exit 1)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("3 of 4 runs did not finish: 1 failed and 2 diverged (lr=0.1,seed=1 failed, lr=1e6,seed=0 diverged, lr=1e6,seed=1 diverged)"), r.stderr)
        let status = try Tool.run("grok-sweep", ["status", out.path]).stdout
        XCTAssertTrue(status.contains("1 done, 1 failed, 2 diverged"), status)
        let summary = try CSVTable.read(out.appendingPathComponent("summary.csv"))
        XCTAssertEqual(summary.strings("status"), ["done", "failed", "diverged", "diverged"])
    }

    /// --keep-snapshots N keeps the log-spread anchors plus the peak; htsr.csv still has every
    /// evaluation; --snapshot-dtype f32 writes F32 tensors from an f64 run.
    func testSnapshotRetentionAndPrecision() throws {
        let out = try scratch("keep").appendingPathComponent("run")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let r = try Tool.run("grok-train", tiny + ["--steps", "300", "--htsr", "plain", "--keep-snapshots", "5",
                                                    "--snapshot-dtype", "f32", "--threads", "1", "--quiet", "--no-report", "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let metrics = try CSVTable.read(out.appendingPathComponent("metrics.csv"))
        let steps = metrics.numbers("step")!.map { Int($0) }, test = metrics.numbers("test_acc")!
        let peak = steps[test.firstIndex(of: test.max()!)!]
        let expected = try SnapshotRetentionAnchors.expected("5", steps).union([peak])
        let files = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("snapshots").path)
        XCTAssertEqual(Set(files.compactMap { Int($0.dropFirst(5).prefix(10)) }), expected)
        XCTAssertLessThan(files.count, steps.count)
        let htsr = try CSVTable.read(out.appendingPathComponent("htsr.csv"))
        XCTAssertEqual(Set(htsr.numbers("step")!.map { Int($0) }), Set(steps), "every evaluation keeps its HTSR rows")
        XCTAssertEqual(htsr.rowCount, 3 * steps.count)
        let file = try Data(contentsOf: out.appendingPathComponent("snapshots/" + files.sorted().last!))
        let headerLength = Int(file.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = String(decoding: file.dropFirst(8).prefix(headerLength), as: UTF8.self)
        XCTAssertTrue(header.contains("\"F32\"") && !header.contains("\"F64\""), header)
        let config = try String(contentsOf: out.appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"keep_snapshots\" : \"5\"") && config.contains("\"snapshot_dtype\" : \"f32\""), config)
    }
}
