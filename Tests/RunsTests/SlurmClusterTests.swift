import XCTest
import TestSupport
import RunFiles
import Foundation
import Runs
import Report

/// Against a real single-node Slurm cluster (.ci/slurm-start starts one; .ci/run does it for CI).
/// Without a cluster these fail under CI=true and skip elsewhere.
final class SlurmClusterTests: XCTestCase {
    let cell = ["--widths", "784,16,12,10", "--train-size", "100", "--batch-size", "20", "--snapshots", "20",
                "--dtype", "f32", "--htsr", "off", "--no-report"]
    var root: URL!

    /// Asked once: sinfo waits ~9 s for a controller that is not there.
    nonisolated(unsafe) static var clusterUp: Bool?


    static func probe() -> Bool {
        if let known = clusterUp { return known }
        let sinfo = Process()
        sinfo.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sinfo.arguments = ["sinfo", "-h", "-N", "-o", "%T"]
        let out = Pipe()
        sinfo.standardOutput = out; sinfo.standardError = FileHandle.nullDevice
        var states = ""
        if (try? sinfo.run()) != nil {
            states = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            sinfo.waitUntilExit()
        }
        clusterUp = ["idle", "mixed", "allocated"].contains { states.contains($0) }
        return clusterUp!
    }

    override func setUpWithError() throws {
        guard Self.probe() else {
            let why = "no Slurm cluster answers sinfo (start one with .ci/slurm-start, or run .ci/slurm-tests)"
            // A failure, not a skip: CI must have the cluster. (A thrown setUp error would be
            // counted as both.)
            guard Tool.underCI else { throw XCTSkip(why) }
            XCTFail(why)
            return
        }
        root = try scratch("slurm")
    }

    override func tearDownWithError() throws { if let root { try? FileManager.default.removeItem(at: root) } }

