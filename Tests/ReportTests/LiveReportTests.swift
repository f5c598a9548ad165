import XCTest
import RunFiles
import Foundation
import GrokCore
import Report

/// The live report's page and its rules (the browser side: scripts/check-live-report.sh).
final class LiveReportTests: XCTestCase {
    func makeRun(lastStep: Double? = nil) throws -> URL {
        let dir = try SyntheticRun.make(name: "live-run")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        if let lastStep {   // cut metrics.csv after `lastStep`: a run still training
            let url = dir.appendingPathComponent("metrics.csv")
            var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            // A run still training has no phase column yet (a completed run's file gets it).
            if lines[0].hasSuffix(",phase") { lines = lines.map { $0[..<$0.lastIndex(of: ",")!] } }
            let kept = [lines[0]] + lines.dropFirst().filter { Double($0.prefix { $0 != "," })! <= lastStep }
            try (kept.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    func page(_ dir: URL, live: Bool) throws -> XMLDoc {
        var o = ReportOptions()
        o.png = false
        o.live = live
        let r = try RunReport.build(runDirectory: dir, options: o)
        return try XMLDoc.parse(XCTUnwrap(r.report))
    }

    func testLivePageHasBannerAndReloadAndTheFinalPageHasNeither() throws {
        let dir = try makeRun(lastStep: 100_000)
        let live = try page(dir, live: true)
        let banner = try XCTUnwrap(live.elements.first { $0.attributes["id"] == "live-banner" })
        // The kept rows end at the synthetic run's largest step <= 10^5: 10^(34 x 7/48) = 90,852.
        let last = try XCTUnwrap(SyntheticRun.metricSteps.filter { $0 <= 100_000 }.last)
        XCTAssertEqual(last, (pow(10, 34 * 7.0 / 48)).rounded())
        let expected = "live, step \(Int(last) / 1000),\(String(format: "%03d", Int(last) % 1000)) of 10,000,000, updated "
        XCTAssertTrue(banner.text.hasPrefix(expected), banner.text)
        XCTAssertNotNil(banner.text.range(of: #"updated \d\d:\d\d$"#, options: .regularExpression), banner.text)
        XCTAssertEqual(live.named("script").count, 1)
        // The script is CDATA (the XML parser hands it out separately): read the file.
        let source = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        let script = try XCTUnwrap(source.components(separatedBy: "<script>").last?.components(separatedBy: "</script>").first)
        XCTAssertTrue(script.contains("window.location.reload()"), script)
        XCTAssertTrue(script.contains("60000"), script)       // once a minute
        let final = try page(dir, live: false)
        XCTAssertNil(final.elements.first { $0.attributes["id"] == "live-banner" })
        XCTAssertTrue(final.named("script").isEmpty)
        XCTAssertEqual(final.named("figure").count, live.named("figure").count)
    }

    func testRebuildIntervalKeepsTheCostUnderOnePercent() {
        for duration in [0.05, 0.5, 2.0, 30.0] {
            let wait = LiveReportBuilder.interval(afterBuildOf: duration, minimum: 60, costFactor: 99)
            XCTAssertGreaterThanOrEqual(wait, 60)
            XCTAssertLessThanOrEqual(duration / (duration + wait), 0.01 + 1e-12)
        }
        XCTAssertEqual(LiveReportBuilder.interval(afterBuildOf: 2, minimum: 60, costFactor: 99), 198)
    }

    func testBuilderBuildsInTheBackgroundOnlyWhenDue() throws {
        let dir = try makeRun(lastStep: 1000)
        let report = dir.appendingPathComponent("report.html")
        let patient = LiveReportBuilder(runDirectory: dir, minimumInterval: 3600)
        XCTAssertFalse(patient.isDue)
        patient.evaluationDone()
        patient.waitForBuild()
        XCTAssertFalse(FileManager.default.fileExists(atPath: report.path))
        let eager = LiveReportBuilder(runDirectory: dir, minimumInterval: 0)
        XCTAssertTrue(eager.isDue)
        eager.evaluationDone()
        eager.waitForBuild()
        let html = try String(contentsOf: report, encoding: .utf8)
        XCTAssertTrue(html.contains("id=\"live-banner\""))
        XCTAssertTrue(eager.summary(runSeconds: 100).hasPrefix("live report: rebuilt 1 times"))
        // Live pages skip PNGs.
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("figures/1-three-phases.png").path))
    }

    func testRunStateFromMetricsAndLock() throws {
        let done = try makeRun()
        XCTAssertEqual(RunState.of(done), .completed)
        let going = try makeRun(lastStep: 1000)
        // No lock file: no trainer is at work (one creates it before anything else).
        XCTAssertEqual(DirectoryLock.probe(directory: going), .absent)
        XCTAssertEqual(RunState.of(going), .stopped)
        let lock = try DirectoryLock(directory: going, holder: "grok-train")
        XCTAssertEqual(DirectoryLock.isHeld(directory: going), true)
        XCTAssertEqual(RunState.of(going), .running)
        lock.release()
        XCTAssertEqual(DirectoryLock.isHeld(directory: going), false)
        XCTAssertEqual(RunState.of(going), .stopped)
    }

    func testWatchingAnEndedRunBuildsTheFinalPageAndReturns() throws {
        let dir = try makeRun()
        var watcher = ReportWatcher(runDirectory: dir, options: { var o = ReportOptions(); o.png = false; return o }())
        watcher.settle = 0
        var lines: [String] = []
        let result = try watcher.run { lines.append($0) }
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix("run completed: final report"), lines[0])
        let html = try String(contentsOf: XCTUnwrap(result.report), encoding: .utf8)
        XCTAssertFalse(html.contains("live-banner"))
        XCTAssertThrowsError(try ReportWatcher(runDirectory: dir.appendingPathComponent("nope"), options: ReportOptions()).run { _ in })
    }

    /// Runs a watcher on its own thread; nil when it has not returned within `timeout` seconds
    /// (it would wait forever: the test fails instead of hanging).
    func watch(_ watcher: ReportWatcher, timeout: Double = 30) -> (lines: [String], error: Error?)? {
        final class Box: @unchecked Sendable {
            let watcher: ReportWatcher; var lines: [String] = []; var error: Error?
            init(_ w: ReportWatcher) { watcher = w }
        }
        let box = Box(watcher), done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do { _ = try box.watcher.run { box.lines.append($0) } } catch { box.error = error }
            done.signal()
        }
        return done.wait(timeout: .now() + timeout) == .success ? (box.lines, box.error) : nil
    }

    /// A folder that is not a run is refused at once (no config.json: nothing will ever come).
    func testWatchingAFolderThatIsNotARunFailsAtOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        try "x".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        var watcher = ReportWatcher(runDirectory: folder, options: ReportOptions())
        watcher.poll = 0.01
        let r = try XCTUnwrap(watch(watcher, timeout: 10), "grok-report --watch on a folder that is not a run must not wait")
        XCTAssertTrue(r.error.map { "\($0)".contains("not a GrokLab run directory") } ?? false, "\(String(describing: r.error))")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.html").path))
    }

    /// A stopped run without a lock file (nobody writes it) gets its final page and the watch
    /// ends, instead of waiting for a trainer that is not there.
    func testWatchingAStoppedRunWithoutALockEnds() throws {
        let dir = try makeRun(lastStep: 1000)
        XCTAssertEqual(DirectoryLock.probe(directory: dir), .absent)
        var watcher = ReportWatcher(runDirectory: dir, options: { var o = ReportOptions(); o.png = false; return o }())
        watcher.settle = 0
        watcher.poll = 0.01
        let r = try XCTUnwrap(watch(watcher), "the watch of a run nobody writes must end")
        XCTAssertNil(r.error)
        XCTAssertEqual(r.lines.count, 1, "\(r.lines)")
        XCTAssertTrue(r.lines.last?.hasPrefix("run stopped: final report") == true, "\(r.lines)")
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertFalse(html.contains("live-banner"))
    }
}
