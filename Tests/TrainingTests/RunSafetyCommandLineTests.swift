import XCTest
import RunFiles
import Foundation
import Training

/// The real grok-train on the data-loss cases of issue 10: --force on folders that are not
/// runs, a second process on a live run, a kill before the first checkpoint, a history that
/// does not match the checkpoint, data that changed.
final class RunSafetyCommandLineTests: XCTestCase {
    let fm = FileManager.default
    let small = ["--widths", "784,16,12,10", "--train-size", "100", "--batch-size", "20",
                 "--threads", "1", "--quiet", "--no-report"]

    func oneLineError(_ r: Tool.Result, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(r.status, 0, "should fail", file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
        for w in words { XCTAssertTrue(r.stderr.contains(w), "'\(w)' missing in: \(r.stderr)", file: file, line: line) }
    }

    /// Case 1: `--out "" --force` and `--out . --force` used to empty the working directory.
    func testForceNeverEmptiesTheWorkingDirectory() throws {
        let cwd = temporaryDirectory("cwd"); defer { try? fm.removeItem(at: cwd) }
        try fm.createDirectory(at: cwd, withIntermediateDirectories: true)
        try "precious".write(to: cwd.appendingPathComponent("thesis.tex"), atomically: true, encoding: .utf8)
        for out in ["", ".", "./"] {
            let r = try Tool.run("grok-train", small + ["--steps", "3", "--snapshots", "2", "--out", out, "--force"], in: cwd)
            oneLineError(r, mentioning: [])
            XCTAssertEqual(try fm.contentsOfDirectory(atPath: cwd.path), ["thesis.tex"], "--out '\(out)'")
        }
        // A folder holding other files next to a run's is refused too.
        let run = cwd.appendingPathComponent("run")
        XCTAssertEqual(try Tool.run("grok-train", small + ["--steps", "3", "--snapshots", "2", "--out", run.path]).status, 0)
        try "mine".write(to: run.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        oneLineError(try Tool.run("grok-train", small + ["--steps", "3", "--snapshots", "2", "--out", run.path, "--force"]),
                     mentioning: ["notes.txt"])
        XCTAssertTrue(fm.fileExists(atPath: run.appendingPathComponent("notes.txt").path))
    }

    /// Case 2: a second grok-train on a live run is refused, naming the holder's pid.
    func testASecondProcessOnALiveRunIsRefusedWithTheHoldersPid() throws {
        let dir = temporaryDirectory("live"); defer { try? fm.removeItem(at: dir) }
        let p = Process()
        p.executableURL = try Tool.url("grok-train")
        p.arguments = small + ["--steps", "1e8", "--snapshots", "4", "--out", dir.path]
        var env = ProcessInfo.processInfo.environment
        env["GROKLAB_REEXEC"] = "1"
        env["OPENBLAS_CORETYPE"] = nil   // a forced kernel adds a note line the one-line checks would count
        p.environment = env
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }
        let checkpoint = dir.appendingPathComponent("checkpoint.safetensors")
        let deadline = Date().addingTimeInterval(120)
        while !fm.fileExists(atPath: checkpoint.path), Date() < deadline, p.isRunning { usleep(20_000) }
        XCTAssertTrue(fm.fileExists(atPath: checkpoint.path), "the first run never wrote its checkpoint")
        let metricsBefore = try Data(contentsOf: dir.appendingPathComponent("metrics.csv"))
        let pid = "pid \(p.processIdentifier)"
        oneLineError(try Tool.run("grok-train", ["--resume", "--out", dir.path, "--quiet"]), mentioning: [pid, "in use"])
        oneLineError(try Tool.run("grok-train", small + ["--steps", "3", "--out", dir.path, "--force"]), mentioning: [pid])
        XCTAssertTrue(p.isRunning, "the live run must be left alone")
        // The live run's history is untouched (it may have appended rows meanwhile).
        let metricsAfter = try Data(contentsOf: dir.appendingPathComponent("metrics.csv"))
        XCTAssertEqual(metricsAfter.prefix(metricsBefore.count), metricsBefore)
        // SIGHUP (a closed terminal) stops the run like SIGTERM: with a checkpoint, exit 130.
        let before = try CheckpointInfo.step(in: checkpoint)
        kill(p.processIdentifier, SIGHUP)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "SIGHUP must not kill the run")
        XCTAssertEqual(p.terminationStatus, 130, "SIGHUP stops with a checkpoint")
        XCTAssertGreaterThan(try CheckpointInfo.step(in: checkpoint), before, "a checkpoint at the stopping step")
    }

