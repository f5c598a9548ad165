import XCTest
import RunFiles
import Foundation
import GrokCore
import Training
import Diagnostics
import Runs

/// The orchestration grok-train runs, called as a library (as grok-sweep does).
final class TrainingRunTests: XCTestCase {
    let fm = FileManager.default

    func config(steps: Int = 30) -> TrainingConfig {
        var c = TrainingConfig.paper
        c.widths = [784, 16, 12, 10]; c.trainSize = 100; c.batchSize = 20
        c.steps = steps; c.snapshots = 6; c.threads = 1
        return c
    }

    func directory(_ name: String) -> URL {
        let url = fm.temporaryDirectory.appendingPathComponent("runs-tests-\(name)-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func makeRun(_ url: URL, _ start: TrainingRun.Start, notes: @escaping (String) -> Void = { _ in }) -> TrainingRun {
        var run = TrainingRun(directory: url, start: start)
        run.quiet = true
        run.buildReport = false
        run.note = notes
        run.output = { _ in }
        return run
    }

    func fresh(_ url: URL) -> TrainingRun {
        var d = DiagnosticsSettings(); d.htsr = .off
        return makeRun(url, .fresh(config(), d, force: false))
    }

    func testAFreshRunRecordsTheDataChecksumAndReleasesItsLock() throws {
        let url = directory("fresh")
        let run = fresh(url)
        let result = try run.run()
        XCTAssertEqual(result.outcome, .completed)
        XCTAssertEqual(run.conclusion(of: result).line, "done: 30 steps; results in \(url.path)")
        XCTAssertTrue((try ConfigFile.read(RunDirectory(url).configURL))["data_checksum"]?.string?.hasPrefix("crc32:") ?? false)
        // The lock ended with the run: a new holder gets it at once.
        XCTAssertNoThrow(try RunDirectory(url).lock().release())
        XCTAssertThrowsError(try fresh(url).run()) { XCTAssertTrue("\($0)".contains("--force"), "\($0)") }
    }

    func testResumeWithoutACheckpointStartsAgainAndEqualsAnUninterruptedRun() throws {
        let full = directory("full"), part = directory("part")
        try fresh(full).run()
        try fm.createDirectory(at: part, withIntermediateDirectories: true)
        try fm.copyItem(at: full.appendingPathComponent("config.json"), to: part.appendingPathComponent("config.json"))
        var notes: [String] = []
        let result = try makeRun(part, .resume(threads: nil), notes: { notes.append($0) }).run()
        XCTAssertEqual(result.outcome, .completed)
        XCTAssertTrue(notes.contains { $0.contains("no checkpoint yet") }, "\(notes)")
        XCTAssertEqual(try Data(contentsOf: full.appendingPathComponent("metrics.csv")),
                       try Data(contentsOf: part.appendingPathComponent("metrics.csv")))
    }

    /// A run whose checkpoint was deleted still holds its results: --resume refuses to start
    /// it again from step 0 over them, and does so only with --force.
    func testResumeWithoutItsCheckpointKeepsTheResultsUnlessForced() throws {
        let url = directory("lost-checkpoint")
        try fresh(url).run()
        let files = RunDirectory(url)
        try fm.removeItem(at: files.checkpointURL)
        let metrics = try Data(contentsOf: files.metricsURL)
        let snapshots = files.snapshots().map(\.url.lastPathComponent)
        XCTAssertGreaterThan(snapshots.count, 2)
        XCTAssertThrowsError(try makeRun(url, .resume(threads: nil)).run()) {
            XCTAssertTrue("\($0)".contains("checkpoint.safetensors is missing") && "\($0)".contains("--force"), "\($0)")
        }
        XCTAssertEqual(try Data(contentsOf: files.metricsURL), metrics, "metrics.csv must be untouched")
        XCTAssertEqual(files.snapshots().map(\.url.lastPathComponent), snapshots, "the snapshots must be untouched")
        var notes: [String] = []
        let result = try makeRun(url, .resume(threads: nil, force: true), notes: { notes.append($0) }).run()
        XCTAssertEqual(result.outcome, .completed)
        XCTAssertTrue(notes.contains { $0.contains("starting it again from step 0") && $0.contains("--force") }, "\(notes)")
        XCTAssertEqual(try Data(contentsOf: files.metricsURL), metrics, "the same run again gives the same metrics")
    }

    /// A run recorded before timing.csv had its background columns resumes with the five it
    /// has (the file keeps one header), and a new run writes all of them.
    func testResumeKeepsAnOlderTimingFilesColumns() throws {
        let url = directory("legacy-timing")
        try fresh(url).run()
        let timing = RunDirectory(url).timingURL
        let lines = try String(contentsOf: timing, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first.map(String.init), TimingFile.columns.joined(separator: ","))
        let legacy = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(5).joined(separator: ",") }
        try (legacy.joined(separator: "\n") + "\n").write(to: timing, atomically: true, encoding: .utf8)
        XCTAssertEqual(try makeRun(url, .resume(threads: nil)).run().outcome, .completed)
        let after = try String(contentsOf: timing, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(after.first.map(String.init), TimingFile.legacyColumns.joined(separator: ","))
        XCTAssertTrue(after.allSatisfy { $0.split(separator: ",").count == 5 }, "\(after)")
    }

    func testResumeRefusesAHistoryThatDoesNotMatchTheCheckpoint() throws {
        let url = directory("history")
        try fresh(url).run()
        let metrics = url.appendingPathComponent("metrics.csv")
        var lines = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
        lines.remove(at: 2)
        try (lines.joined(separator: "\n") + "\n").write(to: metrics, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try makeRun(url, .resume(threads: nil)).run()) {
            XCTAssertTrue("\($0)".contains("does not match the checkpoint"), "\($0)")
        }
    }
}
