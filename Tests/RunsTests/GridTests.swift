import XCTest
import Runs
import GrokCore
import Diagnostics

final class GridTests: XCTestCase {
    func testCrossProductNamesAndArguments() throws {
        let g = try SweepGrid(arguments: ["--preset", "omnigrok", "--wd", "0,1e-3", "--seeds", "0,1,2", "--steps=300"])
        XCTAssertEqual(g.axes, [SweepAxis(flag: "wd", values: ["0", "1e-3"]), SweepAxis(flag: "seed", values: ["0", "1", "2"])])
        XCTAssertEqual(g.fixed, ["--preset", "omnigrok", "--steps", "300"])
        let cells = g.cells
        XCTAssertEqual(cells.count, 6)
        XCTAssertEqual(g.cellCount, 6)
        // The first axis varies slowest.
        XCTAssertEqual(cells.map(\.name), ["wd=0,seed=0", "wd=0,seed=1", "wd=0,seed=2",
                                           "wd=1e-3,seed=0", "wd=1e-3,seed=1", "wd=1e-3,seed=2"])
        XCTAssertEqual(cells[4].arguments, ["--preset", "omnigrok", "--steps", "300", "--wd", "1e-3", "--seed", "1",
                                            "--keep-snapshots", "12"])
        XCTAssertEqual(cells[4].values, ["wd": "1e-3", "seed": "1"])
        XCTAssertEqual(cells[4].directory, "runs/wd=1e-3,seed=1")
        XCTAssertEqual(g.tag, "omnigrok-wd-seed")
    }

    /// The Grokfast 2x2: the filter swept off/on with its settings shared, and --tensorboard
    /// passed to every cell.
    func testGrokfastIsSweepableAndTensorboardIsASwitch() throws {
        let g = try SweepGrid(arguments: ["--grokfast", "off,ema", "--grokfast-alpha", "0.8", "--grokfast-lambda", "0.1",
                                          "--wd", "0.01,2", "--tensorboard"])
        XCTAssertEqual(g.cells.map(\.name), ["grokfast=off,wd=0.01", "grokfast=off,wd=2", "grokfast=ema,wd=0.01", "grokfast=ema,wd=2"])
        XCTAssertEqual(g.cells[2].arguments, ["--grokfast-alpha", "0.8", "--grokfast-lambda", "0.1", "--tensorboard",
                                              "--grokfast", "ema", "--wd", "0.01", "--keep-snapshots", "12"])
        XCTAssertThrowsError(try SweepGrid(arguments: ["--grokfast", "off,sma"])) {
            XCTAssertEqual(($0 as? GrokError)?.message, "--grokfast: 'sma' is not one of off, ema, ma")
        }
    }

    func testOneValueEverywhereIsOneRunAndKeepsUserRetention() throws {
        let g = try SweepGrid(arguments: ["--lr", "1e-3", "--keep-snapshots", "all", "--widths", "784,16,10", "--no-report"])
        XCTAssertEqual(g.cells.map(\.name), ["run"])
        XCTAssertEqual(g.cells[0].arguments, ["--lr", "1e-3", "--keep-snapshots", "all", "--widths", "784,16,10", "--no-report"])
    }

    func testNegativeNumbersAreValuesNotFlags() throws {
        let g = try SweepGrid(arguments: ["--momentum", "-1,0"])
        XCTAssertEqual(g.axes[0].values, ["-1", "0"])   // grok-train --check rejects -1, not the parser
    }