    /// Case 3: a run killed before its first checkpoint (config.json, a partial metrics.csv,
    /// an atomic write's temporary file) can be resumed, and equals an uninterrupted run.
    func testKillBeforeTheFirstCheckpointIsResumable() throws {
        let full = temporaryDirectory("c3-full"), part = temporaryDirectory("c3-part")
        defer { try? fm.removeItem(at: full); try? fm.removeItem(at: part) }
        let args = small + ["--steps", "30", "--snapshots", "6"]
        XCTAssertEqual(try Tool.run("grok-train", args + ["--out", full.path]).status, 0)
        try fm.createDirectory(at: part.appendingPathComponent("snapshots"), withIntermediateDirectories: true)
        try fm.copyItem(at: full.appendingPathComponent("config.json"), to: part.appendingPathComponent("config.json"))
        try "step,train_loss,tr".write(to: part.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
        try Data(count: 1000).write(to: part.appendingPathComponent(".checkpoint.safetensors.tmp-99-1"))
        let r = try Tool.run("grok-train", ["--resume", "--out", part.path, "--quiet", "--no-report"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("no checkpoint"), r.stderr)
        XCTAssertEqual(try Data(contentsOf: full.appendingPathComponent("metrics.csv")),
                       try Data(contentsOf: part.appendingPathComponent("metrics.csv")))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: part.path).filter { $0.contains(".tmp-") }, [])
    }

    /// Case 4: a metrics history with a lost row, or data that changed, is refused on --resume.
    func testResumeRefusesALostMetricsRowAndChangedData() throws {
        let dir = temporaryDirectory("c4"); defer { try? fm.removeItem(at: dir) }
        XCTAssertEqual(try Tool.run("grok-train", small + ["--steps", "30", "--snapshots", "6", "--out", dir.path]).status, 0)
        let config = try String(contentsOf: dir.appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"data_checksum\" : \"crc32:"), "config.json records the data checksum")
        let metricsURL = dir.appendingPathComponent("metrics.csv")
        let original = try String(contentsOf: metricsURL, encoding: .utf8)
        var lines = original.split(separator: "\n").map(String.init)
        let lost = lines.remove(at: 3)
        try (lines.joined(separator: "\n") + "\n").write(to: metricsURL, atomically: true, encoding: .utf8)
        let stepLost = lost.split(separator: ",")[0]
        oneLineError(try Tool.run("grok-train", ["--resume", "--out", dir.path, "--quiet"]),
                     mentioning: ["metrics.csv", "step \(stepLost) is missing"])
        try original.write(to: metricsURL, atomically: true, encoding: .utf8)
        let changed = config.replacingOccurrences(of: "\"data_checksum\" : \"crc32:", with: "\"data_checksum\" : \"crc32:0")
        try changed.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        oneLineError(try Tool.run("grok-train", ["--resume", "--out", dir.path, "--quiet"]), mentioning: ["data", "checksum"])
        XCTAssertEqual(try String(contentsOf: metricsURL, encoding: .utf8), original, "a refused resume changes nothing")
    }

    /// The smaller cases of issue 10, each a one-line answer.
    func testSmallerFlagCases() throws {
        let out = temporaryDirectory("flags"); defer { try? fm.removeItem(at: out) }
        oneLineError(try Tool.run("grok-train", small + ["--widths", "784,,10", "--out", out.path]), mentioning: ["--widths", "784,,10"])
        oneLineError(try Tool.run("grok-train", small + ["--steps", "-5", "--out", out.path]), mentioning: ["steps", "-5"])
        oneLineError(try Tool.run("grok-train", small + ["--lr", "-1", "--out", out.path]), mentioning: ["--lr", "-1"])
        oneLineError(try Tool.run("grok-train", small + ["--seed", "-1", "--out", out.path]), mentioning: ["seed", "-1"])
        XCTAssertFalse(fm.fileExists(atPath: out.path))
        let r = try Tool.run("grok-train", small + ["--threads", "1000", "--steps", "3", "--snapshots", "2", "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("--threads 1000 is more than this machine's"), r.stderr)
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("config.json"), encoding: .utf8)
            .contains("\"threads\" : \(ProcessInfo.processInfo.activeProcessorCount)"))
        // Every ignored flag is named on --resume.
        let resumed = try Tool.run("grok-train", ["--resume", "--out", out.path, "--quiet", "--no-report",
                                                  "--lr", "1", "--batch-size", "10", "--htsr", "off", "--seed", "3"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("ignored: --lr, --batch-size, --htsr, --seed"), resumed.stderr)
    }

    /// A divergence is said once, and says truthfully what is kept.
    func testDivergenceIsReportedOnceAndTruthfully() throws {
        let a = temporaryDirectory("div0"), b = temporaryDirectory("div"); defer { try? fm.removeItem(at: a); try? fm.removeItem(at: b) }
        let atInit = try Tool.run("grok-train", small + ["--init-scale", "1e300", "--steps", "5", "--out", a.path])
        func errorLines(_ r: Tool.Result) -> [Substring] { r.stderr.split(separator: "\n").filter { $0.contains("diverged") } }
        XCTAssertEqual(atInit.status, 1)
        XCTAssertEqual(errorLines(atInit).count, 1, atInit.stderr)
        XCTAssertTrue(atInit.stderr.contains("error: training diverged at step 0") && atInit.stderr.contains("no checkpoint"), atInit.stderr)
        XCTAssertFalse(atInit.stderr.contains("last good checkpoint"))
        let later = try Tool.run("grok-train", small + ["--optimizer", "sgd", "--lr", "1e6", "--steps", "200", "--out", b.path])
        XCTAssertEqual(later.status, 1)
        XCTAssertEqual(errorLines(later).count, 1, later.stderr)
        XCTAssertTrue(later.stderr.contains("last good checkpoint (step "), later.stderr)
    }
}