    /// The environment a user submits from: the tools on PATH (the tasks inherit it; the
    /// script names no build folder).
    func submitEnvironment() throws -> [String: String] {
        let tools = try Tool.url("grok-sweep").deletingLastPathComponent().path
        return ["PATH": tools + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
    }

    /// `grok-sweep submit` and the job id it printed (nil when it submitted nothing).
    func submit(_ sweep: URL) throws -> (result: Tool.Result, id: String?) {
        let s = try Tool.run("grok-sweep", ["submit", sweep.path], environment: try submitEnvironment())
        let words = s.stdout.split(separator: " ")
        let id = words.firstIndex(of: "job").map { String(words[$0 + 1].prefix { $0.isNumber }) }
        return (s, id?.isEmpty == false ? id : nil)
    }

    /// Polls squeue until the job has left the queue.
    func waitFor(_ id: String, timeout: Double = 180, whileRunning: ((String) throws -> Void)? = nil) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            try whileRunning?(id)
            let q = try shell("squeue", ["-h", "-r", "-j", id, "-o", "%i %T %r"])
            if q.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            for bad in ["PartitionConfig", "Resources_", "BadConstraints"] where q.contains(bad) {
                XCTFail("Slurm cannot run the array: \(q)"); return
            }
            usleep(250_000)
        }
        XCTFail("the array did not finish within \(timeout) s")
    }

    /// Submits, then polls squeue until the array has left the queue.
    func submitAndWait(_ sweep: URL, timeout: Double = 180, whileRunning: ((String) throws -> Void)? = nil) throws -> String {
        let (s, id) = try submit(sweep)
        XCTAssertEqual(s.status, 0, s.stderr)
        guard let id else { XCTFail("no job id in: \(s.stdout)"); return "" }
        try waitFor(id, timeout: timeout, whileRunning: whileRunning)
        return id
    }

    func shellStatus(_ tool: String, _ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    @discardableResult
    func shell(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe()
        p.standardOutput = out; p.standardError = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: o, as: UTF8.self)
    }

    /// 2 wd x 2 seeds as a job array: every cell complete and byte-identical to the same cell run
    /// here by the local engine (same seed, one thread each).
    func testArrayRunsEveryCellAsTheLocalEngineDoes() throws {
        guard root != nil else { return }   // no cluster under CI: setUp has failed the test
        let grid = cell + ["--steps", "300", "--wd", "0,0.01", "--seeds", "0,1"]
        let onSlurm = root.appendingPathComponent("slurm"), here = root.appendingPathComponent("local")
        let emit = try Tool.run("grok-sweep", grid + ["--emit", "slurm", "--max-parallel", "2", "--mem", "500M",
                                                      "--time", "10", "--out", onSlurm.path])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        // Slurm itself accepts the emitted script (rc 255 for an unknown #SBATCH option, 1 for
        // resources it cannot give).
        XCTAssertEqual(try shellStatus("sbatch", ["--test-only", onSlurm.appendingPathComponent("sweep.sbatch").path]), 0)
        _ = try submitAndWait(onSlurm)
        let local = try Tool.run("grok-sweep", grid + ["--jobs", "2", "--out", here.path])
        XCTAssertEqual(local.status, 0, local.stderr)
        for name in ["wd=0,seed=0", "wd=0,seed=1", "wd=0.01,seed=0", "wd=0.01,seed=1"] {
            let a = try Data(contentsOf: onSlurm.appendingPathComponent("runs/\(name)/metrics.csv"))
            let b = try Data(contentsOf: here.appendingPathComponent("runs/\(name)/metrics.csv"))
            XCTAssertEqual(a, b, "\(name): the Slurm task's metrics.csv differs from the local run's")
            XCTAssertEqual(try CSVTable.read(onSlurm.appendingPathComponent("runs/\(name)/metrics.csv")).numbers("step")?.last, 300)
        }
        let status = try Tool.run("grok-sweep", ["status", onSlurm.path])
        XCTAssertTrue(status.stdout.contains("4 runs: 4 done"), status.stdout)
        let summary = try Tool.run("grok-sweep", ["summary", onSlurm.path, "--no-png"])
        XCTAssertEqual(summary.status, 0, summary.stderr)
    }

    /// A cell that cannot run is FAILED in Slurm, with its exit code in grok-sweep status.
    func testFailingCellIsReportedWithItsExitCode() throws {
        guard root != nil else { return }
        let dir = root.appendingPathComponent("failing")
        let emit = try Tool.run("grok-sweep", cell + ["--steps", "100", "--seeds", "0,1", "--emit", "slurm", "--mem", "500M", "--out", dir.path])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        // seed=1's run directory is taken by a file: grok-train refuses it and exits 1.
        try "in the way".write(to: dir.appendingPathComponent("runs/seed=1"), atomically: true, encoding: .utf8)
        let id = try submitAndWait(dir)
        let scontrol = try shell("scontrol", ["show", "job", "-o", id])
        XCTAssertTrue(scontrol.contains("JobState=FAILED") && scontrol.contains("ExitCode=1:0"), scontrol)
        let status = try Tool.run("grok-sweep", ["status", dir.path]).stdout
        let line = status.split(separator: "\n").first { $0.hasPrefix("seed=1 ") }.map(String.init) ?? ""
        XCTAssertTrue(line.contains("failed") && line.contains("exit 1:0") && line.contains("Slurm FAILED"), status)
        XCTAssertTrue(status.contains("1 done, 1 failed"), status)
    }

    /// A task requeued while it trains is stopped at a checkpoint and, rerun, resumes from it:
    /// the run ends as an uninterrupted one.
    func testRequeuedTaskResumesFromItsCheckpoint() throws {
        guard root != nil else { return }
        let grid = ["--widths", "784,64,64,10", "--train-size", "200", "--batch-size", "20", "--snapshots", "30",
                    "--dtype", "f32", "--htsr", "off", "--no-report", "--steps", "20000", "--seeds", "0"]
        let dir = root.appendingPathComponent("requeue")
        let emit = try Tool.run("grok-sweep", grid + ["--emit", "slurm", "--mem", "500M", "--out", dir.path])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        var requeued = false
        _ = try submitAndWait(dir, timeout: 240) { id in
            guard !requeued else { return }
            let m = dir.appendingPathComponent("runs/run/metrics.csv")
            if let last = (try? CSVTable.read(m))?.numbers("step")?.last, last >= 100, last < 20000 {
                try self.shell("scontrol", ["requeue", "\(id)_0"])
                requeued = true
            }
        }
        XCTAssertTrue(requeued, "the task ended before it could be requeued: make it longer")
        let log = try String(contentsOf: dir.appendingPathComponent("logs/run.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("resuming: grok-train --resume"), log)
        let slurmLog = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("logs").path)
            .filter { $0.hasPrefix("slurm-") }
            .map { try String(contentsOf: dir.appendingPathComponent("logs/" + $0), encoding: .utf8) }.joined()
        XCTAssertTrue(slurmLog.contains("run: resuming (restart 1)"), slurmLog)
        let here = root.appendingPathComponent("local")
        let local = try Tool.run("grok-sweep", grid + ["--jobs", "1", "--out", here.path])
        XCTAssertEqual(local.status, 0, local.stderr)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("runs/run/metrics.csv")),
                       try Data(contentsOf: here.appendingPathComponent("runs/run/metrics.csv")))
    }

    /// A sweep directory whose path has a space, an apostrophe, % and #: Slurm accepts the
    /// script, every task runs and logs into the sweep's logs/. The script names no build
    /// folder: the tasks find the tools on the PATH they inherit from the submitting shell.
    func testOddPathsAndToolsFromPATH() throws {
        guard root != nil else { return }
        let dir = root.appendingPathComponent("it's 100% #1 sweep")
        let emit = try Tool.run("grok-sweep", cell + ["--steps", "100", "--seeds", "0,1", "--emit", "slurm", "--mem", "500M", "--out", dir.path])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        let script = try String(contentsOf: dir.appendingPathComponent("sweep.sbatch"), encoding: .utf8)
        let tools = try Tool.url("grok-sweep").deletingLastPathComponent().path
        XCTAssertFalse(script.contains(tools), "the script names this machine's build folder:\n\(script)")
        XCTAssertEqual(try shellStatus("sbatch", ["--test-only", dir.appendingPathComponent("sweep.sbatch").path]), 0, script)
        let id = try submitAndWait(dir)
        let status = try Tool.run("grok-sweep", ["status", dir.path]).stdout
        XCTAssertTrue(status.contains("2 runs: 2 done"), status)
        for task in 0..<2 {
            let log = dir.appendingPathComponent("logs/slurm-\(id)_\(task).out")
            XCTAssertTrue(FileManager.default.fileExists(atPath: log.path), "no \(log.lastPathComponent) in the sweep's logs/: \(status)")
        }
    }

    /// A second submit while the first array is queued is refused (its tasks would find the
    /// runs locked and fail); once the array is gone, only unfinished runs are submitted.
    func testSubmitTwiceIsRefusedWhileQueuedAndResubmitsOnlyUnfinishedRuns() throws {
        guard root != nil else { return }
        let dir = root.appendingPathComponent("twice")
        let emit = try Tool.run("grok-sweep", cell + ["--steps", "300", "--seeds", "0,1", "--emit", "slurm", "--mem", "500M", "--out", dir.path])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        let (first, id) = try submit(dir)
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try submit(dir).result
        XCTAssertEqual(second.status, 1, second.stdout + second.stderr)
        XCTAssertTrue(second.stderr.contains("already submitted"), second.stderr)
        try waitFor(try XCTUnwrap(id))
        let third = try submit(dir).result
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(third.stdout.contains("nothing to submit"), third.stdout)
        // One run lost: only its task goes to Slurm.
        for lost in ["runs/seed=1", "state/seed=1.json"] { try FileManager.default.removeItem(at: dir.appendingPathComponent(lost)) }
        let (fourth, again) = try submit(dir)
        XCTAssertEqual(fourth.status, 0, fourth.stderr)
        let tasks = try shell("scontrol", ["show", "job", "-o", try XCTUnwrap(again)])
        XCTAssertTrue(tasks.contains("ArrayTaskId=1") && !tasks.contains("ArrayTaskId=0 "), tasks)
        try waitFor(try XCTUnwrap(again))
        XCTAssertTrue(try Tool.run("grok-sweep", ["status", dir.path]).stdout.contains("2 runs: 2 done"))
    }

    /// With the controller unreachable, status answers within seconds (not ~18 s per recorded
    /// job) and says that Slurm did not answer.
    func testStatusWithSlurmUnreachableIsQuickAndSaysSo() throws {
        guard root != nil else { return }
        let dir = root.appendingPathComponent("unreachable")
        let emit = try Tool.run("grok-sweep", cell + ["--steps", "50", "--emit", "slurm", "--mem", "500M", "--out", dir.path])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        _ = try submitAndWait(dir)
        // Three submissions on record, as after a few resubmits.
        let jobs = dir.appendingPathComponent("slurm-jobs.json")
        var records = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: jobs)) as? [[String: Any]])
        for fake in ["999991", "999992"] { var r = records[0]; r["job_id"] = fake; records.append(r) }
        try JSONSerialization.data(withJSONObject: records).write(to: jobs)
        // The same cluster, its controller on a port nobody listens on: the Slurm client
        // retries each query for ~18 s before it gives up.
        let conf = try String(contentsOfFile: "/etc/slurm/slurm.conf", encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("SlurmctldPort=") }
            .map { $0.hasPrefix("SlurmctldHost=") ? "SlurmctldHost=nowhere(127.0.0.1)" : String($0) }
            .joined(separator: "\n") + "\nSlurmctldPort=1\n"
        let confURL = root.appendingPathComponent("unreachable.conf")
        try conf.write(to: confURL, atomically: true, encoding: .utf8)
        let started = Date()
        let r = try Tool.run("grok-sweep", ["status", dir.path], environment: ["SLURM_CONF": confURL.path])
        let took = Date().timeIntervalSince(started)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertLessThan(took, 15, "status waited \(took) s for an unreachable Slurm")
        XCTAssertTrue(r.stdout.contains("Slurm did not answer") || r.stdout.contains("Slurm is unreachable"), r.stdout)
        XCTAssertTrue(r.stdout.contains("1 runs: 1 done"), r.stdout)
    }
}
