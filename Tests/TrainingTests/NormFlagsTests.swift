import XCTest
import TestSupport
import Foundation
import Training
import RunFiles

/// grok-train's norm-intervention flags, through the real executable.
final class NormFlagsTests: XCTestCase {
    func expectOneLineError(_ args: [String], mentioning words: [String], line: UInt = #line) throws {
        let r = try Tool.run("grok-train", args + ["--steps", "100", "--check"])
        XCTAssertNotEqual(r.status, 0, "\(args) should fail", line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, line: line)
        for w in words { XCTAssertTrue(r.stderr.contains(w), "'\(w)' missing in: \(r.stderr)", line: line) }
    }

    /// A fake free run of Prakash & Martin's MLP: its config.json and a metrics.csv whose test
    /// accuracy crosses 0.8 at step 300.
    func fakeRun(grokking: Bool, config: TrainingConfig = .paper) throws -> URL {
        let dir = temporaryDirectory("freerun")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try config.write(to: RunDirectory(dir), extra: [:])
        let last = grokking ? "0.85" : "0.79"
        try """
        step,train_loss,train_acc,test_loss,test_acc,l2_norm,l2_weights
        0,1,0.1,1,0.1,95,94
        100,0.1,1,0.9,0.5,80,79.5
        300,0.1,1,0.5,\(last),60,59.25
        400,0.1,1,0.5,0.9,55,54
        """.replacingOccurrences(of: "0.9,55", with: grokking ? "0.9,55" : "0.7,55").appending("\n")
            .write(to: dir.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
        return dir
    }

    func testClampRefAutoReadsTheNormAtTheGrokStep() throws {
        let run = try fakeRun(grokking: true); defer { try? FileManager.default.removeItem(at: run) }
        let r = try Tool.run("grok-train", ["--clamp-norm", "1.1", "--clamp-from", "50", "--clamp-ref", "auto",
                                            "--clamp-ref-run", run.path, "--steps", "100", "--check"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let clamp = (json?["norm_control"] as? [String: Any])?["clamp"] as? [String: Any]
        XCTAssertEqual(clamp?["reference_norm"] as? Double, 59.25)
        XCTAssertEqual(clamp?["rho"] as? Double, 1.1)
        XCTAssertEqual(clamp?["from_step"] as? Int, 50)
        // A higher threshold picks the later evaluation.
        let r9 = try Tool.run("grok-train", ["--clamp-norm", "1.1", "--clamp-ref", "auto", "--clamp-ref-run", run.path,
                                             "--clamp-ref-threshold", "0.9", "--steps", "100", "--check"])
        XCTAssertTrue(r9.stdout.contains("\"reference_norm\" : 54"), r9.stdout + r9.stderr)
    }

    /// A reference run of another model or other widths says nothing about this network's
    /// weight norm: refused (exit 64), while one of the same network is taken.
    func testClampReferenceOfAnotherNetworkIsRefused() throws {
        let tokens = try fakeRun(grokking: true, config: .delayLaw)
        var narrow = TrainingConfig.paper; narrow.widths = [784, 100, 10]
        let other = try fakeRun(grokking: true, config: narrow)
        defer { for d in [tokens, other] { try? FileManager.default.removeItem(at: d) } }
        let clamp = ["--clamp-norm", "1.1", "--clamp-ref", "auto", "--clamp-ref-run"]
        for (run, words) in [(tokens, ["another network", "modular addition", "784-200-200-10"]),
                             (other, ["another network", "784-100-10", "784-200-200-10"])] {
            let r = try Tool.run("grok-train", clamp + [run.path, "--steps", "100", "--check"])
            XCTAssertEqual(r.status, 64, r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            for w in words { XCTAssertTrue(r.stderr.contains(w), "'\(w)' missing in: \(r.stderr)") }
        }
        // The same widths as the reference: taken.
        let same = try Tool.run("grok-train", clamp + [other.path, "--widths", "784,100,10", "--steps", "100", "--check"])
        XCTAssertEqual(same.status, 0, same.stderr)
    }

    func testBadInputIsAOneLineError() throws {
        let never = try fakeRun(grokking: false); defer { try? FileManager.default.removeItem(at: never) }
        try expectOneLineError(["--clamp-norm", "1.1"], mentioning: ["--clamp-ref"])
        try expectOneLineError(["--clamp-norm", "0", "--clamp-ref", "50"], mentioning: ["--clamp-norm", "positive"])
        try expectOneLineError(["--clamp-norm", "-1", "--clamp-ref", "50"], mentioning: ["--clamp-norm", "positive"])
        try expectOneLineError(["--clamp-norm", "1", "--clamp-ref", "50", "--clamp-from", "1e3"], mentioning: ["beyond --steps"])
        try expectOneLineError(["--clamp-norm", "1", "--clamp-ref", "x"], mentioning: ["--clamp-ref"])
        try expectOneLineError(["--clamp-norm", "1", "--clamp-ref", "auto"], mentioning: ["--clamp-ref-run"])
        try expectOneLineError(["--clamp-norm", "1", "--clamp-ref", "auto", "--clamp-ref-run", never.path], mentioning: ["never grokked"])
        try expectOneLineError(["--constrain-norm", "--wd", "0.01"], mentioning: ["--constrain-norm", "--wd 0"])
        try expectOneLineError(["--rescale-once", "1.1"], mentioning: ["--at"])
        try expectOneLineError(["--rescale-once", "1.1", "--at", "500"], mentioning: ["--at"])
        try expectOneLineError(["--constrain-norm", "--rescale-once", "2", "--at", "5"], mentioning: ["one norm intervention"])
        try expectOneLineError(["--clamp-norm", "1", "--clamp-ref", "50", "--clamp-ref-threshold", "0.9"], mentioning: ["--clamp-ref auto"])
    }

    func testModularAdditionBadInputIsAOneLineError() throws {
        try expectOneLineError(["--dataset", "modadd", "--modulus", "57"], mentioning: ["--modulus", "prime"])
        try expectOneLineError(["--dataset", "modadd", "--modulus", "2"], mentioning: ["--modulus"])
        try expectOneLineError(["--dataset", "modadd", "--train-fraction", "1"], mentioning: ["--train-fraction"])
        try expectOneLineError(["--dataset", "modadd", "--train-fraction", "0"], mentioning: ["--train-fraction"])
        for flag in [["--widths", "2,8,11"], ["--train-size", "100"], ["--batch-size", "10"], ["--subset", "first"],
                     ["--data-dir", "/tmp"], ["--batch-order", "cycle"], ["--kernels", "dense"]] {
            try expectOneLineError(["--dataset", "modadd"] + flag, mentioning: [flag[0], "image datasets"])
        }
        try expectOneLineError(["--modulus", "59"], mentioning: ["--modulus", "--dataset modadd"])
        try expectOneLineError(["--preset", "delay-law", "--hidden", "0"], mentioning: ["--hidden"])
    }

    func testModularAdditionCheckShowsTheDerivedSettings() throws {
        let r = try Tool.run("grok-train", ["--dataset", "modadd", "--modulus", "23", "--train-fraction", "0.5",
                                            "--embed-dim", "16", "--hidden", "32", "--steps", "100", "--check"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["train_size"] as? Int, 265)
        XCTAssertEqual(json?["test_size"] as? Int, 529 - 265)
        XCTAssertEqual(json?["batch_size"] as? Int, 265, "full batch")
        XCTAssertEqual(json?["loss"] as? String, "ce", "without a preset modadd starts from arXiv 2606.13753's settings")
        XCTAssertEqual(json?["wd"] as? Double, 1)
        XCTAssertEqual(json?["widths"] as? [Int], [32, 32, 23])
    }
}