    func expectError(_ args: [String], _ words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SweepGrid(arguments: args), file: file, line: line) { e in
            guard let g = e as? GrokError else { return XCTFail("not a GrokError: \(e)", file: file, line: line) }
            XCTAssertFalse(g.message.contains("\n"), file: file, line: line)
            for w in words { XCTAssertTrue(g.message.contains(w), "'\(w)' not in: \(g.message)", file: file, line: line) }
        }
    }

    func testBadGridsAreOneLineErrors() {
        expectError(["--wd", "0,,1"], ["--wd", "empty"])
        expectError(["--wd", "0,"], ["--wd", "empty"])
        expectError(["--wd"], ["--wd", "needs a value"])
        expectError(["--wd", "--lr", "1"], ["--wd", "needs a value"])
        expectError(["--wd", "0,abc"], ["--wd", "abc", "not a number"])
        expectError(["--wd", "0.01,1e-2"], ["same value", "0.01", "1e-2", "duplicate"])
        expectError(["--seeds", "1,1"], ["same value"])
        expectError(["--seed", "0", "--seeds", "1,2"], ["twice"])
        expectError(["--batch-size", "20,2.5"], ["2.5", "whole number"])
        expectError(["--steps", "1e5,lots"], ["lots", "step count"])
        expectError(["--dtype", "f32,f16"], ["f16", "f64, f32"])
        expectError(["--snapshot-dtype", "f32,f64"], ["cannot be swept"])
        expectError(["--threads", "2"], ["--threads", "--jobs"])
        expectError(["--out", "x"], ["--out"])
        expectError(["--resume"], ["--resume"])
        expectError(["--no-such", "1"], ["unknown flag --no-such"])
        expectError(["wd", "1"], ["unexpected argument 'wd'"])
        expectError(["--no-report=1"], ["takes no value"])
    }

    func testJobsZeroIsRefusedBeforeAnything() {
        var o = StartOptions()
        o.jobs = 0
        o.trainArguments = ["--wd", "0,1"]
        XCTAssertThrowsError(try SweepStart.run(o) { _ in }) { e in
            XCTAssertEqual((e as? GrokError)?.message, "--jobs must be at least 1, got 0")
        }
    }
}

final class SlurmTextTests: XCTestCase {
    func testScriptHasOneTaskPerCellAndTheRequestedLimits() throws {
        let dir = try scratch("slurmtext")
        let sweep = SweepDirectory(dir)
        let grid = try SweepGrid(arguments: ["--wd", "0,0.01", "--seeds", "0,1"])
        let m = SweepManifest(created: "t", commandLine: "c", engine: .slurm, grid: grid, grokThreshold: 0.8)
        var o = SlurmOptions()
        o.maxParallel = 3; o.mem = "1500M"; o.time = "1:30:00"; o.signalLead = 90; o.partition = "debug"
        try o.validate()
        let urls = try SlurmScript.write(sweep: sweep, manifest: m, options: o)
        XCTAssertEqual(urls.map(\.lastPathComponent), ["sweep.sbatch"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: sweep.logsURL.path), "Slurm does not create the --output folder")
        let text = try String(contentsOf: urls[0], encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "#!/bin/bash")
        for want in ["#SBATCH --array=0-3%3", "#SBATCH --cpus-per-task=1", "#SBATCH --mem=1500M", "#SBATCH --time=1:30:00",
                     "#SBATCH --partition=\"debug\"", "#SBATCH --open-mode=append", "#SBATCH --signal=B:TERM@90",
                     "#SBATCH --requeue", "#SBATCH --chdir=\"\(sweep.url.path)\"", "#SBATCH --output=logs/slurm-%A_%a.out",
                     "exec grok-sweep run-task \(sweep.url.path) $((SLURM_ARRAY_TASK_ID + 0))"] {
            XCTAssertTrue(lines.contains(want), "missing line: \(want)\n\(text)")
        }
        // Every #SBATCH line comes before the first command (sbatch stops reading them there).
        let firstCommand = lines.firstIndex { !$0.hasPrefix("#") && !$0.isEmpty }!
        XCTAssertFalse(lines[firstCommand...].contains { $0.hasPrefix("#SBATCH") })
        XCTAssertEqual(SlurmCluster.partOf(script: "sweep.sbatch", text: text), SlurmPart(script: "sweep.sbatch", offset: 0, count: 4))
    }

    func testLargeSweepsAreSplitBelowMaxArraySize() {
        let parts = SlurmScript.parts(cells: 2500, maxArraySize: 1001)
        XCTAssertEqual(parts, [SlurmPart(script: "sweep.sbatch", offset: 0, count: 1001),
                               SlurmPart(script: "sweep-2.sbatch", offset: 1001, count: 1001),
                               SlurmPart(script: "sweep-3.sbatch", offset: 2002, count: 498)])
        XCTAssertEqual(SlurmScript.parts(cells: 1001, maxArraySize: 1001).count, 1)
    }

