import XCTest
import RunFiles
import Foundation
import Training
import GrokCore
import TestSupport

final class CommandLineTests: XCTestCase {
    let small = ["--widths", "784,16,12,10", "--train-size", "100", "--batch-size", "20",
                 "--threads", "1", "--quiet"]

    func expectOneLineError(_ args: [String], mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try Tool.run("grok-train", args)
        XCTAssertNotEqual(r.status, 0, "\(args) should fail", file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line expected, got: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, file: file, line: line)
        for w in words { XCTAssertTrue(r.stderr.contains(w), "'\(w)' missing in: \(r.stderr)", file: file, line: line) }
        XCTAssertFalse(r.stderr.contains("Usage:"), file: file, line: line)
    }

    func testBadFlagsGetOneLineErrors() throws {
        let out = temporaryDirectory("cli").path
        try expectOneLineError(["--steps", "0", "--out", out], mentioning: ["steps"])
        try expectOneLineError(["--steps=-5", "--out", out], mentioning: ["steps"])
        try expectOneLineError(["--steps", "lots", "--out", out], mentioning: ["steps", "lots"])
        try expectOneLineError(["--lr", "0", "--out", out], mentioning: ["--lr"])
        try expectOneLineError(["--lr=-1", "--out", out], mentioning: ["--lr"])
        try expectOneLineError(["--dtype", "f16", "--out", out], mentioning: ["f16"])
        try expectOneLineError(["--widths", "100,200,10", "--out", out], mentioning: ["784"])
        try expectOneLineError(["--widths", "784,x,10", "--out", out], mentioning: ["--widths"])
        try expectOneLineError(["--batch-order", "random", "--out", out], mentioning: ["--batch-order"])
        try expectOneLineError(["--no-such-flag"], mentioning: ["no-such-flag"])
        try expectOneLineError(["--resume"], mentioning: ["--out"])
        try expectOneLineError(["--resume", "--out", out], mentioning: ["config.json"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a failed start must not leave a run directory")
    }

    func testBadDataGetsOneLineErrorAndNoRunDirectory() throws {
        let data = temporaryDirectory("baddata"), out = temporaryDirectory("cli-out")
        defer { try? FileManager.default.removeItem(at: data) }
        try expectOneLineError(["--data-dir", data.path, "--out", out.path], mentioning: [data.lastPathComponent])
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try Data([0x1f, 0x8b, 0x08, 0x00, 0x12]).write(to: data.appendingPathComponent(name))  // truncated gzip
        }
        try expectOneLineError(["--data-dir", data.path, "--out", out.path], mentioning: ["gzip"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testRefusesToOverwriteARun() throws {
        let out = temporaryDirectory("twice"); defer { try? FileManager.default.removeItem(at: out) }
        let args = small + ["--steps", "3", "--snapshots", "2", "--out", out.path]
        XCTAssertEqual(try Tool.run("grok-train", args).status, 0)
        try expectOneLineError(args, mentioning: ["--force", "--resume"])
        XCTAssertEqual(try Tool.run("grok-train", args + ["--force"]).status, 0)
    }

    /// Every flag grok-train has (its own machine-readable help enumerates them), given to
    /// --resume, is either applied or named in the note: none is ignored in silence.
    func testResumeNamesEveryFlagItIgnores() throws {
        let dump = try Tool.run("grok-train", ["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let arguments = try XCTUnwrap((root["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        let applied: Set<String> = ["resume", "out", "threads", "quiet", "no-report", "force", "checkpoint-interval"]
        var given: [String] = [], expected: [String] = []
        for a in arguments {
            guard let kind = a["kind"] as? String, kind != "positional",
                  let name = (a["names"] as? [[String: Any]])?.first(where: { $0["kind"] as? String == "long" })?["name"] as? String,
                  !["help", "check", "resume", "out"].contains(name) else { continue }
            given.append("--" + name)
            if kind == "option" { given.append((a["allValues"] as? [String])?.first ?? "1") }
            if !applied.contains(name) { expected.append("--" + name) }
        }
        XCTAssertGreaterThan(expected.count, 40, "the dump lists grok-train's flags")
        let missing = temporaryDirectory("resume-flags")
        let r = try Tool.run("grok-train", ["--resume", "--out", missing.path] + given)
        XCTAssertNotEqual(r.status, 0, "there is no run to resume")
        let note = try XCTUnwrap(r.stderr.split(separator: "\n").first { $0.contains("ignored: ") }, r.stderr)
        let named = Set(note.components(separatedBy: "ignored: ").last!.components(separatedBy: ", "))
        XCTAssertEqual(named.subtracting(expected), [], "named but applied")
        XCTAssertEqual(Set(expected).subtracting(named), [], "ignored without a word")
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing.path))
    }

    func testHelpExplainsAndSucceeds() throws {
        let r = try Tool.run("grok-train", ["--help"])
        XCTAssertEqual(r.status, 0)
        for w in ["--steps", "--wd", "--preset", "--resume", "--snapshots", "4,000"] { XCTAssertTrue(r.stdout.contains(w), w) }
    }

    /// SIGKILL, then --resume, twice: the result equals a run never killed. The kills are
    /// placed by what the run has written (after its 4th, then its 14th snapshot file), not by
    /// a timer, so every run of the test kills a run that has something to resume. With a
    /// checkpoint at every evaluation (--checkpoint-interval 0) the kills leave one past step 0;
    /// with the default interval (60 s, longer than this run) the only checkpoint is the first
    /// evaluation's, and the resumed run recomputes every evaluation after it.
    func testKilledAndResumedRunIsBitIdentical() throws {
        try killTwiceAndResume(interval: ["--checkpoint-interval", "0"], checkpointPastStart: true)
    }

    func testKilledRunWithTheDefaultCheckpointIntervalRecomputesItsEvaluations() throws {
        try killTwiceAndResume(interval: [], checkpointPastStart: false)
    }

    func killTwiceAndResume(interval: [String], checkpointPastStart: Bool) throws {
        let full = temporaryDirectory("k-full"), part = temporaryDirectory("k-part")
        defer { try? FileManager.default.removeItem(at: full); try? FileManager.default.removeItem(at: part) }
        let args = small + ["--steps", "300", "--snapshots", "30", "--lr", "1e-3", "--no-report"]
        let r = try Tool.run("grok-train", args + ["--out", full.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let snapshots = part.appendingPathComponent("snapshots")
        for (i, killAt) in [4, 14].enumerated() {
            let p = Process()
            p.executableURL = try Tool.url("grok-train")
            p.arguments = (i == 0 ? args + ["--out", part.path] : ["--resume", "--out", part.path, "--quiet", "--no-report"]) + interval
            var env = ProcessInfo.processInfo.environment
            env["GROKLAB_REEXEC"] = "1"
            env["OPENBLAS_CORETYPE"] = nil   // a forced kernel adds a note line the one-line checks would count
            p.environment = env
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = Date().addingTimeInterval(120)
            while p.isRunning, Date() < deadline,
                  ((try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? []).filter({ $0.hasPrefix("step-") }).count < killAt {
                usleep(500)
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal, "kill \(i + 1): the run ended before it was killed")
            let checkpointStep = try CheckpointInfo.step(in: part.appendingPathComponent("checkpoint.safetensors"))
            if checkpointPastStart {
                XCTAssertGreaterThan(checkpointStep, 0, "kill \(i + 1): a checkpoint at every evaluation")
            } else {
                XCTAssertEqual(checkpointStep, 0, "kill \(i + 1): the default interval checkpoints the first evaluation only")
            }
        }
        let last = try Tool.run("grok-train", ["--resume", "--out", part.path, "--quiet", "--no-report"])
        XCTAssertEqual(last.status, 0, last.stderr)
        if !checkpointPastStart {
            XCTAssertTrue(last.stderr.contains("the checkpoint is at step 0; the "), last.stderr)
            XCTAssertTrue(last.stderr.contains("will be recomputed, identically"), last.stderr)
        }
        XCTAssertEqual(try Data(contentsOf: full.appendingPathComponent("metrics.csv")),
                       try Data(contentsOf: part.appendingPathComponent("metrics.csv")), "metrics differ after two kills")
        let snap = "snapshots/step-0000000300.safetensors"
        XCTAssertEqual(try Data(contentsOf: full.appendingPathComponent(snap)), try Data(contentsOf: part.appendingPathComponent(snap)))
        // No temporary files left behind by the kills.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: part.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }
}
