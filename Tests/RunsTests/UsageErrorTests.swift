import XCTest
import TestSupport
import Foundation

/// Every tool as a user meets its errors: a bad command line is one line on stderr and exit 64
/// (EX_USAGE), whether the parser or the tool's own value check finds it; a negative number
/// after a space is a value to check, not a missing one; a size no memory holds is refused
/// before anything is allocated (no "Fatal error", no backtrace).
final class UsageErrorTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try scratch("usage") }
    override func tearDownWithError() throws { if let root { try? FileManager.default.removeItem(at: root) } }

    /// The error lines of a run (progress and notes aside).
    func errorLines(_ r: Tool.Result) -> [Substring] {
        r.stderr.split(separator: "\n").filter { !$0.hasPrefix("checking ") && !$0.hasPrefix("note") }
    }

    func expectError(_ tool: String, _ args: [String], code: Int32 = 64, _ words: [String], absent: [String] = [],
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try Tool.run(tool, args)
        let what = "\(tool) \(args.joined(separator: " "))"
        XCTAssertEqual(r.status, code, "\(what): \(r.stderr)", file: file, line: line)
        let lines = errorLines(r)
        XCTAssertEqual(lines.count, 1, "\(what): one line expected, got: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(lines.first?.hasPrefix("error: ") ?? false, "\(what): \(r.stderr)", file: file, line: line)
        for w in words { XCTAssertTrue(r.stderr.contains(w), "\(what): '\(w)' not in: \(r.stderr)", file: file, line: line) }
        for w in absent + ["Fatal error", "Missing value", "Usage:", "NSCocoaErrorDomain", "Error Domain"] {
            XCTAssertFalse(r.stderr.contains(w), "\(what): '\(w)' in: \(r.stderr)", file: file, line: line)
        }
    }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    func testEveryToolsOwnValueChecksExit64() throws {
        let tiny = ["--widths", "784,16,12,10", "--train-size", "100", "--batch-size", "20", "--steps", "50"]
        try expectError("grok-train", ["--steps", "abc", "--check"], ["abc"])
        try expectError("grok-train", ["--lr", "0", "--check"], ["--lr"])
        try expectError("grok-train", ["--preset", "delay-law", "--dataset", "mnist", "--check"], ["--preset delay-law", "modadd"],
                        absent: ["--widths"])
        try expectError("grok-train", ["--on-warning", "stop", "--htsr", "off", "--check"], ["--on-warning stop", "--htsr off"])
        try expectError("grok-train", ["--resume", "--check", "--out", path("r")], ["--check", "--resume"])
        try expectError("grok-sweep", tiny + ["--wd", "0,0.0", "--out", path("s")], ["--wd", "same value twice"])
        try expectError("grok-sweep", tiny + ["--wd", "0,1", "--jobs", "0", "--out", path("s")], ["--jobs"])
        try expectError("grok-sweep", tiny + ["--lr", "1e-3,0", "--out", path("s")], ["cell lr=0", "--lr"])
        try expectError("grok-sweep", ["delay-law", "--out", path("d")], ["--task"])
        try expectError("grok-hysteresis", ["train", "--beta", "-1"], ["--beta"])
        try expectError("grok-hysteresis", ["sweep", "--beta-step", "0", "--out", path("h")], ["--beta-step"])
        try expectError("grok-hysteresis", ["arrhenius", "--lrs", "1e-3,2e-3,1e-3", "--out", path("a")], ["--lrs", "0.001 twice"])
        // Each value under its own flag's name.
        try expectError("grok-hysteresis", ["trap", "--trap-beta", "inf", "--out", path("t")], ["--trap-beta"], absent: [" --beta "])
        try expectError("grok-report", ["--every", "5", root.path], ["--every", "--watch"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("s")), "a refused sweep writes nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("a")), "a refused arrhenius writes nothing")
    }

    func testANegativeNumberAfterASpaceIsAValueToCheck() throws {
        try expectError("grok-sweep", ["--seeds", "0,1", "--jobs", "-1", "--out", path("s")], ["--jobs", "-1"])
        try expectError("grok-report", ["--watch", "--every", "-5", root.path], ["--every", "-5"])
        try expectError("grok-hysteresis", ["train", "--beta", "0.3", "--teacher", "-1,0.8"], ["singular values", "-1"])
        try expectError("grok-hysteresis", ["train", "--beta", "0.3", "--lr", "-0.5"], ["--lr", "-0.5"])
        try expectError("grok-train", ["--snapshots", "-3", "--check"], ["--snapshots", "-3"])
    }

    func testSizesNoMemoryHoldsAreRefusedBeforeAnythingIsAllocated() throws {
        try expectError("grok-train", ["--widths", "784,100000000,10", "--check"], ["--widths 784,100000000,10", "memory"])
        try expectError("grok-train", ["--dataset", "modadd", "--embed-dim", "100000000", "--hidden", "100000000", "--check"],
                        ["--embed-dim 100000000", "memory"])
        try expectError("grok-hysteresis", ["train", "--beta", "0.3", "--width", "100000000"], ["--width 100000000", "memory"])
        try expectError("grok-hysteresis", ["sweep", "--beta-step", "1e-12", "--out", path("h")], ["--beta-step", "memory"])
        // The sweep's check of each cell refuses it too: no cell starts and then crashes.
        try expectError("grok-sweep", ["--widths", "784,100000000,10", "--seeds", "0,1", "--steps", "10", "--out", path("s")],
                        ["memory", "nothing was started"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("s")))
    }

    /// An --out under a file names the file, not Foundation's error domain.
    func testAnOutputPathUnderAFileIsOneLine() throws {
        let file = root.appendingPathComponent("afile")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        try expectError("grok-train", ["--widths", "784,16,10", "--train-size", "100", "--batch-size", "20", "--steps", "5",
                                       "--out", file.appendingPathComponent("run").path], ["afile is a file"])
        try expectError("grok-sweep", ["--widths", "784,16,10", "--train-size", "100", "--batch-size", "20", "--steps", "5",
                                       "--seeds", "0,1", "--out", file.appendingPathComponent("s").path], ["afile is a file"])
        try expectError("grok-hysteresis", ["sweep", "--beta-min", "0.3", "--beta-max", "0.3", "--out", file.path],
                        ["afile exists and is not a directory"])
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "x")
    }

    /// SGD that blows up is an error (exit 1), and --save writes no state of NaNs.
    func testHysteresisDivergenceIsAnErrorThatSavesNothing() throws {
        let state = path("state.json")
        let r = try Tool.run("grok-hysteresis", ["train", "--beta", "0.3", "--lr", "1e6", "--epochs", "50", "--save", state])
        XCTAssertEqual(r.status, 1, r.stderr)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        XCTAssertEqual(errors.count, 1, r.stderr)
        XCTAssertTrue(errors.first?.contains("diverged") ?? false, r.stderr)
        XCTAssertFalse(r.stderr.contains("EncodingError"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state))
    }

    /// ArgumentParser adds "(default: X)" itself: a help text that also says it prints it twice.
    func testEveryHelpNamesEachDefaultOnce() throws {
        let commands: [(String, [String])] = [
            ("grok-train", []), ("grok-train", ["bench"]), ("grok-report", []),
            ("grok-sweep", ["start"]), ("grok-sweep", ["status"]), ("grok-sweep", ["summary"]), ("grok-sweep", ["submit"]),
            ("grok-sweep", ["run-task"]), ("grok-sweep", ["delay-law"]),
            ("grok-analyze", ["analyze"]), ("grok-analyze", ["relabel"]), ("grok-analyze", ["traps"]), ("grok-analyze", ["bench"]),
            ("grok-hysteresis", ["train"]), ("grok-hysteresis", ["sweep"]), ("grok-hysteresis", ["trap"]), ("grok-hysteresis", ["arrhenius"]),
        ]
        for (tool, sub) in commands {
            let r = try Tool.run(tool, sub + ["--help"])
            XCTAssertEqual(r.status, 0, "\(tool) \(sub) --help: \(r.stderr)")
            let flat = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let twice = flat.range(of: #"\(default: [^)]*\) \(default: "#, options: .regularExpression)
            XCTAssertNil(twice, "\(tool) \(sub.joined()) --help: \(twice.map { String(flat[$0]) } ?? "")")
        }
    }
}