    /// A #SBATCH value as sbatch reads it (its documented rules: a backslash escapes the next
    /// character, quotes group, an unquoted # starts a comment, whitespace ends the value).
    static func sbatchValue(_ text: String) -> String {
        var out = "", quote: Character? = nil, escaped = false
        for c in text {
            if escaped { out.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if let q = quote { if c == q { quote = nil } else { out.append(c) }; continue }
            if c == "\"" || c == "'" { quote = c; continue }
            if c == "#" || c.isWhitespace { break }
            out.append(c)
        }
        return out
    }

    /// Paths with a space, quotes, a backslash, % and # come back whole from a directive; in
    /// the shell line they are one word.
    func testDirectiveAndShellQuotingKeepOddPathsWhole() throws {
        for path in ["/tmp/it's 100% #1 sweep", "/tmp/a \"b\" c", "/tmp/back\\slash", "/tmp/plain"] {
            XCTAssertEqual(Self.sbatchValue(SlurmScript.directiveQuote(path)), path)
            let echo = Process()
            echo.executableURL = URL(fileURLWithPath: "/bin/bash")
            echo.arguments = ["-c", "printf %s " + SlurmScript.shellQuote(path)]
            let out = Pipe(); echo.standardOutput = out
            try echo.run(); echo.waitUntilExit()
            XCTAssertEqual(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), path)
        }
        let dir = try scratch("odd path's #1 100%")
        let grid = try SweepGrid(arguments: ["--seeds", "0,1"])
        let m = SweepManifest(created: "t", commandLine: "c", engine: .slurm, grid: grid, grokThreshold: 0.8)
        let text = try String(contentsOf: SlurmScript.write(sweep: SweepDirectory(dir), manifest: m, options: SlurmOptions())[0], encoding: .utf8)
        let chdir = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("#SBATCH --chdir=") })
        XCTAssertEqual(Self.sbatchValue(String(chdir.dropFirst("#SBATCH --chdir=".count))), dir.standardizedFileURL.path)
        XCTAssertFalse(text.contains(".build"), text)
    }

    func testBadSlurmOptions() {
        var o = SlurmOptions(); o.mem = "lots"
        XCTAssertThrowsError(try o.validate())
        o = SlurmOptions(); o.time = "1:xx"
        XCTAssertThrowsError(try o.validate())
        o = SlurmOptions(); o.time = "2"; o.signalLead = 120   // 2 minutes = 120 s: no time left
        XCTAssertThrowsError(try o.validate())
        o = SlurmOptions(); o.maxParallel = 0
        XCTAssertThrowsError(try o.validate())
        XCTAssertEqual(SlurmOptions.minutes("1-00:00:00"), 1440)
        XCTAssertEqual(SlurmOptions.minutes("90"), 90)
        XCTAssertEqual(SlurmOptions.minutes("2:30"), 2.5)
        XCTAssertEqual(SlurmOptions.minutes("1:30:00"), 90)
    }

    func testScontrolLinesGiveTaskStatesAndExitCodes() {
        let text = """
        JobId=12 ArrayJobId=10 ArrayTaskId=2 JobName=grok-sweep JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=1:0
        JobId=10 ArrayJobId=10 ArrayTaskId=3-5%2 JobName=grok-sweep JobState=PENDING Reason=JobArrayTaskLimit ExitCode=0:0
        JobId=11 ArrayJobId=10 ArrayTaskId=0 JobName=grok-sweep JobState=RUNNING Reason=None ExitCode=0:0
        """
        let parsed = SlurmCluster.parse(scontrol: text)
        XCTAssertEqual(parsed.map(\.0), [[2], [3, 4, 5], [0]])
        XCTAssertEqual(parsed[0].1, SlurmTaskState(state: "FAILED", exitCode: "1:0", reason: "NonZeroExitCode"))
        XCTAssertEqual(parsed[1].1.state, "PENDING")
    }
}

final class RetentionTests: XCTestCase {
    func testAnchorsAreSpreadInLogStepWithFirstAndLast() throws {
        let steps = [0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000]
        XCTAssertEqual(try SnapshotRetention(parsing: "all").anchors(steps), Set(steps))
        XCTAssertEqual(try SnapshotRetention(parsing: "none").anchors(steps), [])
        XCTAssertEqual(try SnapshotRetention(parsing: "2").anchors(steps), [0, 1000])
        // N = 4: targets at log(1001) * 1/3 and 2/3, i.e. steps ~9 and ~99.
        XCTAssertEqual(try SnapshotRetention(parsing: "4").anchors(steps), [0, 10, 100, 1000])
        XCTAssertThrowsError(try SnapshotRetention(parsing: "0"))
        XCTAssertThrowsError(try SnapshotRetention(parsing: "some"))
    }
}

func scratch(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("groklab-sweep-tests-\(getpid())-\(name)-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

enum SnapshotRetentionAnchors {
    static func expected(_ text: String, _ steps: [Int]) throws -> Set<Int> { try SnapshotRetention(parsing: text).anchors(steps) }
}
